"""Delivering notifications a batch at a time: claim, pick the channel, record the attempts,
call the providers with no database transaction open, record the outcomes, fall back along
the chain.

Each step is one or two statements for the whole batch, not per notification, and the
provider calls run on a small thread pool, so a worker spends its time sending, not waiting.
Messages to the same address are sent one after the other, in the order of the events.

Exactly-once towards providers: an attempt is recorded as "sending" before the call. If the
worker dies during the call, or the call's outcome is unknown (a time-out or a reset after
the request left, a 5xx), the next try reuses that attempt and its reference, which the
providers that support it (ZNS tracking_id, SMS request id, email Message-ID) use to drop the
duplicate; only a clear refusal opens a new attempt. Each outcome is committed as soon as its
call returns, so a crash repeats at most the calls then in flight; an attempt recorded as sent
is never sent again. States only move forward: a receipt that arrives before its round is
recorded is kept (delivered stays delivered).

Commits on its own: claims and outcomes are committed around the provider calls, which run with
no transaction open.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import queue
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import delete, select

from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.profile.models import Device
from push.channels import registry, throttle
from push.channels.base import Outcome, SendResult
from push.channels.protocol import Reach, Rendered
from push.notifications import metrics, state
from push.notifications import models as m
from push.notifications.claims import CLAIM, ClaimRenewal, claim  # noqa: F401 (CLAIM: read by tests)
from push.notifications.queueing import enqueue_delivery
from push.notifications.reaching import mark_chat_blocked, reaches_of
from push.notifications.templates import render

log = logging.getLogger(__name__)

# A batch starts no provider call after this long (slow providers: the rest goes back to the
# queue), so a delivery job ends well within its rq time-out (api.kernel.jobs.DEFAULT_TIMEOUT); its
# claims are renewed while it runs (push.notifications.claims): no other worker takes what it still sends.
SEND_BUDGET_SECONDS = 120.0
MAX_TRIES_PER_CHANNEL = 3
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10))


@dataclass
class Send:
    """One provider call, prepared while the database was open."""

    notification_id: int
    attempt_id: int
    channel: str
    reach: Reach
    message: Rendered
    event: str

    @property
    def address(self) -> tuple:
        return (self.channel, *self.reach.key())


@dataclass
class Sent:
    send: Send
    route: str
    result: SendResult | None  # None: not tried, the batch's time was up
    seconds: float = 0.0  # the provider's answer time


class _Run:
    """What one deliver_batch call did: counts, and notifications to try again later."""

    def __init__(self) -> None:
        self.deadline = time.monotonic() + SEND_BUDGET_SECONDS
        self.counts: Counter[str] = Counter()
        self.later: dict[int, list[int]] = defaultdict(list)  # whole seconds → ids

    def count(self, outcome: str, channel: str) -> None:
        self.counts[outcome] += 1
        metrics.DELIVERIES.labels(channel, outcome).inc()

    def retry(self, notification_id: int, when: datetime, now: datetime) -> None:
        seconds = max(1, math.ceil((as_utc(when) - now).total_seconds()))
        self.later[seconds].append(notification_id)


def deliver_batch(notification_ids: list[int]) -> dict[str, int]:
    """One step for each notification: loops along the chain while channels refuse at once."""
    run = _Run()
    owned = claim(notification_ids)
    run.counts["skipped"] += len(set(notification_ids)) - len(owned)
    renewing = ClaimRenewal(owned) if owned else None
    try:
        while owned:
            if time.monotonic() > run.deadline:
                _put_back(owned, run)
                break
            owned = _deliver_round(owned, run)
    finally:
        if renewing:
            renewing.stop()
    for seconds, ids in run.later.items():
        # Throttled or told to wait: back in the queue at that time, not at the next sweep.
        enqueue_delivery(ids, delay=seconds)
    return dict(run.counts)


def _deliver_round(ids: list[int], run: _Run) -> list[int]:
    """Send each owned notification on its current channel; returns those that moved on to
    their next channel and should be tried again now."""
    now = utcnow()
    ready: list[m.Notification] = []
    by_channel: dict[str, list[m.Notification]] = defaultdict(list)
    for notification in _load(ids):
        if notification.chain_index >= len(notification.chain):
            state.give_up(notification)
            run.count("failed", _channel(notification))
        else:
            by_channel[notification.chain[notification.chain_index]].append(notification)
    for channel, group in by_channel.items():
        granted, wait = throttle.take_many(channel, len(group))
        for notification in group[granted:]:
            state.release(notification, now + timedelta(seconds=wait))
            run.retry(notification.id, notification.next_attempt_at, now)
            run.count("throttled", channel)
        ready += group[:granted]
    sends = _prepare(ready)
    db.session.commit()
    db.session.close()  # no connection is held while the providers answer
    return _send_and_record(sends, run)


def _load(ids: Iterable[int], lock: bool = False) -> list[m.Notification]:
    query = (
        select(m.Notification)
        .where(m.Notification.id.in_(list(ids)))
        .order_by(m.Notification.id)  # the same order everywhere: no deadlocks
        .execution_options(populate_existing=True)
    )
    return list(db.session.scalars(query.with_for_update() if lock else query))


def _prepare(ready: list[m.Notification]) -> list[Send]:
    """Reach and an attempt ("sending", reused after a crash) for each notification."""
    if not ready:
        return []
    reach = reaches_of(ready)
    attempts = _open_attempts(ready)
    db.session.flush()  # attempt ids are the providers' references
    return [
        Send(
            n.id,
            attempts[n.id].id,
            n.chain[n.chain_index],
            reach[n.id],
            render(n.event, n.language, n.params),
            n.event,
        )
        for n in ready
    ]


def _open_attempts(ready: list[m.Notification]) -> dict[int, m.DeliveryAttempt]:
    channel_of = {n.id: n.chain[n.chain_index] for n in ready}
    found: dict[int, m.DeliveryAttempt] = {}
    for attempt in db.session.scalars(
        select(m.DeliveryAttempt).where(
            m.DeliveryAttempt.notification_id.in_(list(channel_of)),
            m.DeliveryAttempt.status.in_([m.CREATED, m.SENDING]),
        )
    ):
        if channel_of[attempt.notification_id] == attempt.channel:
            found[attempt.notification_id] = attempt
    for nid, channel in channel_of.items():
        if nid not in found:
            found[nid] = m.DeliveryAttempt(notification_id=nid, channel=channel)
            db.session.add(found[nid])
        found[nid].status = m.SENDING
    return found


# ---- provider calls ------------------------------------------------------------------------------

_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
# Only capped channels get a semaphore: a lock shared by a hundred sending threads costs
# more CPU in hand-overs than the sends themselves.
_gates: dict[str, threading.BoundedSemaphore | contextlib.nullcontext] = {}
_gates_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():  # a forked job must not use its parent's
        threads = current_app.extensions["settings"].delivery_threads
        _pool, _pool_pid = ThreadPoolExecutor(threads, "provider-call"), os.getpid()
        _gates.clear()
    return _pool


def _gate(channel: str) -> threading.BoundedSemaphore | contextlib.nullcontext:
    """At most settings.channel_calls(channel) calls in flight on a channel in this process."""
    gate = _gates.get(channel)
    if gate is None:
        settings = current_app.extensions["settings"]
        limit = settings.channel_calls(channel)
        with _gates_lock:
            gate = _gates.setdefault(
                channel,
                threading.BoundedSemaphore(limit)
                if limit < settings.delivery_threads
                else contextlib.nullcontext(),
            )
    return gate


def _send_and_record(sends: list[Send], run: _Run) -> list[int]:
    """Make the round's calls and commit each outcome as soon as it is known (those that come
    back together share a transaction): a crash repeats at most the calls still in flight."""
    if not sends:
        return []
    done: queue.SimpleQueue[Sent] = queue.SimpleQueue()
    _call_providers(sends, run.deadline, done.put)
    again: list[int] = []
    waiting = len(sends)
    while waiting:
        ready = [done.get()]
        with contextlib.suppress(queue.Empty):
            while True:
                ready.append(done.get_nowait())
        waiting -= len(ready)
        again += _record_all(ready, run)
        db.session.close()
    return again


def _call_providers(sends: list[Send], deadline: float, report) -> None:  # noqa: ANN001
    """All the calls of a round; one address's messages in order, addresses in parallel.
    ``report`` gets each Sent as its call returns (from the calling threads)."""
    queues: dict[tuple, list[Send]] = defaultdict(list)
    for send in sends:
        queues[send.address].append(send)
    app = current_app._get_current_object()
    if len(queues) <= 1:
        for q in queues.values():
            _call_in_order(app, q, deadline, report)
        return
    for q in queues.values():
        _executor().submit(_call_in_order, app, q, deadline, report)


def _call_in_order(app: Flask, sends: list[Send], deadline: float, report) -> None:  # noqa: ANN001
    reported = 0
    try:
        with app.app_context():  # adapters read settings; the Zalo token store uses the database
            for send in sends:
                report(_call(send) if time.monotonic() <= deadline else Sent(send, "", None))
                reported += 1
    finally:
        for send in sends[reported:]:  # never leave the recorder waiting
            report(Sent(send, "", None))


def _call(send: Send) -> Sent:
    started = time.perf_counter()
    try:
        with _gate(send.channel):
            route, result = registry.send(
                send.channel,
                send.reach,
                send.message,
                send.event,
                str(send.attempt_id),
                data={"notification_id": str(send.notification_id), "event": send.event},
            )
    except Exception as exc:  # noqa: BLE001 - a bug in one adapter must not lose the message
        log.exception("channel_adapter_error", extra={"channel": send.channel})
        route, result = (
            "",
            SendResult(
                Outcome.TECHNICAL_FAILURE, error_code="adapter_error", detail=type(exc).__name__
            ),
        )
    return Sent(send, route, result, time.perf_counter() - started)


# ---- outcomes ------------------------------------------------------------------------------------


def _record_all(results: list[Sent], run: _Run) -> list[int]:
    """Store these outcomes in one transaction; returns the notifications to try again now.
    The rows are locked first, so a receipt being recorded at the same moment waits for this
    commit and then moves the state forward, never the other way."""
    if not results:
        return []
    notifications = {n.id: n for n in _load([r.send.notification_id for r in results], lock=True)}
    attempts = {
        a.id: a
        for a in db.session.scalars(
            select(m.DeliveryAttempt)
            .where(m.DeliveryAttempt.id.in_([r.send.attempt_id for r in results]))
            .order_by(m.DeliveryAttempt.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    now = utcnow()
    again: list[int] = []
    for sent in results:
        notification = notifications[sent.send.notification_id]
        if sent.result is None:
            # Never sent: its attempt stays "sending" and is reused, with the same reference.
            state.release(notification, now)
            run.retry(notification.id, now, now)
            run.count("not_tried_in_time", sent.send.channel)
            continue
        word = _record(notification, attempts[sent.send.attempt_id], sent, now)
        run.count(word, sent.send.channel)
        metrics.PROVIDER_CALL.labels(sent.send.channel).observe(sent.seconds)
        if word == "sent":
            waited = (now - as_utc(notification.created_at)).total_seconds()
            metrics.TO_PROVIDER.labels(sent.send.channel).observe(max(waited, 0.0))
        if word == "next_channel":
            again.append(notification.id)
        elif word == "retry_later":
            run.retry(notification.id, notification.next_attempt_at, now)
    db.session.commit()
    return again


def _record(
    notification: m.Notification, attempt: m.DeliveryAttempt, sent: Sent, now: datetime
) -> str:
    """Apply one outcome (the caller commits): "sent", "retry_later" or "next_channel"."""
    result, channel = sent.result, sent.send.channel
    attempt.route = sent.route
    if attempt.status in (m.ATTEMPT_DELIVERED, m.PERMANENT_FAILURE):
        return _receipt_came_first(notification, attempt, result, channel, now)
    attempt.provider_message_id = result.provider_message_id
    attempt.error_code = result.error_code
    attempt.detail = (result.detail or "")[:1000]
    if result.invalid_targets:
        db.session.execute(delete(Device).where(Device.target.in_(result.invalid_targets)))
    if result.outcome in (Outcome.ACCEPTED, Outcome.DELIVERED):
        attempt.sent_at = now
        if result.outcome == Outcome.ACCEPTED and registry.expects_receipt(channel, sent.route):
            attempt.status = m.SENT
            timeout = current_app.extensions["settings"].receipt_timeout_seconds
            state.await_receipt(notification, now, timeout)
        else:
            attempt.status = m.ATTEMPT_DELIVERED if result.outcome == Outcome.DELIVERED else m.SENT
            attempt.delivered_at = now if result.outcome == Outcome.DELIVERED else None
            state.delivered(notification, channel, now)
            notification.claimed_until = None
        return "sent"
    attempt.failed_at = now
    if result.outcome == Outcome.TEMPORARY_FAILURE:
        # Unknown outcome: the attempt stays "sending", so the retry carries its reference.
        attempt.status = m.SENDING if outcome_unknown(result) else m.TEMPORARY_FAILURE
        notification.tries_on_channel += 1
        if notification.tries_on_channel < MAX_TRIES_PER_CHANNEL:
            delay = BACKOFF[min(notification.tries_on_channel - 1, len(BACKOFF) - 1)]
            if result.retry_after:
                delay = max(delay, timedelta(seconds=result.retry_after))
            state.release(notification, now + delay)
            return "retry_later"
    else:
        attempt.status = (
            m.PERMANENT_FAILURE
            if result.outcome == Outcome.PERMANENT_FAILURE
            else m.TECHNICAL_FAILURE
        )
        if result.error_code == "blocked":  # a chat that blocked the bot (Telegram says so)
            mark_chat_blocked(channel, notification)
    if attempt.status == m.SENDING:
        attempt.status = m.TEMPORARY_FAILURE  # tries used up: this attempt is over
    state.advance(notification)
    return "next_channel"


def outcome_unknown(result: SendResult) -> bool:
    """A failure after which the provider may still have the message: no answer in time, a
    connection lost after the request left, a 5xx. Only clear refusals are known failures."""
    code = result.error_code or ""
    return result.outcome == Outcome.TEMPORARY_FAILURE and (
        result.unknown or code == "network" or code.startswith("http_5")
    )


def _receipt_came_first(
    notification: m.Notification,
    attempt: m.DeliveryAttempt,
    result: SendResult,
    channel: str,
    now: datetime,
) -> str:
    """The provider's receipt was recorded before this round: keep what it said."""
    attempt.provider_message_id = attempt.provider_message_id or result.provider_message_id
    attempt.sent_at = attempt.sent_at or now
    notification.claimed_until = None
    if attempt.status == m.ATTEMPT_DELIVERED:
        if notification.status != m.DELIVERED:
            state.delivered(notification, channel, now)
        return "sent"
    if notification.status == m.DELIVERED:
        return "sent"
    notification.claimed_until = now  # advance() keeps it claimed: tried again at once
    state.advance(notification)
    return "next_channel"


def _put_back(ids: list[int], run: _Run) -> None:
    """The batch's time is up: what it still owns goes back to the queue, due now."""
    now = utcnow()
    for notification in _load(ids):
        state.release(notification, now)
        run.retry(notification.id, now, now)
        run.count("not_tried_in_time", _channel(notification))
    db.session.commit()


def _channel(notification: m.Notification) -> str:
    """The channel a notification is on, or was last on once its chain is used up."""
    chain = notification.chain
    return chain[min(notification.chain_index, len(chain) - 1)] if chain else "none"
