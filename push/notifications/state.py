"""Every state change of a notification, in one place (the callers lock the rows and commit).

    pending ──claim──▶ delivering ──sent──▶ delivered
       ▲                  │   └──accepted, receipt expected──▶ awaiting_receipt ──receipt──▶ delivered
       └── release / next channel ◀──────────────┴──── failed receipt, receipt overdue
    (chain used up) ──▶ failed

States only move forward: a receipt that arrives before its round is recorded is kept.
Attempts ("created" → "sending" → "sent"/"delivered" or a failure) change here too when a
receipt or its absence decides them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, update

from api.kernel.clock import utcnow
from api.kernel.database import db
from push.notifications import models as m

log = logging.getLogger(__name__)

# Events whose parameters hold a secret (a one-time code): dropped once delivered or given up.
SECRET_EVENTS = ("one_time_code", "assist_code")


def claim(ids: list[int], now: datetime, until: datetime) -> list[int]:
    """pending (due) or delivering with an expired claim → delivering, claimed ``until``."""
    n = m.Notification
    won = db.session.execute(
        update(n)
        .where(
            n.id.in_(set(ids)),
            or_(
                (n.status == m.PENDING)
                & or_(n.next_attempt_at.is_(None), n.next_attempt_at <= now),
                (n.status == m.DELIVERING) & (n.claimed_until < now),
            ),
        )
        .values(status=m.DELIVERING, claimed_until=until)
        .returning(n.id)
        .execution_options(synchronize_session=False)
    ).scalars()
    return sorted(won)


def release(notification: m.Notification, when: datetime) -> None:
    """Back to pending, due at ``when`` (throttled, told to wait, or not tried in time)."""
    notification.status = m.PENDING
    notification.next_attempt_at = when
    notification.claimed_until = None


def await_receipt(notification: m.Notification, now: datetime, timeout_seconds: float) -> None:
    notification.status = m.AWAITING_RECEIPT
    notification.receipt_due_at = now + timedelta(seconds=timeout_seconds)
    notification.claimed_until = None


def delivered(notification: m.Notification, channel: str, now: datetime) -> None:
    scrub_secrets(notification)
    notification.status = m.DELIVERED
    notification.delivered_at = now
    notification.delivered_channel = channel
    notification.receipt_due_at = None


def give_up(notification: m.Notification) -> None:
    """Every channel of the chain tried: failed."""
    notification.status = m.FAILED
    notification.claimed_until = None
    scrub_secrets(notification)
    log.warning("notification_failed_all_channels", extra={"notification": notification.id})


def advance(notification: m.Notification) -> None:
    """Move on to the next channel in the chain (still claimed: delivering, else pending)."""
    notification.chain_index += 1
    notification.tries_on_channel = 0
    notification.receipt_due_at = None
    notification.next_attempt_at = utcnow()
    notification.status = m.DELIVERING if notification.claimed_until else m.PENDING


def receipt_overdue(notification: m.Notification, now: datetime) -> None:
    """No receipt in time: the last attempt failed ("no_receipt"), on to the next channel."""
    attempt = notification.attempts[-1] if notification.attempts else None
    if attempt is not None and attempt.status == m.SENT:
        attempt.status, attempt.error_code, attempt.failed_at = (
            m.TEMPORARY_FAILURE,
            "no_receipt",
            now,
        )
    advance(notification)


def receipt(
    notification: m.Notification,
    attempt: m.DeliveryAttempt,
    was_delivered: bool,
    error_code: str | None,
    now: datetime,
) -> bool:
    """Apply a provider's receipt to a locked attempt; True when the notification moved on to
    its next channel (the caller hands it to the workers after committing)."""
    if attempt.status in (m.ATTEMPT_DELIVERED, m.PERMANENT_FAILURE):
        return False  # a receipt delivered twice changes nothing
    if was_delivered:
        attempt.status, attempt.delivered_at = m.ATTEMPT_DELIVERED, now
        if notification.status != m.DELIVERED:
            delivered(notification, attempt.channel, now)
        return False
    attempt.status, attempt.failed_at, attempt.error_code = m.PERMANENT_FAILURE, now, error_code
    if notification.status == m.AWAITING_RECEIPT:
        advance(notification)
        return True
    return False


def scrub_secrets(notification: m.Notification) -> None:
    # A one-time code is useless once delivered or given up, and must not linger in the DB.
    if notification.event in SECRET_EVENTS:
        notification.params = {}
