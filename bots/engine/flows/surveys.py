"""Surveys in the chat, one question at a time: taps for choices and the 1-5 scale, typed
text for open questions, ticks for multiple choice; the response is submitted at the end
through the same service as the app (one per respondent and period)."""

from __future__ import annotations

from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.text import fold
from api.support import surveys
from api.support.survey_models import MULTIPLE, SCALE, SINGLE
from api.support.surveys import Respondent
from bots.engine.context import Turn
from bots.engine.flows import menu
from bots.engine.state import SURVEY
from bots.engine.types import Button

LABEL = 60
SKIP_WORDS = ("bo qua", "skip", "khong tra loi", "qua")
DONE_WORDS = ("xong", "done", "het", "da chon xong")

register_messages(
    {
        "bot_support_surveys": {
            "vi": "Các phiếu khảo sát đang mở. Bấm để trả lời (vài câu ngắn):",
            "en": "Open surveys. Tap one to answer (a few short questions):",
        },
        "bot_support_no_surveys": {
            "vi": "Hiện không có phiếu khảo sát nào đang mở.",
            "en": "There is no open survey right now.",
        },
        "bot_survey_question": {"vi": "Câu {n}: {text}", "en": "Question {n}: {text}"},
        "bot_survey_type_text": {
            "vi": "Xin gõ câu trả lời, hoặc bấm «Bỏ qua».",
            "en": "Please type your answer, or tap «Skip».",
        },
        "bot_survey_pick_many": {
            "vi": "Chọn một hoặc nhiều ý, rồi bấm «Xong».",
            "en": "Pick one or more, then tap «Done».",
        },
        "bot_survey_required": {
            "vi": "Câu này cần có câu trả lời, xin bạn chọn một ý.",
            "en": "This question needs an answer; please pick one.",
        },
        "bot_btn_done": {"vi": "✔ Xong", "en": "✔ Done"},
        "bot_btn_stop_survey": {"vi": "✖ Dừng khảo sát", "en": "✖ Stop the survey"},
        "bot_survey_thanks": {
            "vi": "🙏 Cảm ơn bạn đã trả lời khảo sát!",
            "en": "🙏 Thank you for answering the survey!",
        },
    }
)


def _cut(label: str) -> str:
    return label if len(label) <= LABEL else label[: LABEL - 1].rstrip(" ,") + "…"


def list_surveys(turn: Turn) -> None:
    turn.state.reset()
    open_ = [s for s in surveys.active() if s.kind != "post_dossier"]
    mine = surveys.pending_after_dossier(turn.principal())
    if not open_ and not mine:
        turn.say(turn.t("bot_support_no_surveys"), turn.back_buttons())
        return
    rows = [
        [Button(_cut(f"{_title(s, turn.lang)} – {d.code}"), f"y:{s.slug}:{d.code}")]
        for s, d in mine
    ]
    rows += [[Button(_cut(_title(s, turn.lang)), f"y:{s.slug}")] for s in open_]
    turn.say(turn.t("bot_support_surveys"), [*rows, *turn.back_buttons()])


def _title(survey, lang: str) -> str:  # noqa: ANN001
    return survey.title_vi if lang == "vi" else survey.title_en or survey.title_vi


def _respondent(turn: Turn) -> Respondent:
    principal = turn.principal()
    return Respondent(
        principal=principal,
        chat=None if principal else (turn.channel, turn.chat_id),
        channel=turn.channel,
    )


def start_survey(turn: Turn, rest: str) -> None:
    slug, _, code = rest.partition(":")
    try:
        survey = surveys.get(slug)
        if surveys.answered(slug, _respondent(turn), code or None):
            raise ApiError(409, "survey_already_answered")
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.back_buttons())
        return
    turn.state.reset()
    turn.state.expect(SURVEY, slug, code)
    turn.state.support = {"answers": {}, "at": None, "n": 0}
    intro = survey.intro_vi if turn.lang == "vi" else survey.intro_en or survey.intro_vi
    title = survey.title_vi if turn.lang == "vi" else survey.title_en or survey.title_vi
    turn.say(f"📋 {title}\n{intro}")
    _next(turn, survey)


def _text_of(question: dict, lang: str) -> str:
    return (
        question.get("text_vi") if lang == "vi" else question.get("text_en") or question["text_vi"]
    )


def _question(survey, key: str | None) -> dict | None:  # noqa: ANN001
    return next((q for q in survey.questions if q["key"] == key), None)


def _next(turn: Turn, survey) -> None:  # noqa: ANN001
    progress = turn.state.support
    question = surveys.next_question(survey, progress["answers"], progress["at"])
    if question is None:
        _finish(turn, survey)
        return
    progress["at_pending"] = question["key"]
    progress["n"] = progress.get("n", 0) + 1
    progress["picked"] = []
    _ask_question(turn, question)


def _ask_question(turn: Turn, question: dict, note: str = "") -> None:
    progress = turn.state.support
    text = turn.t("bot_survey_question", n=progress["n"], text=_text_of(question, turn.lang))
    text = f"{note}\n{text}" if note else text
    # A required question has no «Skip»: skipped, the whole response would be refused at the end.
    skip = [turn.button("bot_btn_stop_survey", "x")]
    if not question.get("required"):
        skip.insert(0, turn.button("bot_btn_skip", "yn"))
    if question["type"] == SCALE:
        hint = (
            "(1 = rất không hài lòng … 5 = rất hài lòng)"
            if turn.lang == "vi"
            else "(1 = very dissatisfied … 5 = very satisfied)"
        )
        turn.say(f"{text}\n{hint}", [[Button(str(v), f"ya:{v}") for v in range(1, 6)], skip])
    elif question["type"] in (SINGLE, MULTIPLE):
        picked = progress.get("picked", [])
        label = "label_vi" if turn.lang == "vi" else "label_en"
        head = "ya" if question["type"] == SINGLE else "ym"
        rows = [
            [
                Button(
                    _cut(("☑ " if o["value"] in picked else "") + (o.get(label) or o["label_vi"])),
                    f"{head}:{o['value']}",
                )
            ]
            for o in question["options"]
        ]
        if question["type"] == MULTIPLE:
            rows.append([turn.button("bot_btn_done", "yd")])
            text += "\n" + turn.t("bot_survey_pick_many")
        turn.say(text, [*rows, skip])
    else:
        turn.say(text + "\n" + turn.t("bot_survey_type_text"), [skip])


def _gone(turn: Turn) -> None:
    """A tap or word for a survey that is no longer open in this chat: never silence."""
    turn.state.reset()
    menu.show_menu(turn)


def _advance(turn: Turn, value: object | None) -> None:
    survey = surveys.get(turn.state.action)
    progress = turn.state.support
    key = progress.get("at_pending")
    if key is None:
        _gone(turn)
        return
    question = _question(survey, key)
    if value in (None, "", []) and question is not None and question.get("required"):
        _ask_question(turn, question, turn.t("bot_survey_required"))
        return
    progress.pop("at_pending", None)
    if value not in (None, "", []):
        progress["answers"][key] = value
    progress["at"] = key
    _next(turn, survey)


def survey_button(turn: Turn, head: str, rest: str) -> None:
    if turn.state.mode != SURVEY:  # an old survey button, after leaving it
        _gone(turn)
        return
    progress = turn.state.support
    if head == "ya":
        _advance(turn, rest)
    elif head == "yn":
        _advance(turn, None)
    elif head == "yd":
        _advance(turn, list(progress.get("picked", [])))
    elif head == "ym":
        question = _question(surveys.get(turn.state.action), progress.get("at_pending"))
        if question is None:
            _gone(turn)
            return
        _toggle(turn, question, rest)


def _toggle(turn: Turn, question: dict, value: str) -> None:
    progress = turn.state.support
    picked = list(progress.get("picked", []))
    progress["picked"] = [p for p in picked if p != value] if value in picked else [*picked, value]
    _ask_question(turn, question)  # the same question, with the ticks shown


def _typed_option(question: dict, typed: str) -> str | None:
    """The option a typed reply names: its number (1, 2...), its value or its label, with or
    without marks ("2-3 lan" is «2–3 lần»)."""
    options = question.get("options") or []
    words = fold(typed)
    if typed.isdigit() and 1 <= int(typed) <= len(options):
        return str(options[int(typed) - 1]["value"])
    for option in options:
        names = (option.get("value"), option.get("label_vi"), option.get("label_en"))
        if words and words in {fold(str(n)) for n in names if n}:
            return str(option["value"])
    return None


def typed_skip(text: str) -> bool:
    """«bỏ qua» in a survey means skip this question, not stop (the parser reads cancel)."""
    return fold(text) in SKIP_WORDS


def takes(turn: Turn, text: str) -> bool:
    """The typed reply is an answer to the pending question (skip, done, a scale digit, an
    option's number or label), so it stays in the survey whatever else it looks like."""
    if typed_skip(text):
        return True
    question = _question(surveys.get(turn.state.action), turn.state.support.get("at_pending"))
    if question is None or question["type"] not in (SINGLE, MULTIPLE, SCALE):
        return False
    words = fold(text)
    if question["type"] == SCALE:
        return words in ("1", "2", "3", "4", "5")
    if question["type"] == MULTIPLE and words in DONE_WORDS:
        return True
    return _typed_option(question, text.strip()) is not None


def wants_text(turn: Turn) -> bool:
    survey = surveys.get(turn.state.action)
    question = _question(survey, turn.state.support.get("at_pending"))
    return question is not None and question["type"] in ("short", "long")


def survey_text(turn: Turn, text: str) -> None:
    survey = surveys.get(turn.state.action)
    question = _question(survey, turn.state.support.get("at_pending"))
    if question is None:
        _gone(turn)
        return
    choice, words = text.strip(), fold(text)
    if typed_skip(text):
        _advance(turn, None)
    elif question["type"] in ("short", "long"):
        _advance(turn, choice)
    elif question["type"] == SCALE and words in ("1", "2", "3", "4", "5"):
        _advance(turn, words)
    elif question["type"] == MULTIPLE and words in DONE_WORDS:
        _advance(turn, list(turn.state.support.get("picked", [])))
    elif (value := _typed_option(question, choice)) is not None and question["type"] != SCALE:
        if question["type"] == SINGLE:
            _advance(turn, value)
        else:
            _toggle(turn, question, value)
    else:
        _ask_question(turn, question)  # not an option: the same question again


def _finish(turn: Turn, survey) -> None:  # noqa: ANN001
    answers = dict(turn.state.support.get("answers", {}))
    code = turn.state.code or None
    turn.state.reset()
    try:
        surveys.submit(survey.slug, answers, _respondent(turn), code)
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.menu_buttons())
        return
    turn.say(turn.t("bot_survey_thanks"), turn.menu_buttons())
