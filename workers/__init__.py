"""Background work: ``python -m workers`` (the entry point, ``__main__``) runs the jobs
interface in ``workers.tasks`` on the named queues of ``api.kernel.jobs``."""
