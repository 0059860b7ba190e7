"""Surveys in the chat, one question at a time: taps for choices and the 1-5 scale, typed
text for open questions, ticks for multiple choice; the response is submitted at the end
through the same service as the app (one per respondent and period)."""

from __future__ import annotations

from api.errors import ApiError
from api.i18n import register_messages
from api.support import surveys
from api.support.survey_models import MULTIPLE, SCALE, SINGLE
from api.support.surveys import Respondent
from bots.engine.context import Turn
from bots.engine.state import SURVEY
from bots.engine.types import Button

LABEL = 60

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


def _ask_question(turn: Turn, question: dict) -> None:
    progress = turn.state.support
    text = turn.t("bot_survey_question", n=progress["n"], text=_text_of(question, turn.lang))
    skip = [turn.button("bot_btn_skip", "yn"), turn.button("bot_btn_stop_survey", "x")]
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


def _advance(turn: Turn, value: object | None) -> None:
    survey = surveys.get(turn.state.action)
    progress = turn.state.support
    key = progress.pop("at_pending", None)
    if key is None:
        return
    if value not in (None, "", []):
        progress["answers"][key] = value
    progress["at"] = key
    _next(turn, survey)


def survey_button(turn: Turn, head: str, rest: str) -> None:
    if turn.state.mode != SURVEY:
        return
    progress = turn.state.support
    if head == "ya":
        _advance(turn, rest)
    elif head == "yn":
        _advance(turn, None)
    elif head == "yd":
        _advance(turn, list(progress.get("picked", [])))
    elif head == "ym":
        picked = list(progress.get("picked", []))
        progress["picked"] = [p for p in picked if p != rest] if rest in picked else [*picked, rest]
        question = _question(surveys.get(turn.state.action), progress.get("at_pending"))
        if question is not None:
            _ask_question(turn, question)  # the same question, with the ticks shown


def wants_text(turn: Turn) -> bool:
    survey = surveys.get(turn.state.action)
    question = _question(survey, turn.state.support.get("at_pending"))
    return question is not None and question["type"] in ("short", "long")


def survey_text(turn: Turn, text: str) -> None:
    survey = surveys.get(turn.state.action)
    question = _question(survey, turn.state.support.get("at_pending"))
    if question is None:
        return
    if question["type"] in ("short", "long"):
        _advance(turn, text.strip())
        return
    choice = text.strip()
    values = (
        [str(v) for v in range(1, 6)]
        if question["type"] == SCALE
        else [o["value"] for o in question["options"]]
    )
    if question["type"] == SCALE and choice in values:
        _advance(turn, choice)
    elif question["type"] == SINGLE and choice.isdigit() and 1 <= int(choice) <= len(values):
        _advance(turn, values[int(choice) - 1])
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
