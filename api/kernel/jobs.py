"""The job port: the one hand-over from the domains to the rq workers (docs/architecture.md).

Work is named, never a dotted path: ``enqueue("deliver_notifications", ids)`` puts the task on
a named queue, and ``TASKS`` is the only place that says which function runs it. Domains call
``after_commit`` so that a job never starts before the rows it reads exist: the task waits in
the session and goes out when the transaction commits, or is dropped with a rollback.

Redis may be away at any moment. Nothing is lost then: every task here works from rows in the
database, and a sweeper (``workers``) enqueues what is still waiting when Redis returns. So a
failed hand-over is logged and swallowed by ``enqueue``; ``submit`` raises for the callers that
must undo something when it fails.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import redis
from flask import Flask, current_app
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

# Named queues, most urgent first: a worker drains them in this order.
QUEUE_NAMES = ("urgent", "default", "bulk")

# Task name -> the function a worker runs: callers name the work, only this table knows where
# it lives. A job already queued holds the path; after a move it fails once and the sweepers
# enqueue its rows again.
TASKS = {
    "deliver_notifications": "workers.tasks.jobs.deliver_notifications",
    "process_domain_events": "workers.tasks.jobs.process_domain_events",
    "process_bot_update": "bots.jobs.process_update",
}
DEFAULT_TIMEOUT = 300  # seconds; long work (delivery) stops starting new sends well before this

_PENDING = "dvc_jobs_after_commit"  # key in Session.info


class UnknownTask(LookupError):
    """A task or queue name nobody declared: a typo, never silently dropped."""


@dataclass(frozen=True)
class Task:
    name: str
    args: tuple = ()
    queue: str = "default"
    delay: float | None = None
    timeout: int = DEFAULT_TIMEOUT
    kwargs: dict = field(default_factory=dict)


def add_periodic(app: Flask, entries: list[tuple[Callable, str, dict]]) -> None:
    """Each interface (workers, bots) brings its periodic jobs when the app is composed; the
    workers' schedule runs them all: ``(function, queue, {"interval": s} or {"cron": "..."})``."""
    periodic = app.extensions.setdefault("periodic_jobs", [])
    for func, queue, timing in entries:
        if queue not in QUEUE_NAMES:
            raise UnknownTask(f"unknown queue {queue!r}")
        periodic.append((func, queue, timing))


def get_queue(name: str = "default") -> Queue:
    if name not in QUEUE_NAMES:
        raise UnknownTask(f"unknown queue {name!r}")
    # The in-process stand-in runs jobs in the worker thread; is_async stays True so that
    # behaviour matches real Redis.
    return Queue(name, connection=current_app.extensions["redis"])


def all_queues() -> list[Queue]:
    return [get_queue(name) for name in QUEUE_NAMES]


def task(name: str, *args: object, queue: str = "default", delay: float | None = None,
         timeout: int = DEFAULT_TIMEOUT) -> Task:  # fmt: skip
    if name not in TASKS:
        raise UnknownTask(f"unknown task {name!r}")
    if queue not in QUEUE_NAMES:
        raise UnknownTask(f"unknown queue {queue!r}")
    return Task(name, args, queue, delay, timeout)


def submit(job: Task) -> None:
    """Put one task on its queue now; raises ``redis.RedisError`` when Redis is away."""
    queue = get_queue(job.queue)
    path = TASKS[job.name]
    if job.delay:
        queue.enqueue_in(
            timedelta(seconds=job.delay), path, *job.args, job_timeout=job.timeout, **job.kwargs
        )
    else:
        queue.enqueue(path, *job.args, job_timeout=job.timeout, **job.kwargs)


def enqueue(name: str, *args: object, queue: str = "default", delay: float | None = None,
            timeout: int = DEFAULT_TIMEOUT) -> bool:  # fmt: skip
    """Put a task on its queue now (the caller has committed); False when Redis is away, which
    is logged and left to the sweeper."""
    job = task(name, *args, queue=queue, delay=delay, timeout=timeout)
    try:
        submit(job)
    except redis.RedisError as exc:
        log.warning(
            "enqueue_failed_sweeper_will_retry", extra={"task": name, "error": type(exc).__name__}
        )
        return False
    return True


def after_commit(session: Session, name: str, *args: object, queue: str = "default",
                 delay: float | None = None, timeout: int = DEFAULT_TIMEOUT) -> None:  # fmt: skip
    """Enqueue the task when ``session`` commits its transaction; forget it on rollback."""
    job = task(name, *args, queue=queue, delay=delay, timeout=timeout)
    if not session.in_transaction():
        session.begin()  # the task belongs to this transaction, begun or not yet
    session.info.setdefault(_PENDING, []).append(job)


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the work waits for the real commit
    for job in session.info.pop(_PENDING, []):
        enqueue(job.name, *job.args, queue=job.queue, delay=job.delay, timeout=job.timeout)


@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, transaction) -> None:  # noqa: ANN001 - a SessionTransaction
    if transaction.parent is None:  # the outer transaction ended without a commit
        session.info.pop(_PENDING, None)
