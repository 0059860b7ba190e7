"""Support in both bots through their real webhooks: answers with votes, choices, "no ready
answer" with the officer's question whose answer comes back to the chat, guidance with a
checklist to tick, and a survey one question at a time."""

from __future__ import annotations

import re

from sqlalchemy import select

from api.kernel.database import db
from api.support.models import AgencyQuestion, Article, AskedQuestion
from api.support.survey_models import SurveyResponse
from push.notifications import dispatch
from tests.helpers.bots import CHAT, callbacks_fit
from tests.helpers.support import seeded_fixture, staff_fixture  # noqa: F401

USER = "246845883529197922"


def tap_zalo(world, title: str):  # noqa: ANN001, ANN201
    return world.say_zalo(USER, world.zalo_buttons(USER)[title])


def test_telegram_answer_vote_and_full_answer(world, seeded):
    world.say_tg(CHAT, "tôi không nhận được mã OTP")
    text = world.tg.texts(CHAT)[-1]
    assert text.startswith("💡 ") and "5 phút" in text
    buttons = world.buttons_tg(CHAT)
    world.tap_tg(CHAT, buttons["📖 Xem đầy đủ"])
    assert "Gửi lại mã" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, buttons["👍 Hữu ích"])
    assert "Cảm ơn" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, buttons["👍 Hữu ích"])  # a second tap is the same vote
    with world.app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == "otp_not_received"))
        assert (article.helpful, article.not_helpful, article.views) == (1, 0, 2)
        asked = db.session.scalar(select(AskedQuestion))
        assert (asked.channel, asked.outcome, asked.top_key) == (
            "telegram",
            "answer",
            "otp_not_received",
        )
    callbacks_fit(world)


def test_telegram_no_answer_then_the_officer_answers_in_the_chat(world, seeded, staff):
    # (Was "cách nấu phở bò ngon": since the procedures' everyday texts are read, the food
    # businesses' texts make that a confident match; noted in issue 11's closing note.)
    world.say_tg(CHAT, "thời tiết ngày mai ở Hà Nội thế nào")
    text = world.tg.texts(CHAT)[-1]
    # Not a confident card: plainly unsure (the nearest procedures) or no ready answer, and
    # either way the officer is offered for this very question.
    assert "chưa chắc" in text or "chưa có câu trả lời sẵn" in text
    assert "Hỏi cán bộ" in text
    world.tap_tg(CHAT, world.buttons_tg(CHAT)["🙋 Hỏi cán bộ"])
    assert "Đã gửi câu hỏi số" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        question = db.session.scalar(select(AgencyQuestion))
        assert (question.channel, question.chat_id) == ("telegram", str(CHAT))
        qid = question.id
    r = world.client.post(
        f"/api/v1/support/admin/questions/{qid}/answer",
        json={"answer": "Xin lỗi, cơ quan không trả lời về thời tiết."},
        headers=staff["admin"],
    )
    assert r.status_code == 200
    with world.app.app_context():
        from push.notifications.models import Notification

        ids = list(db.session.scalars(select(Notification.id)))
        dispatch.deliver_batch(ids)
    assert "không trả lời về thời tiết" in world.tg.texts(CHAT)[-1]


def test_telegram_a_typed_question_for_the_officer_and_stop(world, seeded):
    world.say_tg(CHAT, "menu")
    world.tap_tg(CHAT, world.buttons_tg(CHAT)["❓ Hỏi đáp"])
    assert "Bạn cần hỏi gì" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "mất sổ hộ khẩu giấy thì sao")
    assert world.tg.texts(CHAT)  # answered one way or another
    world.tap_tg(CHAT, "q")
    assert "gõ câu hỏi cho cán bộ" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "Cho hỏi sổ hộ khẩu giấy còn dùng được không?")
    assert "Đã gửi câu hỏi số" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "q")
    world.say_tg(CHAT, "Cho hỏi sổ hộ khẩu giấy còn dùng được không?")
    assert "vừa gửi rồi" in world.tg.texts(CHAT)[-1]  # the same text twice is one question
    with world.app.app_context():
        assert len(db.session.scalars(select(AgencyQuestion)).all()) == 1


def test_zalo_choices_then_guidance_with_a_checklist(world, seeded):
    world.say_zalo(USER, "làm sao thanh toán")
    assert "Có phải bạn muốn hỏi" in world.zalo_texts(USER)[-1]
    assert "🙋 Hỏi cán bộ" in world.zalo_buttons(USER)
    tap_zalo(world, next(t for t in world.zalo_buttons(USER) if t.startswith("Nộp phí")))
    assert world.zalo_texts(USER)[-1].startswith("💡 Nộp phí")
    world.say_zalo(USER, "đăng ký kết hôn cần giấy tờ gì")
    tap_zalo(world, "1. Đăng ký kết hôn")
    assert world.zalo_texts(USER)[-1].startswith("📋 Đăng ký kết hôn")
    tap_zalo(world, "📝 Hướng dẫn từng bước")
    assert "Chuẩn bị giấy tờ" in world.zalo_texts(USER)[-2]
    boxes = [title for title in world.zalo_buttons(USER) if title.startswith("☐")]
    assert boxes and "0/" in world.zalo_texts(USER)[-1]
    tap_zalo(world, boxes[0])
    assert "1/" in world.zalo_texts(USER)[-1]
    assert any(t.startswith("☑") for t in world.zalo_buttons(USER))
    tap_zalo(world, next(t for t in world.zalo_buttons(USER) if t.startswith("☑")))
    assert "0/" in world.zalo_texts(USER)[-1]  # tapped again: not ready after all


def test_zalo_survey_one_question_at_a_time(world, seeded):
    world.say_zalo(USER, "khảo sát")
    tap_zalo(world, next(t for t in world.zalo_buttons(USER) if t.startswith("Khảo sát")))
    assert "Câu 1" in world.zalo_texts(USER)[-1]
    tap_zalo(world, "2–3 lần")
    for _ in range(2):
        assert "Câu" in world.zalo_texts(USER)[-1]
        tap_zalo(world, "4")
    tap_zalo(world, "2")  # overall 2: the "where did you have trouble" question shows
    assert "khó khăn" in world.zalo_texts(USER)[-1]
    tap_zalo(world, "Đăng nhập")
    tap_zalo(world, "Thanh toán")
    assert "☑ Đăng nhập" in world.zalo_buttons(USER)
    tap_zalo(world, "✔ Xong")
    world.say_zalo(USER, "Nên có hướng dẫn bằng video")
    assert "Cảm ơn bạn đã trả lời khảo sát" in world.zalo_texts(USER)[-1]
    with world.app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert response.respondent == f"chat:zalo:{USER}" and response.verified is False
        assert response.answers == {
            "visits": "2-3",
            "clarity": 4,
            "status": 4,
            "overall": 2,
            "problems": ["login", "payment"],
            "idea": "Nên có hướng dẫn bằng video",
        }
    world.say_zalo(USER, "khảo sát")
    tap_zalo(world, next(t for t in world.zalo_buttons(USER) if t.startswith("Khảo sát")))
    assert "trả lời phiếu khảo sát này rồi" in world.zalo_texts(USER)[-1]


def test_a_different_request_leaves_the_survey(world, seeded):
    world.say_tg(CHAT, "khảo sát")
    world.tap_tg(CHAT, "y:quarterly_satisfaction")
    assert "Câu 1" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "blah")  # not an option: the same question again
    assert "Câu 1" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "đăng ký kết hôn cần giấy tờ gì")
    assert "Tôi tìm thấy các thủ tục sau" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "ya:1")  # an old button of the survey left: nothing recorded
    with world.app.app_context():
        assert db.session.scalar(select(SurveyResponse)) is None


def test_the_applicant_answers_the_post_dossier_survey_in_telegram(world, seeded):
    from push.notifications.fanout import process_pending_events
    from tests.helpers.bots import link_owner
    from tests.helpers.dossiers import CODE, hoso, push

    link_owner(world)
    push(world.client, [hoso(status=10, NgayKetThucXuLy="20251121100000")])
    with world.app.app_context():
        process_pending_events()
    world.say_tg(CHAT, "khảo sát")
    buttons = world.buttons_tg(CHAT)
    label = next(t for t in buttons if CODE in t)
    assert buttons[label] == f"y:after_dossier:{CODE}"
    world.tap_tg(CHAT, buttons[label])
    world.tap_tg(CHAT, "ya:4")
    world.tap_tg(CHAT, "ya:desk")
    assert "Vì sao" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "Nhà gần ủy ban")
    assert "Cảm ơn bạn đã trả lời khảo sát" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert response.verified is True and response.dossier_id is not None
        assert response.answers == {
            "ease": 4,
            "channel_used": "desk",
            "why_not_online": "Nhà gần ủy ban",
        }
    world.say_tg(CHAT, "khảo sát")
    assert not any(CODE in t for t in world.buttons_tg(CHAT))  # answered: not offered again
    callbacks_fit(world)


def test_a_survey_answered_by_typing_on_a_phone_and_old_taps_get_a_reply(world, seeded):
    """Typed without marks: an option's label, its number, «bo qua», «xong»; a tap on a
    survey already left is never met with silence."""
    world.say_tg(CHAT, "khảo sát")
    world.tap_tg(CHAT, "y:quarterly_satisfaction")
    world.say_tg(CHAT, "2-3 lan")  # «2–3 lần», typed without marks
    assert "Câu 2" in world.tg.texts(CHAT)[-1]
    assert "⏭ Bỏ qua" not in world.buttons_tg(CHAT)  # a required question
    world.say_tg(CHAT, "bo qua")  # skipped anyway: asked again, kindly
    assert world.tg.texts(CHAT)[-1].startswith("Câu này cần có câu trả lời")
    world.tap_tg(CHAT, "yn")
    assert "Câu 2" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "5")
    assert "Câu 3" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "4")
    world.say_tg(CHAT, "2")  # overall 2: the multiple-choice question on trouble shows
    assert "khó khăn" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "dang nhap")
    world.say_tg(CHAT, "2")
    assert "☑ Đăng nhập" in world.buttons_tg(CHAT)
    world.say_tg(CHAT, "xong")
    world.say_tg(CHAT, "bo qua")
    assert "Cảm ơn bạn đã trả lời khảo sát" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        response = db.session.scalar(select(SurveyResponse))
        assert (response.answers["visits"], response.answers["clarity"]) == ("2-3", 5)
        assert response.answers["problems"] == ["login", "papers"]
        assert "idea" not in response.answers
    before = len(world.tg.texts(CHAT))
    for old in ("ya:1", "ym:login", "yd", "yn"):
        world.tap_tg(CHAT, old)
    assert len(world.tg.texts(CHAT)) == before + 4  # each old tap is answered (the menu)


def test_menu_or_a_word_where_the_officer_question_is_awaited_is_not_sent(world, seeded):
    """Nobody's «menu», «xin chào» or «không» becomes a question in an officer's queue."""
    world.tap_tg(CHAT, "q")
    world.say_tg(CHAT, "menu")
    assert "❓ Hỏi đáp" in world.buttons_tg(CHAT)  # the menu, and the step left
    assert not any("Đã gửi câu hỏi" in t for t in world.tg.texts(CHAT))
    world.tap_tg(CHAT, "q")
    world.say_tg(CHAT, "xin chào")
    world.say_tg(CHAT, "không")  # no longer in the step: answered as any message
    world.tap_tg(CHAT, "q")
    world.say_tg(CHAT, "không")
    assert "rõ hơn một chút" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "Giấy khai sinh bản sao xin ở đâu?")
    assert "Đã gửi câu hỏi số" in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "q")
    world.say_tg(CHAT, "dang nhap vneid loi")  # looks like «link», but it is a question
    assert "Đã gửi câu hỏi số" in world.tg.texts(CHAT)[-1]
    with world.app.app_context():
        texts = [q.text for q in db.session.scalars(select(AgencyQuestion).order_by("id"))]
        assert texts == ["Giấy khai sinh bản sao xin ở đâu?", "dang nhap vneid loi"]


def test_menu_or_a_dossier_request_after_questions_is_not_taken_as_a_question(world, seeded):
    world.tap_tg(CHAT, "s")
    assert "Bạn cần hỏi gì" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "menu")
    assert "❓ Hỏi đáp" in world.buttons_tg(CHAT)
    assert "chưa có câu trả lời sẵn" not in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "s")
    world.say_tg(CHAT, "theo dõi hồ sơ 000.00.15.H12-251120-0001")
    assert "chưa có câu trả lời sẵn" not in world.tg.texts(CHAT)[-1]
    world.tap_tg(CHAT, "s")
    world.say_tg(CHAT, "đăng nhập VNeID bị lỗi")  # looks like «link», but it is a question
    assert "liên kết" not in world.tg.texts(CHAT)[-1].lower()[:40]
    world.tap_tg(CHAT, "s")
    world.say_tg(CHAT, "tôi không nhận được mã OTP")  # a question: answered as before
    assert world.tg.texts(CHAT)[-1].startswith("💡 ")
    with world.app.app_context():
        asked = [a.text for a in db.session.scalars(select(AskedQuestion).order_by("id"))]
        assert asked == ["đăng nhập VNeID bị lỗi", "tôi không nhận được mã OTP"]


def test_ask_an_officer_after_a_word_or_two_asks_for_the_question(world, seeded):
    """«Hỏi cán bộ» under a one-word message does not send that word to an officer's queue;
    a real question is sent, with the reply day (not an hour the office is closed)."""
    world.say_tg(CHAT, "asdfgh")
    world.tap_tg(CHAT, world.buttons_tg(CHAT)["🙋 Hỏi cán bộ"])
    assert "gõ câu hỏi cho cán bộ" in world.tg.texts(CHAT)[-1]
    world.say_tg(CHAT, "Cho tôi hỏi giấy chứng tử xin lại ở đâu?")
    sent = world.tg.texts(CHAT)[-1]
    assert "Đã gửi câu hỏi số" in sent and "chậm nhất ngày" in sent
    assert not re.search(r"\d{1,2}:\d{2}", sent)
    with world.app.app_context():
        (question,) = db.session.scalars(select(AgencyQuestion)).all()
        assert question.text.startswith("Cho tôi hỏi giấy chứng tử")
        # Routed by what it is about (civil status: the commune), not to the default unit.
        assert (question.field_code, question.unit_code) == ("HO_TICH", "000.21.15.H12")
    assert "Ủy ban nhân dân xã Tân Hòa" in sent
