"""Handing notifications to the delivery workers, through the kernel's job port. If Redis is
away, nothing is lost: the rows are in the database and the sweeper enqueues them when Redis
returns."""

from __future__ import annotations

from api.kernel import jobs

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
