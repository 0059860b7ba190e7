"""The outbox relay's signals: a change written with its domain event wakes the relay once, and
one relay runs at a time. The events themselves are rows written in the same transaction as the
change (``api.dossiers.models.DomainEvent``), so Redis failing here loses nothing: the sweeper
wakes the relay when Redis returns."""

from __future__ import annotations

import contextlib
import logging

import redis
from flask import current_app

from api.kernel import jobs

log = logging.getLogger(__name__)

# Set while a wake-up for the outbox waits in the queue: a burst of status changes then
# enqueues one run, not one per change (the run drains everything there is when it starts).
WAKE_FLAG = "wake:domain-events"
WAKE_FLAG_SECONDS = 120  # a lost job frees the flag by itself; the sweeper covers the gap
RELAY_TASK = "process_domain_events"


def wake_relay() -> None:
    """Wake the outbox relay (after the commit) unless a wake-up already waits in the queue."""
    connection = current_app.extensions["redis"]
    try:
        if not connection.set(WAKE_FLAG, "1", nx=True, ex=WAKE_FLAG_SECONDS):
            return
        try:
            jobs.submit(jobs.task(RELAY_TASK, queue="urgent"))
        except redis.RedisError:
            connection.delete(WAKE_FLAG)
            raise
    except redis.RedisError as exc:
        log.warning("enqueue_failed_sweeper_will_retry", extra={"error": type(exc).__name__})


def wake_up_taken() -> None:
    """Called as the relay starts: a change committed from now on needs a new wake-up."""
    with contextlib.suppress(redis.RedisError):  # else the flag expires by itself
        current_app.extensions["redis"].delete(WAKE_FLAG)


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
