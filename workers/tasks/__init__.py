"""The jobs interface: job functions (the tasks named in ``api.kernel.jobs.TASKS``), the
periodic schedule and the worker loop. ``workers.__main__`` is the process entry point above it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.kernel.jobs import add_periodic
    from workers.tasks.schedule import PERIODIC

    add_periodic(app, PERIODIC)
