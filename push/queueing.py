"""Handing work to the rq workers after a commit. If Redis is away, nothing is lost: the rows
are in the database and the sweeper enqueues them when Redis returns."""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)
BATCH = 100


def enqueue_delivery(notification_ids: list[int], urgent: bool = False) -> None:
    from workers.queues import get_queue

    try:
        queue = get_queue("urgent" if urgent else "default")
        for start in range(0, len(notification_ids), BATCH):
            queue.enqueue(
                "workers.jobs.deliver_notifications", notification_ids[start : start + BATCH]
            )
    except redis.RedisError as exc:
        log.warning(
            "enqueue_failed_sweeper_will_retry",
            extra={"error": type(exc).__name__, "count": len(notification_ids)},
        )


def enqueue_event_processing() -> None:
    from workers.queues import get_queue

    try:
        get_queue("urgent").enqueue("workers.jobs.process_domain_events")
    except redis.RedisError as exc:
        log.warning("enqueue_failed_sweeper_will_retry", extra={"error": type(exc).__name__})
