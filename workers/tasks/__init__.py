"""The jobs interface: job functions (the tasks named in ``api.kernel.jobs.TASKS``), the
periodic schedule and the worker loop. ``workers.__main__`` and ``workers.serve`` are the entry
points above it."""
