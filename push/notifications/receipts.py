"""Delivery receipts (SMS gateway callback, Zalo user_received_message): mark delivered, or
move a failed one on to the next channel."""

from __future__ import annotations

import logging

from sqlalchemy import select

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.digits import is_digits
from api.notifications import models as m
from push.notifications.dispatch import _delivered, advance

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
    if attempt.status in (m.ATTEMPT_DELIVERED, m.PERMANENT_FAILURE):
        return None  # a receipt delivered twice changes nothing
    notification = db.session.get(m.Notification, attempt.notification_id, populate_existing=True)
    now = utcnow()
    if delivered:
        attempt.status, attempt.delivered_at = m.ATTEMPT_DELIVERED, now
        if notification.status != m.DELIVERED:
            _delivered(notification, attempt.channel, now)
        db.session.commit()
        return None
    attempt.status, attempt.failed_at, attempt.error_code = m.PERMANENT_FAILURE, now, error_code
    if notification.status == m.AWAITING_RECEIPT:
        advance(notification)
        db.session.commit()
        return notification.id
    db.session.commit()
    return None
