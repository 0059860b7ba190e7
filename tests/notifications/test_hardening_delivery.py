"""Messages sent twice or left waiting (issue 14): a slow gateway's time-out, an early receipt,
a crash between the provider's answer and its record, a dead worker's claims, a receipt
time-out one sweep late."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.kernel.clock import utcnow
from api.kernel.database import db
from push.channels.registry import Channels
from push.channels.sms import SmsGateway
from push.notifications import claims, dispatch
from push.notifications import models as m
from push.notifications.receipts import record_receipt
from push.notifications.service import notify_chat
from push.notifications.sweeper import sweep
from tests.fakes.sms_gateway import FakeSmsGateway

pytestmark = pytest.mark.usefixtures("app_ctx")


@pytest.fixture
def gateway(app):
    """A fake SMS gateway (idempotent on request_id) and a client that gives up after 0.3 s."""
    with FakeSmsGateway() as fake:
        app.extensions["push_channels"] = Channels(
            sms=SmsGateway(fake.send_url, fake.api_key, fake.brandname, timeout=(2.0, 0.3))
        )
        yield fake
        app.extensions.pop("push_channels", None)


def _texts(*phones: str) -> list[int]:
    rows = [
        notify_chat("sms", phone, "one_time_code", {"code": "123456"}, f"t:{phone}")
        for phone in phones
    ]
    db.session.commit()
    return [row.id for row in rows]


def _due_now(ids: list[int]) -> None:
    db.session.execute(
        update(m.Notification)
        .where(m.Notification.id.in_(ids))
        .values(next_attempt_at=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()


def _wait_for(condition, seconds: float = 5.0) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while not condition() and time.monotonic() < end:
        time.sleep(0.02)


def _notification(nid: int) -> m.Notification:
    db.session.expire_all()
    return db.session.get(m.Notification, nid)


def test_a_send_that_timed_out_is_retried_with_the_same_reference(gateway):
    """The gateway took the message but answered after the client's time-out: the retry
    carries the same request id, so the gateway drops it and the phone gets one SMS."""
    [nid] = _texts("84912345001")
    gateway.hold = 0.8
    assert dispatch.deliver_batch([nid]) == {"skipped": 0, "retry_later": 1}
    attempt = _notification(nid).attempts[-1]
    assert attempt.status == m.SENDING and attempt.error_code == "network"
    _wait_for(lambda: len(gateway.sent) == 1)  # the gateway finishes the slow request
    gateway.hold = 0.0
    _due_now([nid])
    assert dispatch.deliver_batch([nid]) == {"skipped": 0, "sent": 1}
    notification = _notification(nid)
    assert len(notification.attempts) == 1  # one attempt, one reference
    assert len(gateway.sent) == 1 and gateway.duplicates == 1


def test_a_clear_refusal_opens_a_new_attempt(gateway):
    from tests.fakes.http_fake import Reply

    [nid] = _texts("84912345002")
    gateway.answer(Reply(429, json={"code": "429", "message": "slow down"}))
    assert dispatch.deliver_batch([nid]) == {"skipped": 0, "retry_later": 1}
    assert _notification(nid).attempts[-1].status == m.TEMPORARY_FAILURE
    _due_now([nid])
    assert dispatch.deliver_batch([nid]) == {"skipped": 0, "sent": 1}
    assert len(_notification(nid).attempts) == 2 and gateway.duplicates == 0


def test_an_early_delivered_receipt_is_not_overwritten(app, gateway, monkeypatch):
    """The receipt is recorded while the worker still waits to record its round: delivered
    stays delivered, and the receipt time-out later sends nothing else."""
    from push.channels import registry as senders

    real_send = senders.send

    def send_then_receipt(channel, reach, message, event, reference, **kwargs):  # noqa: ANN001, ANN202
        answer = real_send(channel, reach, message, event, reference, **kwargs)
        with app.app_context():  # the gateway's callback, committed before our round is
            record_receipt(reference=reference, delivered=True)
        return answer

    monkeypatch.setattr(senders, "send", send_then_receipt)
    [nid] = _texts("84912345003")
    assert dispatch.deliver_batch([nid]) == {"skipped": 0, "sent": 1}
    notification = _notification(nid)
    assert notification.status == m.DELIVERED and notification.receipt_due_at is None
    assert notification.attempts[-1].status == m.ATTEMPT_DELIVERED
    db.session.execute(update(m.Notification).values(receipt_due_at=utcnow() - timedelta(1)))
    db.session.commit()
    assert sweep()["receipt_timeouts"] == 0


def test_an_early_failed_receipt_moves_on_instead_of_waiting(app, gateway, monkeypatch):
    from push.channels import registry as senders

    real_send = senders.send

    def send_then_failed(channel, reach, message, event, reference, **kwargs):  # noqa: ANN001, ANN202
        answer = real_send(channel, reach, message, event, reference, **kwargs)
        with app.app_context():
            record_receipt(reference=reference, delivered=False, error_code="UNDELIVERABLE")
        return answer

    monkeypatch.setattr(senders, "send", send_then_failed)
    [nid] = _texts("84912345004")
    dispatch.deliver_batch([nid])
    notification = _notification(nid)
    assert notification.attempts[-1].status == m.PERMANENT_FAILURE
    assert notification.status != m.AWAITING_RECEIPT  # moved on (here: no channel left)


def test_each_outcome_is_committed_as_soon_as_its_call_returns(gateway, monkeypatch):
    """A crash while recording a slow call's outcome loses only that one: the fast call's
    outcome was already committed, so only the slow one is sent again (with its reference)."""
    fast, slow = _texts("84912345005", "84912345006")
    gateway.hold_for = {"84912345006": 0.2}  # answers in time, after the fast one
    real_record = dispatch._record

    def crash_on_slow(notification, *args):  # noqa: ANN001, ANN002, ANN202
        if notification.id == slow:
            raise KeyboardInterrupt("worker killed")
        return real_record(notification, *args)

    monkeypatch.setattr(dispatch, "_record", crash_on_slow)
    with pytest.raises(KeyboardInterrupt):
        dispatch.deliver_batch([fast, slow])
    monkeypatch.setattr(dispatch, "_record", real_record)
    db.session.rollback()
    assert _notification(fast).status == m.AWAITING_RECEIPT
    assert _notification(slow).status == m.DELIVERING
    # The dead worker's claim ends; the sweeper hands the rest to another worker.
    db.session.execute(
        update(m.Notification)
        .where(m.Notification.status == m.DELIVERING)
        .values(claimed_until=utcnow() - timedelta(seconds=1))
    )
    db.session.commit()
    gateway.hold_for = {}
    assert dispatch.deliver_batch([fast, slow]) == {"skipped": 1, "sent": 1}
    assert len(gateway.sent) == 2 and gateway.duplicates == 1


def test_a_live_job_renews_its_claims_and_a_dead_one_s_end_within_a_minute(monkeypatch):
    assert timedelta(minutes=1) >= claims.CLAIM
    [nid] = _texts("84912345007")
    soon = utcnow() + timedelta(seconds=2)
    db.session.execute(update(m.Notification).values(status=m.DELIVERING, claimed_until=soon))
    db.session.commit()
    monkeypatch.setattr(claims, "CLAIM_RENEW_SECONDS", 0.05)

    def claimed_until():  # noqa: ANN202 - read, then end the read (SQLite: no lock held)
        value = _notification(nid).claimed_until
        db.session.rollback()
        return value

    renewal = claims.ClaimRenewal([nid])
    try:
        _wait_for(lambda: claimed_until() > soon + timedelta(seconds=30))
    finally:
        renewal.stop()
    assert claimed_until() > soon + timedelta(seconds=30)
    # What the job has recorded (no claim any more) is not claimed again.
    db.session.execute(update(m.Notification).values(claimed_until=None))
    db.session.commit()
    assert claims.renew_claims([nid]) == 0


def test_a_receipt_time_out_moves_on_in_the_same_sweep(app):
    from rq import Queue

    [nid] = _texts("84912345008")
    db.session.execute(
        update(m.Notification).values(
            status=m.AWAITING_RECEIPT, receipt_due_at=utcnow() - timedelta(seconds=1)
        )
    )
    db.session.commit()
    counts = sweep()
    assert counts["receipt_timeouts"] == 1 and counts["enqueued"] == 1
    queue = Queue("default", connection=app.extensions["redis"])
    assert [job.args[0] for job in queue.get_jobs()] == [[nid]]
    assert db.session.scalar(select(m.Notification.status)) == m.PENDING


def test_an_unknown_outcome_is_not_failed_over_to_the_other_gateway():
    """The primary took the SMS but answered too late: sending it through the fallback too
    would reach the phone twice. It is retried later, on the same gateway, same reference."""
    import random

    from push.channels.sms import FailoverSms

    with FakeSmsGateway() as primary, FakeSmsGateway() as backup:
        sms = FailoverSms(
            SmsGateway(primary.send_url, primary.api_key, primary.brandname, timeout=(2.0, 0.2)),
            SmsGateway(backup.send_url, backup.api_key, backup.brandname, timeout=(2.0, 0.2)),
            primary_weight=0.9,
            rng=random.Random(0),  # first draw < 0.9: the primary
        )
        primary.hold = 0.5
        first = sms.send("0912345678", "Thông báo", "attempt-9")
        assert first.unknown and backup.requests == []
        _wait_for(lambda: len(primary.sent) == 1)
        primary.hold = 0.0
        sms._rng = random.Random(2)  # a draw of 0.96: the fallback, were it not remembered ...
        again = sms.send("0912345678", "Thông báo", "attempt-9")
        assert again.ok and backup.requests == []  # ... the same gateway is asked again
        assert len(primary.sent) == 1 and primary.duplicates == 1
