"""The notification pipeline end to end: a status change reaches the citizen on the channel
they chose, falls back when a channel fails, survives Redis and worker failures, and every
message reaches a provider that accepted it exactly once."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from urllib3.util.retry import Retry

from api.auth.models import Account
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.profile.models import ChatIdentity, Device, NotificationPreference
from push.channels.email import SmtpMailer
from push.channels.fcm import FcmChannel
from push.channels.registry import Channels
from push.channels.sms import FailoverSms, SmsGateway
from push.channels.telegram import TelegramClient
from push.channels.zalo import InMemoryTokenStore, ZaloClient, initial_tokens
from push.notifications import dispatch
from push.notifications import models as m
from push.notifications.sweeper import sweep
from tests.fakes.fcm_api import FakeFcmApi
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.fakes.smtp_server import FakeSmtpServer
from tests.fakes.telegram_api import TOKEN, FakeTelegramApi, blocked
from tests.fakes.zalo_api import FakeZaloApi
from tests.helpers.dossiers import CODE, OWNER_ID, RECORD, push

SECOND_GW_KEY = "sms-test-key"


@pytest.fixture
def fakes(app):
    with (
        FakeSmsGateway() as sms,
        FakeSmsGateway() as sms2,
        FakeFcmApi() as fcm,
        FakeTelegramApi() as tg,
        FakeZaloApi() as zalo,
        FakeSmtpServer() as smtp,
    ):
        zalo_client = ZaloClient(
            zalo.url,
            zalo.url,
            zalo.url,
            zalo.app_id,
            zalo.app_secret,
            InMemoryTokenStore(initial_tokens("rt-0")),
        )
        app.extensions["push_channels"] = Channels(
            app=FcmChannel(
                "dvc-test", fcm_url=fcm.url, retries=Retry(total=0, raise_on_status=False)
            ),
            sms=SmsGateway(sms.send_url, sms.api_key, sms.brandname),
            email=SmtpMailer(smtp.host, smtp.port, "", "", "none", "thongbao@dvc.example.vn"),
            telegram=TelegramClient(tg.url, TOKEN),
            zalo=zalo_client,
            zns_templates={"status_changed": "tpl-status", "result_ready": "tpl-result"},
        )
        yield {"sms": sms, "sms2": sms2, "fcm": fcm, "tg": tg, "zalo": zalo, "smtp": smtp}
        app.extensions.pop("push_channels", None)


@pytest.fixture
def citizen(app):
    """The applicant of CODE, signed up with VNeID, with a phone and an email."""
    with app.app_context():
        account = Account(
            role="citizen",
            assurance="vneid",
            personal_id=OWNER_ID,
            phone="84912345987",
            email="hoa@example.vn",
            full_name="Nguyễn Thị Hoa",
        )
        db.session.add(account)
        db.session.commit()
        return account.id


def prefer(app, account_id, channels):
    with app.app_context():
        db.session.merge(
            NotificationPreference(
                account_id=account_id, channels=channels, events={}, language="vi"
            )
        )
        db.session.commit()


def move_status(client, status: str):
    """The portal says the dossier moved (a later signed time than the last update)."""
    push(client, [{**RECORD, "TrangThaiHoSo": status}])


def run_pipeline(app):
    """What the workers do: events → notifications → delivery (synchronously here)."""
    from push.notifications.fanout import process_pending_events

    with app.app_context():
        ids = process_pending_events()
        dispatch.deliver_batch(ids)
        return ids


def notifications(app):
    with app.app_context():
        rows = db.session.scalars(select(m.Notification).order_by(m.Notification.id)).all()
        for row in rows:
            _ = row.attempts
        db.session.expunge_all()
        return rows


def test_right_channel_by_preference(client, app, fakes, citizen):
    with app.app_context():
        db.session.add(ChatIdentity(account_id=citizen, channel="telegram", external_id="555"))
        db.session.commit()
    prefer(app, citizen, ["telegram", "sms"])
    push(client, [RECORD])
    run_pipeline(app)
    sent = fakes["tg"].sent_messages()
    assert [s["chat_id"] for s in sent] == ["555"] and CODE in sent[0]["text"]
    assert fakes["sms"].sent == []
    rows = notifications(app)
    assert (
        len(rows) == 1 and rows[0].status == "delivered" and rows[0].delivered_channel == "telegram"
    )
    # The in-app inbox shows it too.
    from api.auth.tokens import start_session
    from tests.helpers.common import bearer

    with app.app_context():
        tokens = start_session(db.session.get(Account, citizen), "vneid").as_dict()
        db.session.commit()
    inbox = client.get("/api/v1/me/notifications", headers=bearer(tokens)).json
    assert inbox["unread_count"] == 1 and inbox["items"][0]["title"].startswith(f"Hồ sơ {CODE}")


def test_same_change_twice_notifies_once(client, app, fakes, citizen):
    prefer(app, citizen, ["sms"])
    push(client, [RECORD])
    push(client, [RECORD])
    run_pipeline(app)
    run_pipeline(app)
    assert len(fakes["sms"].sent) == 1 and len(notifications(app)) == 1


def test_unregistered_push_token_removed_then_next_channel(client, app, fakes, citizen):
    with app.app_context():
        db.session.add(
            Device(
                account_id=citizen,
                target="token-gone-000000",
                target_type="fcm_token",
                platform="android",
            )
        )
        db.session.commit()
    fakes["fcm"].unregistered.add("token-gone-000000")
    prefer(app, citizen, ["app", "email"])
    push(client, [RECORD])
    run_pipeline(app)
    with app.app_context():
        assert db.session.scalar(select(Device)) is None
    assert len(fakes["smtp"].received) == 1
    row = notifications(app)[0]
    assert [a.channel for a in row.attempts] == ["app", "email"]
    assert row.attempts[0].status == "permanent_failure" and row.delivered_channel == "email"
    message = fakes["smtp"].received[0].message
    assert message["Message-ID"] == f"<{row.attempts[1].id}@dvc.example.vn>"


def link_zalo(app, account_id, external_id, last_seen):
    """The citizen's Zalo is linked, last heard from ``last_seen`` ago; Zalo is preferred."""
    with app.app_context():
        db.session.add(
            ChatIdentity(
                account_id=account_id,
                channel="zalo",
                external_id=external_id,
                last_interaction_at=utcnow() - last_seen,
            )
        )
        db.session.commit()
    prefer(app, account_id, ["zalo"])


def test_zalo_outside_window_uses_zns(client, app, fakes, citizen):
    link_zalo(app, citizen, "z-777", last_seen=timedelta(days=10))
    push(client, [RECORD])
    run_pipeline(app)
    assert fakes["zalo"].messages == []
    zns = fakes["zalo"].zns
    row = notifications(app)[0]
    assert (
        len(zns) == 1 and zns[0]["phone"] == "84912345987" and zns[0]["template_id"] == "tpl-status"
    )
    assert zns[0]["tracking_id"] == str(row.attempts[0].id)
    assert row.status == "awaiting_receipt" and row.attempts[0].route == "zns"


def test_zalo_inside_window_uses_oa_then_zns_when_refused(client, app, fakes, citizen):
    link_zalo(app, citizen, "z-1", last_seen=timedelta(hours=1))
    push(client, [RECORD])
    run_pipeline(app)
    assert len(fakes["zalo"].messages) == 1 and fakes["zalo"].zns == []
    assert notifications(app)[0].status == "delivered"
    fakes["zalo"].error_next(-230)  # no interaction in 7 days after all
    move_status(client, "9")
    run_pipeline(app)
    assert len(fakes["zalo"].zns) == 1 and fakes["zalo"].zns[0]["template_id"] == "tpl-result"


def test_sms_gateway_down_fails_over(client, app, fakes, citizen):
    primary = SmsGateway(
        fakes["sms"].send_url, fakes["sms"].api_key, fakes["sms"].brandname, name="primary"
    )
    secondary = SmsGateway(
        fakes["sms2"].send_url, fakes["sms2"].api_key, fakes["sms2"].brandname, name="backup"
    )
    app.extensions["push_channels"].sms = FailoverSms(primary, secondary, primary_weight=1.0)
    fakes["sms"].fail(5, 503)
    prefer(app, citizen, ["sms"])
    push(client, [RECORD])
    run_pipeline(app)
    assert fakes["sms"].sent == [] and len(fakes["sms2"].sent) == 1
    assert "Ho so" in fakes["sms2"].sent[0]["message"] or "Ho so" in json.dumps(
        fakes["sms2"].sent[0]
    )


def test_receipt_then_delivered_and_timeout_falls_back(client, app, fakes, citizen):
    prefer(app, citizen, ["sms", "email"])
    push(client, [RECORD])
    run_pipeline(app)
    row = notifications(app)[0]
    assert row.status == "awaiting_receipt" and fakes["smtp"].received == []
    # No receipt in time: the sweeper moves on to email.
    with app.app_context():
        db.session.execute(
            update(m.Notification).values(receipt_due_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
        sweep()
        dispatch.deliver_batch([row.id])
    row = notifications(app)[0]
    assert row.status == "delivered" and row.delivered_channel == "email"
    assert row.attempts[0].error_code == "no_receipt"


def test_sms_receipt_webhook_marks_delivered(client, app, fakes, citizen):
    import dataclasses

    original = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(original, sms_receipt_token="receipt-secret")
    try:
        prefer(app, citizen, ["sms"])
        push(client, [RECORD])
        run_pipeline(app)
        row = notifications(app)[0]
        receipt = fakes["sms"].receipt(str(row.attempts[0].id))
        assert client.post("/webhooks/sms/receipt", json=receipt).status_code == 401
        ok = client.post(
            "/webhooks/sms/receipt", json=receipt, headers={"X-Receipt-Token": "receipt-secret"}
        )
        assert ok.status_code == 200
        again = client.post(
            "/webhooks/sms/receipt", json=receipt, headers={"X-Receipt-Token": "receipt-secret"}
        )
        assert again.status_code == 200
        row = notifications(app)[0]
        assert row.status == "delivered" and row.attempts[0].status == "delivered"
    finally:
        app.extensions["settings"] = original


def test_blocked_telegram_chat_marked_and_next_channel(client, app, fakes, citizen):
    with app.app_context():
        db.session.add(ChatIdentity(account_id=citizen, channel="telegram", external_id="999"))
        db.session.commit()
    fakes["tg"].fail_next("sendMessage", blocked())
    prefer(app, citizen, ["telegram", "email"])
    push(client, [RECORD])
    run_pipeline(app)
    with app.app_context():
        assert db.session.scalar(select(ChatIdentity.blocked_at)) is not None
    assert len(fakes["smtp"].received) == 1


def test_worker_killed_mid_batch_delivers_each_once(client, app, fakes, monkeypatch):
    """Three citizens follow; the worker dies after the provider accepted the messages and
    while recording the second outcome. Outcomes are committed as they come back, so what was
    committed before the crash stays sent; the rest stays "sending". After the claims expire,
    the sweeper redelivers those: the same attempts and references are used, so the provider
    (idempotent on request_id) keeps one message each."""
    with app.app_context():
        for n in range(3):
            db.session.add(
                Account(
                    role="citizen",
                    assurance="vneid",
                    personal_id=OWNER_ID if n == 0 else f"00109000000{n}",
                    phone=f"8491234500{n}",
                )
            )
        db.session.commit()
        ids = [a.id for a in db.session.scalars(select(Account))]
    for account_id in ids:
        prefer(app, account_id, ["sms"])
    push(client, [RECORD])
    from api.dossiers.models import Dossier, DossierFollow
    from push.notifications.fanout import process_pending_events

    with app.app_context():
        process_pending_events()  # the first status, before the relatives follow
        dossier_id = db.session.scalar(select(Dossier.id))
        for account_id in ids[1:]:
            db.session.add(DossierFollow(dossier_id=dossier_id, account_id=account_id))
        db.session.commit()
    move_status(client, "9")
    with app.app_context():
        made = process_pending_events()
        # The result notifications (the owner's rating invitation is another story).
        notification_ids = list(
            db.session.scalars(
                select(m.Notification.id).where(
                    m.Notification.id.in_(made), m.Notification.event == "result_ready"
                )
            )
        )
    assert len(notification_ids) == 3
    real_record = dispatch._record
    calls = {"n": 0}

    def dying_record(*args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("worker killed")
        return real_record(*args)

    monkeypatch.setattr(dispatch, "_record", dying_record)
    with app.app_context(), pytest.raises(KeyboardInterrupt):
        dispatch.deliver_batch(notification_ids)
    monkeypatch.setattr(dispatch, "_record", real_record)
    with app.app_context():
        db.session.rollback()
        stuck = db.session.scalars(
            select(m.Notification).where(m.Notification.status == "delivering")
        ).all()
        assert 1 <= len(stuck) <= 3 and all(n.attempts[-1].status == "sending" for n in stuck)
        recorded = (
            db.session.scalar(
                select(func.count()).where(
                    m.Notification.id.in_(notification_ids),
                    m.Notification.status == "awaiting_receipt",
                )
            )
            or 0
        )
        assert recorded + len(stuck) == 3
        assert len(fakes["sms"].sent) == 3
        db.session.execute(
            update(m.Notification)
            .values(claimed_until=utcnow() - timedelta(seconds=1))
            .where(m.Notification.status == "delivering")
        )
        db.session.commit()
        sweep()
        dispatch.deliver_batch(notification_ids)
    phones = sorted(s["phone"] for s in fakes["sms"].sent)
    assert len(phones) == len(set(phones)) == len(notification_ids)
    # The retried attempts reached the gateway with their old references; the recorded ones
    # were not sent again.
    assert fakes["sms"].duplicates == len(stuck)
    with app.app_context():
        rows = db.session.scalars(
            select(m.Notification).where(m.Notification.id.in_(notification_ids))
        )
        assert all(n.status == "awaiting_receipt" for n in rows)


@pytest.mark.redis
def test_redis_outage_during_status_change_delivered_after(client, app, fakes, citizen, tmp_path):
    """A real Redis process stops while the status change arrives: the change and its event are
    committed, the enqueue fails (logged), and once Redis is back the sweeper delivers it."""
    import shutil
    import socket
    import subprocess

    import redis

    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    start = [
        "redis-server",
        "--port",
        str(port),
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(tmp_path),
    ]
    server = subprocess.Popen(start, stdout=subprocess.DEVNULL)
    connection = redis.Redis(port=port, socket_connect_timeout=0.5, socket_timeout=0.5)
    for _ in range(50):
        try:
            connection.ping()
            break
        except redis.RedisError:
            time.sleep(0.05)
    original = app.extensions["redis"]
    app.extensions["redis"] = connection
    try:
        prefer(app, citizen, ["sms"])
        server.terminate()
        server.wait(5)
        push(client, [RECORD])  # accepted even though Redis is down
        assert fakes["sms"].sent == []
        server = subprocess.Popen(start, stdout=subprocess.DEVNULL)
        for _ in range(50):
            try:
                connection.ping()
                break
            except redis.RedisError:
                time.sleep(0.05)
        with app.app_context():
            counts = sweep()
        assert counts["events_to_notifications"] == 1
        from api.kernel.jobs import get_queue

        with app.app_context():
            jobs = get_queue("default").jobs
            assert jobs, "the sweeper enqueued the delivery"
            for job in jobs:
                job.perform()
        assert len(fakes["sms"].sent) == 1
    finally:
        app.extensions["redis"] = original
        server.terminate()
        server.wait(5)


def test_one_time_code_by_sms_through_the_pipeline(client, app, fakes):
    """With an SMS gateway, sign-in codes go out as urgent SMS; the code is scrubbed after."""
    from api.auth.otp import PipelineOtpSender

    original = app.extensions["otp_sender"]
    app.extensions["otp_sender"] = PipelineOtpSender()
    try:
        assert client.post("/api/v1/auth/otp", json={"phone": "0912345678"}).status_code == 200
        with app.app_context():
            nid = db.session.scalar(select(m.Notification.id))
            dispatch.deliver_batch([nid])
        sent = fakes["sms"].sent
        assert len(sent) == 1 and sent[0]["phone"] == "84912345678"
        code = "".join(ch for ch in sent[0]["message"] if ch.isdigit())[:6]
        assert (
            client.post(
                "/api/v1/auth/otp/verify", json={"phone": "0912345678", "code": code}
            ).status_code
            == 200
        )
        from push.notifications.receipts import record_receipt

        with app.app_context():
            attempt_id = db.session.scalar(select(m.DeliveryAttempt.id))
            record_receipt(reference=str(attempt_id))
            assert db.session.get(m.Notification, nid).params == {}
    finally:
        app.extensions["otp_sender"] = original
