"""Delivery receipts, whichever channel sends them, through ``receive_receipt``: find our
attempt by its reference (or the provider's message id), lock it as a worker's round does,
and let ``push.notifications.state`` mark it delivered or move it on to the next channel.

Commits on its own: the row locks a receipt takes are released at once, as the worker
recording a delivery round waits on the same rows.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.digits import is_digits
from push.notifications import models as m
from push.notifications import state
from push.notifications.queueing import enqueue_delivery

log = logging.getLogger(__name__)


def record_receipt(
    reference: str | None = None,
    provider_message_id: str | None = None,
    delivered: bool = True,
    error_code: str | None = None,
) -> int | None:
    """Returns the notification id to deliver further (failed receipt), else None."""
    attempt = None
    if reference and is_digits(reference) and len(reference) < 19:
        attempt = db.session.get(m.DeliveryAttempt, int(reference))
    if attempt is None and provider_message_id:
        attempt = db.session.scalar(
            select(m.DeliveryAttempt).where(
                m.DeliveryAttempt.provider_message_id == provider_message_id
            )
        )
    if attempt is None:
        log.info("receipt_unknown", extra={"reference": reference})
        return None
    # Lock as the worker recording a round does (notification, then attempt): a receipt and a
    # round recorded at the same moment wait for each other instead of deadlocking.
    db.session.scalar(
        select(m.Notification.id)
        .where(m.Notification.id == attempt.notification_id)
        .with_for_update()
    )
    attempt = db.session.scalar(
        select(m.DeliveryAttempt)
        .where(m.DeliveryAttempt.id == attempt.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    notification = db.session.get(m.Notification, attempt.notification_id, populate_existing=True)
    moved_on = state.receipt(notification, attempt, delivered, error_code, utcnow())
    db.session.commit()
    return notification.id if moved_on else None


def receive_receipt(
    reference: str | None = None,
    provider_message_id: str | None = None,
    delivered: bool = True,
    error_code: str | None = None,
) -> None:
    """The one entry for every channel's delivery receipts (SMS gateway callback, Zalo
    user_received_message): record it, and hand a notification that moved on to its next
    channel to the workers."""
    again = record_receipt(reference, provider_message_id, delivered, error_code)
    if again:
        enqueue_delivery([again])
