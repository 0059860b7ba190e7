"""Zalo end to end: signed OA webhook events in their real shapes, the job run in-line,
replies and receipts at the fake OA API on 127.0.0.1."""

from __future__ import annotations

import logging

from sqlalchemy import select

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.messaging.models import Message
from api.profile.models import ChatIdentity
from bots.zalo.adapter import MAX_BUTTONS, PAYLOAD_MARK, TITLE_LIMIT
from push.notifications import dispatch
from push.notifications import models as m
from push.notifications.fanout import process_pending_events
from tests.helpers.bots import JPEG
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.dossiers import CODE, OWNER_ID, hoso, push

USER = "246845883529197922"


def tap(world, title: str):  # noqa: ANN001, ANN201, F811
    """Tap a button: Zalo sends its hidden payload back as the user's text."""
    return world.say_zalo(USER, world.zalo_buttons(USER)[title])


def test_bad_signature_is_refused_and_logged_without_the_body(world, caplog):
    caplog.set_level(logging.WARNING, logger="bots.webhooks")
    event = {
        "event_name": "user_send_text",
        "sender": {"id": USER},
        "message": {"text": "sđt của tôi 0912345678", "msg_id": "m-bad"},
    }
    r = world.zalo_event(event, bad_signature=True)
    assert r.status_code == 401 and world.updates() == [] and world.zalo.messages == []
    logged = " ".join(str(vars(rec)) for rec in caplog.records)
    assert "bad_signature" in logged and "0912345678" not in logged
    unsigned = world.client.post("/webhooks/zalo", json=event)
    assert unsigned.status_code == 401


def test_duplicate_event_is_answered_once(world):
    event = {
        "event_name": "user_send_text",
        "sender": {"id": USER},
        "message": {"text": "xin chào", "msg_id": "m-1"},
    }
    assert world.zalo_event(dict(event)).json["duplicate"] is False
    assert world.zalo_event(dict(event)).json["duplicate"] is True
    assert len(world.updates()) == 1 and len(world.zalo_texts(USER)) == 1


def test_menu_buttons_fit_zalo_and_come_back_as_taps(world):
    world.say_zalo(USER, "alo")
    message = world.zalo_last(USER)
    buttons = message["attachment"]["payload"]["buttons"]
    assert len(buttons) == MAX_BUTTONS  # the menu has more: they follow in a "⋯" message
    assert len(world.zalo_buttons(USER)) > MAX_BUTTONS
    assert all(b["type"] == "oa.query.hide" and len(b["title"]) <= TITLE_LIMIT for b in buttons)
    assert all(b["payload"].startswith(PAYLOAD_MARK) for b in buttons)
    tap(world, "🔎 Tìm thủ tục")
    assert "Bạn cần làm thủ tục gì" in world.zalo_texts(USER)[-1]
    world.say_zalo(USER, "lam ho chieu het bao nhieu tien")
    first = next(iter(world.zalo_buttons(USER)))
    tap(world, first)
    card = world.zalo_texts(USER)[-1]
    assert card.startswith("📋 ") and "hộ chiếu" in card.lower() and len(card) <= 2000


def test_follow_on_zalo_then_the_status_change_arrives(world):
    push(world.client, [hoso()])
    with world.app.app_context():
        process_pending_events()
    world.say_zalo(USER, f"báo cho tôi khi hồ sơ {CODE} có kết quả nhé")
    world.say_zalo(USER, "5987")
    assert "Đã theo dõi" in world.zalo_texts(USER)[-1]
    before = len(world.zalo_texts(USER))
    push(world.client, [hoso(status=9, NgayKetThucXuLy="20251121100000")])
    with world.app.app_context():
        dispatch.deliver_batch(process_pending_events())
    news = world.zalo_texts(USER)[before:]
    assert len(news) == 1 and CODE in news[0] and "kết quả" in news[0]


def test_link_by_submitting_the_phone_and_a_code(world):
    world.say_zalo(USER, "liên kết tài khoản")
    tap(world, "📱 Chia sẻ số điện thoại")
    template = world.zalo_last(USER)["attachment"]["payload"]
    assert template["template_type"] == "request_user_info"
    world.zalo_event(
        {
            "event_name": "user_submit_info",
            "sender": {"id": USER},
            "info": {
                "name": "Hoa",
                "phone": "84912345987",
                "address": "",
                "city": "",
                "district": "",
            },
        }
    )
    assert "đuôi 987" in world.zalo_texts(USER)[-1]
    code = world.app.extensions["otp_sender"].codes[normalise_phone("0912345987")]
    world.say_zalo(USER, f"mã của tôi là {code}")
    assert "Đã liên kết" in world.zalo_texts(USER)[-1]
    with world.app.app_context():
        chat = db.session.scalar(select(ChatIdentity))
        assert (chat.channel, chat.external_id) == ("zalo", USER)
        assert chat.last_interaction_at is not None  # the OA reply window is known


def test_messages_keep_the_reply_window_and_unfollow_blocks(world):
    tokens = sign_in_verified(world.app, OWNER_ID)
    code = world.client.post("/api/v1/me/chat-links/code", headers=bearer(tokens)).json["code"]
    world.say_zalo(USER, code)
    with world.app.app_context():
        first = db.session.scalar(select(ChatIdentity.last_interaction_at))
    world.say_zalo(USER, "cảm ơn")
    with world.app.app_context():
        assert db.session.scalar(select(ChatIdentity.last_interaction_at)) > first
    sent = len(world.zalo.messages)
    world.zalo_event({"event_name": "unfollow", "follower": {"id": USER}, "oa_id": "oa-1"})
    with world.app.app_context():
        assert db.session.scalar(select(ChatIdentity.blocked_at)) is not None
    assert len(world.zalo.messages) == sent
    world.zalo_event({"event_name": "follow", "follower": {"id": USER}, "oa_id": "oa-1"})
    with world.app.app_context():
        assert db.session.scalar(select(ChatIdentity.blocked_at)) is None
    assert "Xin chào" in world.zalo_texts(USER)[-1]


def test_delivery_receipt_marks_the_notification_delivered(world):
    with world.app.app_context():
        note = m.Notification(
            dedupe_key="n1", chat_channel="zalo", chat_id=USER, event="status_changed",
            params={}, chain=["zalo"], status=m.AWAITING_RECEIPT,
        )  # fmt: skip
        db.session.add(note)
        db.session.flush()
        attempt = m.DeliveryAttempt(
            notification_id=note.id, channel="zalo", route="zns", status=m.SENT,
            provider_message_id="zns-77", sent_at=utcnow(),
        )  # fmt: skip
        db.session.add(attempt)
        db.session.commit()
        attempt_id = attempt.id
    event = {
        "event_name": "user_received_message",
        "sender": {"id": "oa-1"},
        "recipient": {"id": USER},
        "message": {
            "msg_id": "zns-77",
            "tracking_id": str(attempt_id),
            "delivery_time": "1700000000000",
        },
    }
    assert world.zalo_event(event).status_code == 200
    with world.app.app_context():
        assert db.session.get(m.DeliveryAttempt, attempt_id).status == m.ATTEMPT_DELIVERED
        assert db.session.scalar(select(m.Notification.status)) == m.DELIVERED
    assert world.zalo.messages == []  # receipts are not answered


def test_photo_to_the_officer(world):
    push(world.client, [hoso(status=5)])
    tokens = sign_in_verified(world.app, OWNER_ID)
    code = world.client.post("/api/v1/me/chat-links/code", headers=bearer(tokens)).json["code"]
    world.say_zalo(USER, code)
    world.say_zalo(USER, "nhắn cán bộ")
    tap(world, CODE)
    assert "Bạn đang nhắn cho cán bộ" in world.zalo_texts(USER)[-1]
    world.images["giayto"] = JPEG
    world.zalo_event(
        {
            "event_name": "user_send_image",
            "sender": {"id": USER},
            "message": {
                "msg_id": "img-1",
                "text": "giấy tờ bổ sung",
                "attachments": [
                    {"type": "image", "payload": {"url": f"{world.zalo.url}/img/giayto.jpg"}}
                ],
            },
        }
    )
    assert world.zalo_texts(USER)[-1] == "✓ Đã gửi cho cán bộ."
    with world.app.app_context():
        message = db.session.scalar(select(Message))
        assert (message.channel, message.external_message_id) == ("zalo", "img-1")
        assert len(message.attachments) == 1
