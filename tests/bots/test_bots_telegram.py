"""Telegram end to end: real-shaped updates posted to /webhooks/telegram, the rq job run
in-line, replies read at the fake Bot API on 127.0.0.1. Every flow, duplicates, bad secrets,
callbacks, blocked users, linking, and a follow that later brings a status change."""

from __future__ import annotations

import logging

from sqlalchemy import select

from api.dossiers.models import DossierFollow
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.profile.models import ChatIdentity
from bots.models import BotChat
from push.notifications import dispatch
from push.notifications.fanout import process_pending_events
from tests.helpers.bots import CHAT, callbacks_fit, link_owner
from tests.helpers.dossiers import CODE, OWNER_ID, hoso, push


def test_bad_secret_is_refused_and_not_stored(world, caplog):
    caplog.set_level(logging.WARNING, logger="bots.webhooks")
    update = world.tg_message(CHAT, text="bí mật 0912345678")
    r = world.telegram(update, secret="wrong")
    assert r.status_code == 401 and r.json["error"] == "bot_webhook_unauthorized"
    assert world.updates() == [] and world.tg.sent_messages() == []
    logged = " ".join(str(vars(rec)) for rec in caplog.records)
    assert (
        "bot_webhook_rejected" in logged and "0912345678" not in logged and "bí mật" not in logged
    )
    assert world.telegram(world.tg_message(CHAT, text="hi"), secret="").status_code == 401


def test_duplicate_update_is_stored_and_answered_once(world):
    update = world.tg_message(CHAT, text="xin chào")
    update["update_id"] = 77
    first = world.telegram(dict(update))
    again = world.telegram(dict(update))
    assert first.status_code == again.status_code == 200
    assert first.json == {"ok": True, "duplicate": False}
    assert again.json == {"ok": True, "duplicate": True}
    assert len(world.updates()) == 1 and len(world.tg.texts(CHAT)) == 1
    assert world.updates()[0].processed_at is not None


def test_greeting_menu_and_callbacks_are_answered(world):
    world.say_tg(CHAT, "xin chào")
    assert "Tôi có thể giúp bạn" in world.tg.texts(CHAT)[-1]
    buttons = world.buttons_tg(CHAT)
    assert "📄 Tra cứu hồ sơ" in buttons
    world.tap_tg(CHAT, buttons["📄 Tra cứu hồ sơ"])
    (answer,) = world.tg.methods("answerCallbackQuery")
    assert answer["callback_query_id"].startswith("cq")
    assert "mã hồ sơ" in world.tg.texts(CHAT)[-1]
    # An old button pressed much later still gets an answer and an honest reply.
    world.tap_tg(CHAT, "ra:3:2")
    assert len(world.tg.methods("answerCallbackQuery")) == 2
    callbacks_fit(world)


def test_group_chats_are_ignored(world):
    update = world.tg_message(CHAT, text="xin chào")
    update["message"]["chat"]["type"] = "group"
    assert world.telegram(update).status_code == 200
    assert world.tg.sent_messages() == []


def test_find_a_procedure_and_read_its_card(world):
    world.say_tg(CHAT, "cho mình hỏi lam cccd lan dau can giay to gi vay")
    buttons = world.buttons_tg(CHAT)
    procedures = [data for data in buttons.values() if data.startswith("p:")]
    assert 2 <= len(procedures) <= 4 and "p:1.003190" in procedures
    world.tap_tg(CHAT, "p:1.003190")
    card = world.tg.texts(CHAT)[-1]
    for part in ("Cấp thẻ căn cước", "Giấy tờ cần có", "Lệ phí", "Thời gian giải quyết"):
        assert part in card
    assert "Nơi nộp" in card and "Cách nộp" in card and "trực tuyến" in card.lower()
    assert "ma_thu_tuc=1.003190" in card and len(card) < 1500  # short enough for a phone
    # Typing the number of a result works too.
    world.say_tg(CHAT, "dk khai sinh cho be")
    world.say_tg(CHAT, "1")
    assert world.tg.texts(CHAT)[-1].startswith("📋 ")
    callbacks_fit(world)


def test_check_a_dossier_with_the_last_four_digits(world):
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"cho mình hỏi hồ sơ {CODE.lower()} đến đâu rồi ạ")
    assert "4 số cuối" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "1111")
    assert "Không tìm thấy hồ sơ khớp" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "số cuối là 5987")
    card = world.tg.texts(CHAT)[-1]
    assert CODE in card and "Đăng ký khai sinh" in card and "Trạng thái" in card
    assert "Nguyễn Thị Hoa" not in card and OWNER_ID not in card  # no personal data
    # The proof holds for the rest of the conversation: following needs no digits again.
    world.tap_tg(CHAT, f"w:{CODE}")
    assert "Đã theo dõi" in world.tg.texts(CHAT)[-1]
    callbacks_fit(world)


def test_follow_then_a_status_change_arrives_in_the_chat(world):
    push(world.client, [hoso()])
    with world.app.app_context():
        process_pending_events()  # the worker already handled the dossier's arrival
    world.say_tg(CHAT, f"theo dõi hồ sơ {CODE}")
    world.say_tg(CHAT, "5987")
    assert "Đã theo dõi hồ sơ" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        follow = db.session.scalar(select(DossierFollow))
        assert (follow.chat_channel, follow.chat_id, follow.account_id) == (
            "telegram",
            str(CHAT),
            None,
        )
    sent_before = len(world.tg.texts(CHAT))
    push(world.client, [hoso(status=5, NgayHenTra="20251125170000")])
    with world.app.app_context():
        dispatch.deliver_batch(process_pending_events())
    news = world.tg.texts(CHAT)[sent_before:]
    assert len(news) == 1 and CODE in news[0] and "bổ sung" in news[0]
    # And stopping is as easy.
    world.say_tg(CHAT, f"bỏ theo dõi hồ sơ {CODE}")
    assert "Đã bỏ theo dõi" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        assert db.session.scalar(select(DossierFollow)) is None


def test_linked_owner_sees_the_dossier_without_digits(world):
    push(world.client, [hoso()])
    link_owner(world)
    world.say_tg(CHAT, "tra cứu hồ sơ")
    assert world.buttons_tg(CHAT).get(CODE) == f"c:{CODE}"  # their own dossiers, as buttons
    world.tap_tg(CHAT, f"c:{CODE}")
    card = world.tg.texts(CHAT)[-1]
    assert CODE in card and "4 số cuối" not in card
    with world.app.app_context():
        assert db.session.scalar(select(BotChat.link_assurance)) == "vneid"


def test_link_by_sharing_the_phone_and_a_one_time_code(world):
    world.say_tg(CHAT, "liên kết tài khoản")
    world.tap_tg(CHAT, world.buttons_tg(CHAT)["📱 Chia sẻ số điện thoại"])
    keyboard = world.tg.last(CHAT)["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True
    # Someone else's contact card is refused.
    other = {"phone_number": "0987654321", "first_name": "X", "user_id": 42}
    world.telegram(world.tg_message(CHAT, contact=other))
    assert "của chính bạn" in world.tg.texts(CHAT)[-1]
    own = {"phone_number": "+84912345987", "first_name": "Hoa", "user_id": CHAT}
    world.telegram(world.tg_message(CHAT, contact=own))
    assert "đuôi 987" in world.tg.texts(CHAT)[-1]
    code = world.app.extensions["otp_sender"].codes[normalise_phone("0912345987")]
    world.say_tg(CHAT, "000000" if code != "000000" else "111111")
    assert "không đúng" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, code)
    assert "Đã liên kết" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        chat = db.session.scalar(select(ChatIdentity))
        assert (chat.channel, chat.external_id) == ("telegram", str(CHAT))
        assert db.session.scalar(select(BotChat.link_assurance)) == "phone"
    # The phone on the record, proven: the chat is the dossier's contact and may talk.
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"nhắn cán bộ về hồ sơ {CODE}")
    assert "Bạn đang nhắn cho cán bộ" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "thoát")
    # A dossier carrying another number is not theirs to write about.
    push(world.client, [hoso(code="000.00.15.H12-251120-0002", SoDienThoai="0987000111")])
    world.say_tg(CHAT, "nhắn cán bộ về hồ sơ 000.00.15.H12-251120-0002")
    assert "Chỉ người đứng tên" in world.tg.texts(CHAT)[-1]


def test_a_wrong_link_code_is_explained(world):
    world.say_tg(CHAT, "ABCD2345")
    assert "Mã liên kết không đúng" in world.tg.texts(CHAT)[-1]


def test_blocked_and_unblocked(world):
    link_owner(world)

    def member(status: str) -> dict:
        return {
            "my_chat_member": {
                "chat": {"id": CHAT, "type": "private"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "Hoa"},
                "date": 0,
                "old_chat_member": {"user": {"id": 1, "is_bot": True}, "status": "member"},
                "new_chat_member": {"user": {"id": 1, "is_bot": True}, "status": status},
            }
        }

    sent = len(world.tg.sent_messages())
    world.telegram(member("kicked"))
    with world.app.app_context():
        assert db.session.scalar(select(ChatIdentity.blocked_at)) is not None
    assert len(world.tg.sent_messages()) == sent  # nothing is sent to someone who blocked us
    world.telegram(member("member"))
    with world.app.app_context():
        assert db.session.scalar(select(ChatIdentity.blocked_at)) is None


def test_english_on_request(world):
    world.say_tg(CHAT, "english please")
    assert "English" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "blah blah")
    assert world.tg.texts(CHAT)[-1].startswith("Sorry, I did not understand")
    world.say_tg(CHAT, "tiếng việt")
    world.say_tg(CHAT, "blah blah")
    assert world.tg.texts(CHAT)[-1].startswith("Xin lỗi, tôi chưa hiểu")
    assert "🔎 Tìm thủ tục" in world.buttons_tg(CHAT)  # with what it can do


def test_updates_are_processed_in_the_order_people_wrote(world):
    push(world.client, [hoso()])
    world.telegram(world.tg_message(CHAT, text=f"tra cứu {CODE}"), run=False)
    world.telegram(world.tg_message(CHAT, text="5987"), run=False)
    first, second = (u.id for u in world.updates())
    from bots.jobs import process_update

    with world.app.app_context():
        # The second update's job runs first (two workers): it answers the first one first.
        assert process_update(second) == "processed"
        assert process_update(first) == "skipped"
    texts = world.tg.texts(CHAT)
    assert "4 số cuối" in texts[0] and CODE in texts[1] and "Trạng thái" in texts[1]
    assert all(u.processed_at is not None for u in world.updates())


def test_webhook_routes_are_documented(client):
    paths = client.get("/openapi.json").json["paths"]
    assert "/webhooks/telegram" in paths and "/webhooks/zalo" in paths
    assert "401" in paths["/webhooks/zalo"]["post"]["responses"]
