"""Talking to the officer and rating, end to end on Telegram: the chat joins the dossier's
thread (text and photos in, officer replies relayed out) and rates one question at a time."""

from __future__ import annotations

from sqlalchemy import select

from api.kernel.database import db
from api.messaging.models import Message
from api.rating.models import Rating
from bots.jobs import relay_officer_replies
from bots.models import ThreadChat
from tests.dossier_factory import CODE, UNIT, hoso, push
from tests.helpers import bearer, make_staff, sign_in_staff
from tests.test_bots_support import CHAT, JPEG, callbacks_fit, link_owner, world_fixture  # noqa: F401


def test_talk_to_the_officer_with_a_photo_and_the_reply(world):
    push(world.client, [hoso(status=5)])
    link_owner(world)
    world.say_tg(CHAT, f"tôi muốn nhắn cán bộ xử lý hồ sơ {CODE}")
    assert "Bạn đang nhắn cho cán bộ" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "Tôi gửi bản sao căn cước ạ")
    world.tg.files["f1"] = JPEG
    photo = [{"file_id": "f0", "width": 90}, {"file_id": "f1", "width": 800}]
    world.telegram(world.tg_message(CHAT, photo=photo, caption="ảnh căn cước"))
    assert world.tg.texts(CHAT)[-1] == "✓ Đã gửi cho cán bộ."
    with world.app.app_context():
        messages = db.session.scalars(select(Message).order_by(Message.id)).all()
        assert [(m.channel, m.body) for m in messages] == [
            ("telegram", "Tôi gửi bản sao căn cước ạ"),
            ("telegram", "ảnh căn cước"),
        ]
        assert messages[1].attachments[0].content_type == "image/jpeg"
    make_staff(world.app, "officer.hk", "officer", unit_code=UNIT)
    officer = bearer(sign_in_staff(world.client, "officer.hk"))
    r = world.client.post(
        f"/api/v1/dossiers/{CODE}/messages", json={"text": "Đã nhận, cảm ơn bạn."}, headers=officer
    )
    assert r.status_code == 201
    with world.app.app_context():
        assert relay_officer_replies()["relayed"] == 1
        assert relay_officer_replies()["relayed"] == 0  # once
    assert "Đã nhận, cảm ơn bạn." in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "thoát")
    assert "Đã kết thúc" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        assert db.session.scalar(select(ThreadChat.ended_at)) is not None
    callbacks_fit(world)


def test_rate_one_question_at_a_time_and_stop(world):
    push(world.client, [hoso(status=10, NgayTra="20251121100000")])
    link_owner(world)
    world.say_tg(CHAT, f"đánh giá hồ sơ {CODE}")
    assert "Câu 1/" in world.tg.texts(CHAT)[-1]
    answers = [d for d in world.buttons_tg(CHAT).values() if d.startswith("ra:")]
    world.tap_tg(CHAT, answers[0])
    assert "Câu 2/" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "rn")  # skip the second question
    assert "Câu 3/" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "x")
    assert "Đã dừng đánh giá" in world.tg.texts(CHAT)[-1]
    indicator, score = answers[0].split(":")[1:]
    with world.app.app_context():
        rating = db.session.scalar(select(Rating))
        given = {(a.indicator_code, a.score) for a in rating.answers if a.source == "citizen"}
        assert given == {(int(indicator), int(score))} and rating.channel == "telegram"
    callbacks_fit(world)


def test_rating_a_dossier_in_progress_is_explained(world):
    push(world.client, [hoso()])
    link_owner(world)
    world.say_tg(CHAT, f"đánh giá {CODE}")
    assert "chưa đánh giá được" in world.tg.texts(CHAT)[-1]


def test_leaving_the_conversation_by_the_menu_stops_the_relay(world):
    push(world.client, [hoso(status=5)])
    link_owner(world)
    world.say_tg(CHAT, f"nhắn cán bộ hồ sơ {CODE}")
    world.tap_tg(CHAT, "m")
    with world.app.app_context():
        assert db.session.scalar(select(ThreadChat.ended_at)) is not None
    world.say_tg(CHAT, "cảm ơn")  # no longer goes to the officer
    with world.app.app_context():
        assert db.session.scalar(select(Message.id)) is None
