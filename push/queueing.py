"""Handing work to the rq workers after a commit. If Redis is away, nothing is lost: the rows
are in the database and the sweeper enqueues them when Redis returns."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

import redis
from flask import current_app

log = logging.getLogger(__name__)
BATCH = 100
JOB_TIMEOUT = 300  # seconds; push.dispatch stops starting sends well before this
# Set while a wake-up for the outbox waits in the queue: a burst of status changes then
# enqueues one run, not one per change (the run drains everything there is when it starts).
WAKE_FLAG = "wake:domain-events"
WAKE_FLAG_SECONDS = 120  # a lost job frees the flag by itself; the sweeper covers the gap


def enqueue_delivery(
    notification_ids: list[int], urgent: bool = False, delay: float | None = None
) -> None:
    """Delivery jobs of up to BATCH notifications; ``delay`` seconds later if given."""
    from workers.queues import get_queue

    try:
        queue = get_queue("urgent" if urgent else "default")
        for start in range(0, len(notification_ids), BATCH):
            chunk = notification_ids[start : start + BATCH]
            if delay:
                queue.enqueue_in(
                    timedelta(seconds=delay),
                    "workers.jobs.deliver_notifications",
                    chunk,
                    job_timeout=JOB_TIMEOUT,
                )
            else:
                queue.enqueue("workers.jobs.deliver_notifications", chunk, job_timeout=JOB_TIMEOUT)
    except redis.RedisError as exc:
        log.warning(
            "enqueue_failed_sweeper_will_retry",
            extra={"error": type(exc).__name__, "count": len(notification_ids)},
        )


def enqueue_event_processing() -> None:
    """Wake the outbox relay unless a wake-up is already waiting in the queue."""
    from workers.queues import get_queue

    connection = current_app.extensions["redis"]
    try:
        if not connection.set(WAKE_FLAG, "1", nx=True, ex=WAKE_FLAG_SECONDS):
            return
        try:
            get_queue("urgent").enqueue("workers.jobs.process_domain_events")
        except redis.RedisError:
            connection.delete(WAKE_FLAG)
            raise
    except redis.RedisError as exc:
        log.warning("enqueue_failed_sweeper_will_retry", extra={"error": type(exc).__name__})


class RelayLock:
    """The outbox relay's turn, in Redis; without Redis everyone may relay (SKIP LOCKED keeps
    concurrent relays apart, they just compete for the same CPU)."""

    SECONDS = 60  # a crashed holder's turn ends by itself

    def __init__(self) -> None:
        self._lock = current_app.extensions["redis"].lock(
            "lock:domain-events-relay", timeout=self.SECONDS, blocking=False
        )
        self._held = False

    def acquire(self) -> bool:
        try:
            self._held = bool(self._lock.acquire())
            return self._held
        except redis.RedisError:
            return True

    def extend(self) -> None:
        with contextlib.suppress(redis.RedisError, redis.exceptions.LockError):
            if self._held:
                self._lock.reacquire()

    def release(self) -> None:
        with contextlib.suppress(redis.RedisError, redis.exceptions.LockError):
            if self._held:
                self._lock.release()
        self._held = False


def relay_lock() -> RelayLock:
    return RelayLock()


def wake_up_taken() -> None:
    """Called as the relay starts: a change committed from now on needs a new wake-up."""
    with contextlib.suppress(redis.RedisError):  # else the flag expires by itself
        current_app.extensions["redis"].delete(WAKE_FLAG)
