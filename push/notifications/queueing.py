"""Handing notifications to the delivery workers, through the kernel's job port. If Redis is
away, nothing is lost: the rows are in the database and the sweeper enqueues them when Redis
returns."""

from __future__ import annotations

from api.kernel import jobs
from api.kernel.database import db

BATCH = 100  # notifications per delivery job
DELIVER = "deliver_notifications"


def enqueue_delivery(
    notification_ids: list[int], urgent: bool = False, delay: float | None = None
) -> None:
    """Delivery jobs of up to BATCH notifications; ``delay`` seconds later if given."""
    queue = "urgent" if urgent else "default"
    for start in range(0, len(notification_ids), BATCH):
        chunk = notification_ids[start : start + BATCH]
        if not jobs.enqueue(DELIVER, chunk, queue=queue, delay=delay):
            return  # Redis is away: the sweeper takes the rest too


def deliver_after_commit(notification_ids: list[int], urgent: bool = False) -> None:
    """Delivery jobs for notifications written in the caller's unit of work: they go to the
    queue when it commits (a job never looks for a row that is not there yet), or not at all."""
    queue = "urgent" if urgent else "default"
    for start in range(0, len(notification_ids), BATCH):
        chunk = notification_ids[start : start + BATCH]
        jobs.after_commit(db.session(), DELIVER, chunk, queue=queue)
