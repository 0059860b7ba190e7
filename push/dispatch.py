"""Delivering notifications: claim, pick the channel, record the attempt, call the provider
with no database transaction open, record the outcome, fall back along the chain.

Exactly-once towards providers: an attempt is recorded as "sending" before the call. If the
worker dies during the call, the next try reuses that attempt and its reference, which the
providers that support it (ZNS tracking_id, SMS request id, email Message-ID) use to drop the
duplicate; an attempt recorded as sent is never sent again.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, or_, select, update

from api.auth.models import Account
from api.clock import utcnow
from api.extensions import db
from api.notifications import models as m
from api.notifications.service import reach_of
from api.profile.models import ChatIdentity, Device
from push import senders, throttle
from push.chain import Reach
from push.channels.base import Outcome, SendResult
from push.templates import render

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
MAX_TRIES_PER_CHANNEL = 3
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))


def deliver_batch(notification_ids: list[int]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for nid in notification_ids:
        outcome = deliver_one(nid)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def _claim(nid: int) -> bool:
    now = utcnow()
    won = db.session.execute(
        update(m.Notification)
        .where(
            m.Notification.id == nid,
            or_(
                (m.Notification.status == m.PENDING)
                & or_(
                    m.Notification.next_attempt_at.is_(None), m.Notification.next_attempt_at <= now
                ),
                (m.Notification.status == m.DELIVERING) & (m.Notification.claimed_until < now),
            ),
        )
        .values(status=m.DELIVERING, claimed_until=now + CLAIM)
    ).rowcount
    db.session.commit()
    return bool(won)


def _reach(notification: m.Notification) -> Reach:
    if notification.account_id is not None:
        return reach_of(db.session.get(Account, notification.account_id))
    if notification.chat_channel == "sms":
        return Reach(phone=notification.chat_id)
    if notification.chat_channel == "email":
        return Reach(email=notification.chat_id)
    if notification.chat_channel == "telegram":
        return Reach(telegram_chat_id=notification.chat_id)
    if notification.chat_channel == "zalo":
        chat = db.session.scalar(
            select(ChatIdentity).where(
                ChatIdentity.channel == "zalo", ChatIdentity.external_id == notification.chat_id
            )
        )
        return Reach(
            zalo_user_id=notification.chat_id,
            zalo_last_interaction=chat.last_interaction_at if chat else utcnow(),
        )
    return Reach()


def deliver_one(nid: int) -> str:
    """One step for one notification; loops along the chain while channels refuse at once."""
    if not _claim(nid):
        return "skipped"
    while True:
        notification = db.session.get(m.Notification, nid)
        if notification.chain_index >= len(notification.chain):
            notification.status = m.FAILED
            notification.claimed_until = None
            _scrub_secrets(notification)
            db.session.commit()
            log.warning("notification_failed_all_channels", extra={"notification": nid})
            return "failed"
        channel = notification.chain[notification.chain_index]
        wait = throttle.take(channel)
        if wait:
            _release(notification, utcnow() + timedelta(seconds=wait))
            return "throttled"
        attempt = db.session.scalar(
            select(m.DeliveryAttempt).where(
                m.DeliveryAttempt.notification_id == nid,
                m.DeliveryAttempt.channel == channel,
                m.DeliveryAttempt.status.in_([m.CREATED, m.SENDING]),
            )
        )
        if attempt is None:
            attempt = m.DeliveryAttempt(notification_id=nid, channel=channel)
            db.session.add(attempt)
        attempt.status = m.SENDING
        reach = _reach(notification)
        message = render(notification.event, notification.language, notification.params)
        event, reference = notification.event, None
        db.session.flush()
        reference = str(attempt.id)
        attempt_id = attempt.id
        db.session.commit()
        db.session.close()  # no connection is held while the provider answers

        try:
            route, result = senders.send(
                channel,
                reach,
                message,
                event,
                reference,
                data={"notification_id": str(nid), "event": event},
            )
        except Exception as exc:  # noqa: BLE001 - a bug in one adapter must not lose the message
            log.exception("channel_adapter_error", extra={"channel": channel})
            route, result = (
                "",
                SendResult(
                    Outcome.TECHNICAL_FAILURE, error_code="adapter_error", detail=type(exc).__name__
                ),
            )
        done = _record(nid, attempt_id, channel, route, result)
        if done is not None:
            return done


def _release(notification: m.Notification, when) -> None:  # noqa: ANN001
    notification.status = m.PENDING
    notification.next_attempt_at = when
    notification.claimed_until = None
    db.session.commit()


def _record(nid: int, attempt_id: int, channel: str, route: str, result: SendResult) -> str | None:
    """Store the outcome. Returns a final word for this run, or None to try the next channel."""
    now = utcnow()
    notification = db.session.get(m.Notification, nid)
    attempt = db.session.get(m.DeliveryAttempt, attempt_id)
    attempt.route = route
    attempt.provider_message_id = result.provider_message_id
    attempt.error_code = result.error_code
    attempt.detail = (result.detail or "")[:1000]
    if result.invalid_targets:
        db.session.execute(delete(Device).where(Device.target.in_(result.invalid_targets)))
    if result.outcome in (Outcome.ACCEPTED, Outcome.DELIVERED):
        attempt.sent_at = now
        if result.outcome == Outcome.ACCEPTED and (channel, route) in senders.RECEIPT_ROUTES:
            attempt.status = m.SENT
            notification.status = m.AWAITING_RECEIPT
            timeout = current_app.extensions["settings"].receipt_timeout_seconds
            notification.receipt_due_at = now + timedelta(seconds=timeout)
        else:
            attempt.status = m.ATTEMPT_DELIVERED if result.outcome == Outcome.DELIVERED else m.SENT
            attempt.delivered_at = now if result.outcome == Outcome.DELIVERED else None
            _delivered(notification, channel, now)
        notification.claimed_until = None
        db.session.commit()
        return "sent"
    attempt.failed_at = now
    if result.outcome == Outcome.TEMPORARY_FAILURE:
        attempt.status = m.TEMPORARY_FAILURE
        notification.tries_on_channel += 1
        if notification.tries_on_channel < MAX_TRIES_PER_CHANNEL:
            delay = BACKOFF[min(notification.tries_on_channel - 1, len(BACKOFF) - 1)]
            if result.retry_after:
                delay = max(delay, timedelta(seconds=result.retry_after))
            _release(notification, now + delay)
            return "retry_later"
    else:
        attempt.status = (
            m.PERMANENT_FAILURE
            if result.outcome == Outcome.PERMANENT_FAILURE
            else m.TECHNICAL_FAILURE
        )
        if channel == "telegram" and result.error_code == "blocked":
            _mark_chat_blocked("telegram", notification)
    advance(notification)
    db.session.commit()
    return None


def _scrub_secrets(notification: m.Notification) -> None:
    # A one-time code is useless once delivered or given up, and must not linger in the DB.
    if notification.event == "one_time_code":
        notification.params = {}


def _delivered(notification: m.Notification, channel: str, now) -> None:  # noqa: ANN001
    _scrub_secrets(notification)
    notification.status = m.DELIVERED
    notification.delivered_at = now
    notification.delivered_channel = channel
    notification.receipt_due_at = None


def advance(notification: m.Notification) -> None:
    """Move on to the next channel in the chain (the caller commits)."""
    notification.chain_index += 1
    notification.tries_on_channel = 0
    notification.receipt_due_at = None
    notification.next_attempt_at = utcnow()
    notification.status = m.DELIVERING if notification.claimed_until else m.PENDING


def _mark_chat_blocked(channel: str, notification: m.Notification) -> None:
    condition = [ChatIdentity.channel == channel]
    if notification.account_id is not None:
        condition.append(ChatIdentity.account_id == notification.account_id)
    else:
        condition.append(ChatIdentity.external_id == notification.chat_id)
    db.session.execute(update(ChatIdentity).where(*condition).values(blocked_at=utcnow()))
