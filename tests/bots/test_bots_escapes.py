"""The conversation never traps anyone: in every waiting step, a talk with the officer or a
rating, a new request (the menu, "thôi", "dừng", a procedure question, "English") is
understood and leaves the step; English mode understands English."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.kernel.database import db
from api.messaging.models import Message
from bots.engine import state as states
from bots.models import ThreadChat
from tests.helpers.bots import CHAT, ENTER, Bot, link_owner
from tests.helpers.dossiers import CODE, hoso, push


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


def test_changing_language_without_naming_one_switches_to_the_other(world):
    world.say_tg(CHAT, "đổi ngôn ngữ")
    assert last(world) == "I will answer in English from now on."
    world.say_tg(CHAT, "change language")
    assert last(world) == "Tôi sẽ trả lời bằng tiếng Việt."


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
        assert db.session.scalar(select(ThreadChat.ended_at)) is not None
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


# ---- every mode, the five escapes, both languages, both bots -------------------------------

PROCEDURE_Q = {"vi": "làm hộ chiếu cần giấy tờ gì", "en": "what documents do I need for a passport"}
ESCAPES = {
    "vi": ("menu", "thôi", "dừng", PROCEDURE_Q["vi"], "English"),
    "en": ("menu", "stop", "cancel", PROCEDURE_Q["en"], "Tiếng Việt"),
}
LINKED = (
    states.THREAD,
    states.RATE,
    states.MANDATE,
)  # the applicant's own steps; the others as a stranger


def _all_modes() -> set[str]:
    return {v for k, v in vars(states).items() if k.isupper() and isinstance(v, str)} - {states.KEY}


def test_every_mode_of_the_state_is_covered():
    assert _all_modes() == set(ENTER)


def _sent_to_officer(world) -> list[str]:  # noqa: ANN001
    with world.app.app_context():
        return list(db.session.scalars(select(Message.body).order_by(Message.id)))


def _check_escape(bot: Bot, mode: str, lang: str, escape: str) -> None:
    from api.kernel.i18n import message

    before = bot.count()
    bot.say(escape)
    replies, now, data = bot.texts_since(before), bot.state(), bot.data()
    where = (bot.platform, mode, lang, escape, replies)
    if escape in PROCEDURE_Q.values():
        assert any(d.startswith("p:") for d in data), where  # the procedures asked about
        if mode == states.THREAD:  # still talking, the question also reached the officer
            assert now.mode == states.THREAD and "x" in data, where
            assert escape in _sent_to_officer(bot.world), where
            return
        if mode == states.ASK_AGENCY:
            assert any(message("bot_support_question_sent", lang).split()[0] in r for r in replies)
    elif escape in ("English", "Tiếng Việt"):
        wanted = "en" if escape == "English" else "vi"
        assert now.lang == wanted and replies[-1] == message("bot_language_set", wanted), where
    elif escape == "menu":
        assert replies[-1] == message("bot_menu", lang) and {"f", "c", "w"} <= set(data), where
    else:  # stopping: the step is left and said so, with the menu
        stopped = {
            message(slug, lang)
            for slug in ("bot_cancelled", "bot_thread_ended", "bot_rate_stopped")
        }
        assert replies[-1] in stopped and {"f", "c"} <= set(data), where
    assert now.mode == states.IDLE, where
    if mode == states.THREAD:
        assert escape not in _sent_to_officer(bot.world), where  # a way out, not a message


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("mode", sorted(ENTER))
def test_the_five_escapes_leave_every_mode(world, seeded, platform, lang, mode):
    push(world.client, [hoso(status=10, NgayTra="20251121100000")])
    bot = Bot(world, platform)
    if mode in LINKED:
        bot.link()
    for escape in ESCAPES[lang]:
        bot.enter(mode, lang)
        _check_escape(bot, mode, lang, escape)


@pytest.mark.parametrize("platform", ["telegram", "zalo"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_five_escapes_leave_the_rating_comment_step(world, platform, lang):
    from api.rating.models import Rating

    push(world.client, [hoso(status=10, NgayTra="20251121100000")])
    bot = Bot(world, platform)
    bot.link()
    for escape in ESCAPES[lang]:
        bot.enter(states.RATE, lang)
        for _ in range(30):  # skip every question: the comment is asked last
            if bot.state().rating.get("step") == "comment":
                break
            bot.tap("rn")
        assert bot.state().rating.get("step") == "comment"
        _check_escape(bot, states.RATE, lang, escape)
    with world.app.app_context():  # the procedure question was kept as a comment
        comments = list(db.session.scalars(select(Rating.comment)))
    assert PROCEDURE_Q[lang] in comments


def test_a_question_that_reads_as_linking_stays_a_support_question(world, seeded):
    bot = Bot(world, "telegram")
    bot.tap("s")
    bot.say("đăng nhập vneid bị lỗi")
    assert "Linking" not in bot.last() and "Liên kết giúp" not in bot.last()
    assert bot.state().mode != states.AWAIT_LINK_CODE
