"""Named rq queues on the app's Redis (real, or the in-process stand-in)."""

from __future__ import annotations

from flask import current_app
from rq import Queue

# Named queues, most urgent first: a worker drains them in this order.
QUEUE_NAMES = ("urgent", "default", "bulk")


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUE_NAMES:
        raise ValueError(f"unknown queue {name!r}")
    connection = current_app.extensions["redis"]
    # The stand-in runs jobs in the worker thread; is_async stays True so behaviour matches.
    return Queue(name, connection=connection)


def all_queues() -> list[Queue]:
    return [get_queue(name) for name in QUEUE_NAMES]
