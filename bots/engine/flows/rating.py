"""Rate a finished dossier: one question at a time with buttons, each answer recorded as it
is given (api.rating.record_chat_answers), a way to skip and to stop; nothing is invented
for questions left unanswered."""

from __future__ import annotations

from api.dossiers.models import Dossier
from api.kernel.digits import is_digits
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.messaging.models import CHANNELS
from api.rating.models import BY_CITIZEN, RatingIndicator
from api.rating.service import edit_window, indicators, rating_state, record_chat_answers
from bots.engine.context import Turn
from bots.engine.state import RATE
from bots.engine.types import Button

COMMENT = "comment"  # the step after the last question

register_messages(
    {
        "bot_rate_needs_link": {
            "vi": "Chỉ người đứng tên hồ sơ mới đánh giá được. Xin liên kết trò chuyện này với "
            "số điện thoại ghi trên hồ sơ hoặc với tài khoản VNeID của bạn "
            "(bấm «Liên kết tài khoản»).",
            "en": "Only the applicant can rate. Please link this chat with the phone number "
            "on the dossier or with your VNeID account (tap «Link my account»).",
        },
        "bot_rate_intro": {
            "vi": "Cảm ơn bạn dành chút thời gian đánh giá hồ sơ {code}. "
            "Có {count} câu hỏi ngắn; bạn có thể bỏ qua hoặc dừng bất cứ lúc nào.",
            "en": "Thank you for rating dossier {code}. There are {count} short questions; "
            "you can skip or stop at any time.",
        },
        "bot_rate_question": {"vi": "Câu {n}/{total}: {question}", "en": "{n}/{total}: {question}"},
        "bot_rate_comment": {
            "vi": "Bạn có muốn góp ý thêm không? Gõ góp ý của bạn, hoặc bấm «Bỏ qua».",
            "en": "Anything else you would like to say? Type it, or tap «Skip».",
        },
        "bot_rate_done": {
            "vi": "⭐ Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp cơ quan phục vụ tốt hơn.",
            "en": "⭐ Thank you for your rating! It helps the office serve people better.",
        },
        "bot_rate_stopped": {
            "vi": "Đã dừng đánh giá. Các câu bạn đã trả lời được ghi nhận.",
            "en": "Rating stopped. The answers you gave are kept.",
        },
        "bot_rate_pick": {
            "vi": "Xin bấm một lựa chọn bên dưới (hoặc gõ số thứ tự của lựa chọn).",
            "en": "Please tap one of the options below (or type its number).",
        },
        "bot_btn_skip": {"vi": "⏭ Bỏ qua", "en": "⏭ Skip"},
        "bot_btn_stop_rating": {"vi": "✖ Dừng đánh giá", "en": "✖ Stop rating"},
    }
)


def _questions() -> list[RatingIndicator]:
    return [i for i in indicators() if i.answered_by == BY_CITIZEN]


def _channel(turn: Turn) -> str:
    return turn.channel if turn.channel in CHANNELS else "web"


def start(turn: Turn, dossier: Dossier | None, full: bool) -> None:
    principal = turn.principal()
    turn.state.reset()
    if not full or principal is None or dossier is None:
        turn.say(
            turn.t("bot_rate_needs_link"),
            [[turn.button("bot_btn_link", "l")], *turn.back_buttons()],
        )
        return
    try:
        state = rating_state(principal, dossier.code)
    except ApiError as error:
        turn.say(turn.error_text(error), turn.back_buttons())
        return
    if not state.open:
        turn.say(turn.t(state.reason, days=edit_window().days), turn.back_buttons())
        return
    questions = _questions()
    turn.state.expect(RATE, "rate", dossier.code)
    turn.state.rating = {"step": 0}
    turn.say(turn.t("bot_rate_intro", code=dossier.code, count=len(questions)))
    _ask(turn, questions)


def _ask(turn: Turn, questions: list[RatingIndicator]) -> None:
    step = turn.state.rating.get("step", 0)
    if step >= len(questions):
        turn.state.rating["step"] = COMMENT
        turn.say(
            turn.t("bot_rate_comment"),
            [[turn.button("bot_btn_skip", "rn")], [turn.button("bot_btn_stop_rating", "x")]],
        )
        return
    indicator = questions[step]
    question = indicator.question_vi if turn.lang == "vi" else indicator.question_en
    rows = [
        [
            Button(
                option["label_vi" if turn.lang == "vi" else "label_en"],
                f"ra:{indicator.code}:{option['score']}",
            )
        ]
        for option in indicator.options
    ]
    rows.append([turn.button("bot_btn_skip", "rn"), turn.button("bot_btn_stop_rating", "x")])
    turn.say(turn.t("bot_rate_question", n=step + 1, total=len(questions), question=question), rows)


def answer(turn: Turn, indicator_code: int, score: int) -> None:
    """A button pressed: record this one answer, then ask the next question."""
    questions = _questions()
    step = turn.state.rating.get("step", 0)
    if step == COMMENT or step >= len(questions) or questions[step].code != indicator_code:
        return  # an old button from an earlier question: ignore it quietly
    if not _record(turn, {str(indicator_code): score}):
        return
    turn.state.rating["step"] = step + 1
    _ask(turn, questions)


def skip(turn: Turn) -> None:
    questions = _questions()
    step = turn.state.rating.get("step", 0)
    if step == COMMENT:
        _finish(turn)
        return
    turn.state.rating["step"] = step + 1
    _ask(turn, questions)


def text(turn: Turn, typed: str) -> None:
    """Typed instead of tapped: a comment at the end, or the number of an option."""
    questions = _questions()
    step = turn.state.rating.get("step", 0)
    if step == COMMENT:
        if _record(turn, {}, comment=typed):
            _finish(turn)
        return
    options = questions[step].options if step < len(questions) else []
    choice = typed.strip()
    if is_digits(choice) and 1 <= int(choice) <= len(options):
        answer(turn, questions[step].code, options[int(choice) - 1]["score"])
        return
    turn.say(turn.t("bot_rate_pick"))
    _ask(turn, questions)


def _record(turn: Turn, answers: dict, comment: str | None = None) -> bool:
    principal = turn.principal()
    if principal is None:  # unlinked meanwhile
        stop(turn)
        return False
    try:
        record_chat_answers(principal, turn.state.code, answers, _channel(turn), comment)
    except ApiError as error:
        turn.state.reset()
        params = {"days": edit_window().days, **error.params}
        turn.say(turn.t(error.slug, **params), turn.back_buttons())
        return False
    return True


def _finish(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("bot_rate_done"), turn.menu_buttons())


def stop(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("bot_rate_stopped"), turn.menu_buttons())
