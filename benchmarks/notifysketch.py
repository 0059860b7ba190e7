"""A set-based deliver_batch: the fix proposed by the notify part, measured in-process only.

push.dispatch.deliver_one spends ~11 statements and 3 COMMITs on each notification, one
after the other, then waits for the provider. This sketch does the same work per batch:

1. claim every due notification of the batch in one UPDATE ... RETURNING;
2. one quota take per channel (INCRBY n); reach (accounts, devices, chats) in three queries;
   reuse or create the attempts in two statements; one COMMIT, before any provider call;
3. provider calls on a small thread pool (no database connection held), as today's adapters;
4. the accepted outcomes recorded in two executemany UPDATEs and one COMMIT.

Anything off the common path (chat recipients, the end of a chain, throttled, a failed send)
is handed back to push.dispatch one by one, so its rules stay in one place. Exactly-once holds
as today: the attempt (and so the provider reference) is committed as "sending" before the
call. NOT production code: it is only what the measurement needs.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import insert, or_, select, update

from api.auth.models import Account
from api.clock import utcnow
from api.extensions import db
from api.notifications import models as m
from api.profile.models import ChatIdentity, Device
from push import dispatch, senders
from push.chain import Reach
from push.channels.base import Outcome, SendResult
from push.templates import render

THREADS = 8


def _claim(ids: list[int]) -> list[Any]:
    now = utcnow()
    n = m.Notification
    return db.session.execute(
        update(n)
        .where(
            n.id.in_(ids),
            or_(
                (n.status == m.PENDING)
                & or_(n.next_attempt_at.is_(None), n.next_attempt_at <= now),
                (n.status == m.DELIVERING) & (n.claimed_until < now),
            ),
        )
        .values(status=m.DELIVERING, claimed_until=now + dispatch.CLAIM)
        .returning(n.id, n.account_id, n.chain, n.chain_index, n.event, n.language, n.params)
    ).all()


def _reaches(account_ids: set[int]) -> dict[int, Reach]:
    reach = {
        a.id: Reach(phone=a.phone, email=a.email)
        for a in db.session.execute(
            select(Account.id, Account.phone, Account.email).where(Account.id.in_(account_ids))
        )
    }
    for account_id, target in db.session.execute(
        select(Device.account_id, Device.target).where(Device.account_id.in_(account_ids))
    ):
        reach[account_id].device_tokens.append(target)
    for chat in db.session.scalars(
        select(ChatIdentity).where(
            ChatIdentity.account_id.in_(account_ids), ChatIdentity.blocked_at.is_(None)
        )
    ):
        target = reach[chat.account_id]
        if chat.channel == "zalo":
            target.zalo_user_id, target.zalo_last_interaction = (
                chat.external_id,
                chat.last_interaction_at,
            )
        elif chat.channel == "telegram":
            target.telegram_chat_id = chat.external_id
    return reach


def _take(channel: str, wanted: int) -> int:
    """Slots granted now out of ``wanted``, from push.throttle's per-second counter."""
    settings = current_app.extensions["settings"]
    key = f"throttle:{channel}:{int(time.time())}"
    pipe = current_app.extensions["redis"].pipeline()
    pipe.incrby(key, wanted)
    pipe.expire(key, 2)
    count, _ = pipe.execute()
    return max(0, min(wanted, settings.channel_rate_per_second - (count - wanted)))


def _attempts(rows: list[Any]) -> dict[int, int]:
    """notification id → its attempt id on the current channel, created where missing."""
    a = m.DeliveryAttempt
    channel_of = {r.id: r.chain[r.chain_index] for r in rows}
    found = {
        nid: aid
        for aid, nid, channel in db.session.execute(
            select(a.id, a.notification_id, a.channel).where(
                a.notification_id.in_(channel_of), a.status.in_([m.CREATED, m.SENDING])
            )
        )
        if channel_of[nid] == channel
    }
    if found:
        db.session.execute(update(a).where(a.id.in_(found.values())).values(status=m.SENDING))
    new = [
        {"notification_id": nid, "channel": ch, "status": m.SENDING}
        for nid, ch in channel_of.items()
        if nid not in found
    ]
    if new:
        found |= dict(
            (nid, aid)
            for aid, nid in db.session.execute(insert(a).returning(a.id, a.notification_id), new)
        )
    return found


def _send(app: Any, job: tuple) -> tuple[str, SendResult]:
    channel, reach, message, event, reference, nid = job
    with app.app_context():
        try:
            return senders.send(
                channel,
                reach,
                message,
                event,
                reference,
                data={"notification_id": str(nid), "event": event},
            )
        except Exception as exc:  # noqa: BLE001 - as push.dispatch: never lose the message
            return "", SendResult(
                Outcome.TECHNICAL_FAILURE, error_code="adapter_error", detail=type(exc).__name__
            )


def _record_accepted(done: list[tuple[Any, int, str, str, SendResult]]) -> None:
    now = utcnow()
    timeout = timedelta(seconds=current_app.extensions["settings"].receipt_timeout_seconds)
    attempts, notifications = [], []
    for row, attempt_id, channel, route, result in done:
        waits = result.outcome == Outcome.ACCEPTED and (channel, route) in senders.RECEIPT_ROUTES
        delivered = result.outcome == Outcome.DELIVERED
        attempts.append(
            {
                "id": attempt_id,
                "route": route,
                "provider_message_id": result.provider_message_id,
                "detail": (result.detail or "")[:1000],
                "sent_at": now,
                "status": m.ATTEMPT_DELIVERED if delivered else m.SENT,
                "delivered_at": now if delivered else None,
            }
        )
        note = {"id": row.id, "claimed_until": None}
        if waits:
            note |= {"status": m.AWAITING_RECEIPT, "receipt_due_at": now + timeout}
        else:
            note |= {
                "status": m.DELIVERED,
                "delivered_at": now,
                "delivered_channel": channel,
                "receipt_due_at": None,
            }
            if row.event == "one_time_code":
                note["params"] = {}
        notifications.append(note)
    db.session.execute(update(m.DeliveryAttempt), attempts)
    db.session.execute(update(m.Notification), notifications)


def deliver_batch_set_based(ids: list[int]) -> dict[str, int]:
    counts: Counter = Counter()
    rows = _claim(ids)
    counts["skipped"] += len(ids) - len(rows)
    fast = [r for r in rows if r.account_id is not None and r.chain_index < len(r.chain)]
    by_channel: dict[str, list[Any]] = {}
    for row in fast:
        by_channel.setdefault(row.chain[row.chain_index], []).append(row)
    granted = []
    for channel, items in by_channel.items():
        granted += items[: _take(channel, len(items))]
    granted_ids = {r.id for r in granted}
    back = [r.id for r in rows if r.id not in granted_ids]  # the per-item path decides these
    reach = _reaches({r.account_id for r in granted}) if granted else {}
    attempt_of = _attempts(granted) if granted else {}
    if back:
        db.session.execute(
            update(m.Notification)
            .where(m.Notification.id.in_(back))
            .values(status=m.PENDING, claimed_until=None)
        )
    db.session.commit()
    db.session.close()  # no connection is held while the providers answer
    app = current_app._get_current_object()
    jobs = [
        (
            r.chain[r.chain_index],
            reach[r.account_id],
            render(r.event, r.language, r.params),
            r.event,
            str(attempt_of[r.id]),
            r.id,
        )
        for r in granted
    ]
    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(lambda job: _send(app, job), jobs))
    done, failed = [], []
    for row, job, (route, result) in zip(granted, jobs, results, strict=True):
        target = done if result.ok else failed
        target.append((row, attempt_of[row.id], job[0], route, result))
    if done:
        _record_accepted(done)
        db.session.commit()
        counts["sent"] += len(done)
    for row, attempt_id, channel, route, result in failed:  # the existing rules, one by one
        outcome = dispatch._record(row.id, attempt_id, channel, route, result)
        if outcome is None:
            db.session.execute(
                update(m.Notification)
                .where(m.Notification.id == row.id)
                .values(status=m.PENDING, claimed_until=None)
            )
            db.session.commit()
            back.append(row.id)
        else:
            counts[outcome] += 1
    for nid in back:
        counts[dispatch.deliver_one(nid)] += 1
    return dict(counts)
