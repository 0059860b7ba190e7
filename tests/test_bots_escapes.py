"""The conversation never traps anyone: in every waiting step, a talk with the officer or a
rating, a new request (the menu, "thôi", "dừng", a procedure question, "English") is
understood and leaves the step; English mode understands English."""

from __future__ import annotations

from sqlalchemy import select

from api.extensions import db
from api.messaging.models import Message
from bots.models import BotTalk
from tests.dossier_factory import CODE, hoso, push
from tests.test_bots_support import CHAT, link_owner, world_fixture  # noqa: F401


def last(world) -> str:  # noqa: ANN001
    return world.tg.texts(CHAT)[-1]


def test_a_procedure_question_leaves_the_digits_step(world):
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"tra cứu {CODE}")
    assert "4 số cuối" in last(world)
    world.say_tg(CHAT, "làm hộ chiếu cần giấy tờ gì")
    assert "4 số cuối" not in last(world) and "4 chữ số" not in last(world)
    assert any(d.startswith("p:") for d in world.buttons_tg(CHAT).values())


def test_english_leaves_a_step_and_english_is_understood(world):
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"tra cứu {CODE}")
    world.say_tg(CHAT, "English")
    assert last(world) == "I will answer in English from now on."
    world.say_tg(CHAT, "5987")  # the step was left: digits alone are no longer the factor
    assert "Trạng thái" not in last(world)
    world.say_tg(CHAT, "check my application")
    assert "dossier code" in last(world)
    world.say_tg(CHAT, "what documents do I need for a passport")
    assert any(d.startswith("p:") for d in world.buttons_tg(CHAT).values())
    world.say_tg(CHAT, "link my account")
    assert "Linking lets you" in last(world)
    world.say_tg(CHAT, "menu")
    assert "Find a procedure" in last(world) or "procedure" in last(world).lower()


def test_dung_and_thoi_stop_any_waiting_step(world):
    world.say_tg(CHAT, "liên kết tài khoản")
    world.tap_tg(CHAT, "lc")
    assert "mã liên kết" in last(world)
    world.say_tg(CHAT, "dừng")
    assert last(world).startswith("Đã dừng")
    world.say_tg(CHAT, "tra cứu hồ sơ")
    assert "mã hồ sơ" in last(world)
    world.say_tg(CHAT, "thôi")
    assert last(world).startswith("Đã dừng")


def test_the_menu_leaves_a_talk_with_the_officer(world):
    push(world.client, [hoso(status=5)])
    link_owner(world)
    world.say_tg(CHAT, f"nhắn cán bộ hồ sơ {CODE}")
    assert "Bạn đang nhắn cho cán bộ" in last(world)
    world.say_tg(CHAT, "menu")
    assert "Tìm thủ tục" in last(world)
    with world.app.app_context():
        assert db.session.scalar(select(BotTalk.ended_at)) is not None
        assert db.session.scalar(select(Message.id)) is None  # "menu" was not sent
    world.say_tg(CHAT, "English")
    assert last(world) == "I will answer in English from now on."


def test_another_request_leaves_a_rating(world):
    push(world.client, [hoso(status=10, NgayTra="20251121100000")])
    link_owner(world)
    world.say_tg(CHAT, f"đánh giá hồ sơ {CODE}")
    assert "Câu 1/" in last(world)
    world.say_tg(CHAT, f"tra cứu hồ sơ {CODE}")
    assert CODE in last(world) and "Trạng thái" in last(world)
    labels = list(world.buttons_tg(CHAT))
    assert any("Đánh giá" in label for label in labels)  # a finished dossier offers it
    assert len(set(labels)) == len(labels)  # distinct labels
    world.say_tg(CHAT, f"đánh giá hồ sơ {CODE}")
    world.say_tg(CHAT, "dừng")
    assert "Đã dừng đánh giá" in last(world)


SMALL_SCREEN = 24  # characters of a button a small phone shows before cutting it


def test_button_labels_are_distinct_on_a_small_screen(world):
    push(world.client, [hoso(status=10, NgayTra="20251121100000")])
    link_owner(world)
    for text in ("xin chào", "làm căn cước cần gì", "đăng ký khai sinh", f"tra cứu {CODE}",
                 "đánh giá", "liên kết tài khoản", "theo dõi hồ sơ"):  # fmt: skip
        world.say_tg(CHAT, text)
    for payload in world.tg.sent_messages():
        rows = (payload.get("reply_markup") or {}).get("inline_keyboard", [])
        shown = [b["text"][:SMALL_SCREEN] for row in rows for b in row]
        assert len(set(shown)) == len(shown), shown


def test_a_followed_dossier_opens_again_without_the_digits(world):
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"theo dõi hồ sơ {CODE}")
    world.say_tg(CHAT, "5987")
    assert "Đã theo dõi" in last(world)
    world.say_tg(CHAT, "xin chào")  # a new conversation: the proof of the chat state is gone
    with world.app.app_context():
        from bots.engine import state as states

        states.save("telegram", str(CHAT), states.ChatState())
        db.session.commit()
    world.say_tg(CHAT, "tra cứu hồ sơ")
    world.tap_tg(CHAT, world.buttons_tg(CHAT)[CODE])
    card = last(world)
    assert CODE in card and "Trạng thái" in card and "4 số cuối" not in card
    assert "Nguyễn Thị Hoa" not in card  # the reduced view


def test_a_rate_limited_chat_is_told_when_to_try_again(world):
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"tra cứu {CODE}")
    for _ in range(12):
        world.say_tg(CHAT, "1111")
        if "quá nhiều lần" in last(world):
            break
    assert "quá nhiều lần" in last(world) and "thử lại sau" in last(world)
