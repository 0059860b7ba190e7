"""Support in the chat: answers to questions (an answer, a few choices, or plainly none with
the offer to ask an officer), articles with helpful / not helpful, step-by-step guidance with
a checklist to tick, a question to the agency, and surveys one question at a time.

Same services as the app (api.support); button payloads stay far below 64 bytes.
"""

from __future__ import annotations

from api.kernel.clock import to_local
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.text import fold
from api.support import articles, ask, guidance, questions
from api.support.answering import ARTICLE, decide
from api.support.models import ANSWER, CHOICES, FALLBACK
from api.support.questions import Asker
from api.support.routing import unit_name
from bots.engine import nlu
from bots.engine.context import Turn
from bots.engine.flows.surveys import (
    list_surveys,
    start_survey,
    survey_button,
    survey_text,
    takes,
    wants_text,
)
from bots.engine.state import ASK_AGENCY, SUPPORT, SURVEY
from bots.engine.types import Button

LABEL = 60
SURVEY_WORDS = ("khao sat", "survey", "phieu khao sat", "gop y khao sat")
# Typed where the officer's question is awaited, these (short) leave instead of being sent.
LEAVING_INTENTS = (nlu.HELP, nlu.GREETING, nlu.THANKS, nlu.LANGUAGE, nlu.LINK, nlu.CANCEL)
HEADS = ("s", "sa", "sf", "sv", "g", "gt", "q", "qs", "y", "ya", "ym", "yd", "yn")

register_messages(
    {
        "bot_btn_support": {"vi": "❓ Hỏi đáp", "en": "❓ Questions"},
        "bot_support_ask": {
            "vi": "Bạn cần hỏi gì? Xin gõ câu hỏi, ví dụ: «không nhận được mã OTP», "
            "«làm căn cước cần gì», «nhận kết quả qua bưu điện».",
            "en": "What would you like to ask? Type your question, e.g. «I did not get the "
            "code», «ID card papers», «result by post».",
        },
        "bot_support_no_answer": {
            "vi": "Hiện chưa có câu trả lời sẵn cho câu hỏi này. Bạn có thể gửi câu hỏi cho "
            "cán bộ: bấm «Hỏi cán bộ».",
            "en": "There is no ready answer to this yet. You can send the question to an "
            "officer: tap «Ask an officer».",
        },
        "bot_support_choices": {
            "vi": "Có phải bạn muốn hỏi một trong các điều sau? Bấm để xem:",
            "en": "Did you mean one of these? Tap to see:",
        },
        "bot_btn_helpful": {"vi": "👍 Hữu ích", "en": "👍 Helpful"},
        "bot_btn_not_helpful": {"vi": "👎 Chưa giúp được", "en": "👎 Not helpful"},
        "bot_btn_full": {"vi": "📖 Xem đầy đủ", "en": "📖 Read more"},
        "bot_btn_guide": {"vi": "📝 Hướng dẫn từng bước", "en": "📝 Step by step"},
        "bot_btn_ask_officer": {"vi": "🙋 Hỏi cán bộ", "en": "🙋 Ask an officer"},
        "bot_btn_send_it": {"vi": "📨 Gửi câu vừa hỏi", "en": "📨 Send that question"},
        "bot_support_thanks_vote": {
            "vi": "Cảm ơn bạn đã cho biết! Ý kiến giúp chúng tôi viết hướng dẫn rõ hơn.",
            "en": "Thank you for telling us! It helps us write clearer answers.",
        },
        "bot_support_not_helpful": {
            "vi": "Xin lỗi vì câu trả lời chưa giúp được bạn. Bạn có muốn hỏi cán bộ không?",
            "en": "Sorry this did not help. Would you like to ask an officer?",
        },
        "bot_support_ask_officer": {
            "vi": "Xin gõ câu hỏi cho cán bộ (không cần ghi số định danh hay số điện thoại). "
            "Câu trả lời sẽ được gửi về đây.",
            "en": "Please type your question for the officer (no need for ID or phone numbers). "
            "The answer will come back here.",
        },
        "bot_support_question_sent": {
            "vi": "📨 Đã gửi câu hỏi số {id} cho {unit}. Cán bộ sẽ trả lời chậm nhất ngày "
            "{due}; câu trả lời được gửi về đây ngay khi có.",
            "en": "📨 Question {id} was sent to {unit}. An officer will answer by {due} at the "
            "latest; the answer comes here as soon as it is ready.",
        },
        "bot_support_question_short": {
            "vi": "Xin gõ câu hỏi rõ hơn một chút (vài từ trở lên) để cán bộ trả lời được, "
            "hoặc bấm «Dừng».",
            "en": "Please type your question a little more fully so the officer can answer, "
            "or tap «Stop».",
        },
        "bot_support_question_same": {
            "vi": "Câu hỏi này bạn vừa gửi rồi (số {id}); cán bộ sẽ trả lời sớm.",
            "en": "You just sent this question (number {id}); an officer will answer soon.",
        },
        "bot_support_guide_checklist": {
            "vi": "✅ Bấm vào từng giấy tờ khi bạn đã chuẩn bị xong:",
            "en": "✅ Tap each paper once you have it ready:",
        },
    }
)


def handles(head: str) -> bool:
    return head in HEADS


def _cut(label: str) -> str:
    return label if len(label) <= LABEL else label[: LABEL - 1].rstrip(" ,") + "…"


def start(turn: Turn) -> None:
    turn.state.reset()
    turn.state.expect(SUPPORT)
    turn.say(turn.t("bot_support_ask"), turn.back_buttons())


def wants_surveys(text: str) -> bool:
    folded = f" {fold(text)} "
    return any(f" {w} " in folded for w in SURVEY_WORDS)


def answer(turn: Turn, text: str, fallback_prefix: str = "") -> None:
    """Answer a question typed in the chat; logged with its outcome like the app's."""
    if wants_surveys(text):
        list_surveys(turn)
        return
    result = ask.ask(text, turn.channel if turn.channel != "web" else "web", turn.lang)
    turn.state.support = {"last": text[:300]}
    if result.outcome == ANSWER:
        _show_candidate(turn, result.answer)
    elif result.outcome == CHOICES:
        rows = [[Button(_cut(c["title"]), _choice_data(c))] for c in result.choices]
        rows.append([turn.button("bot_btn_ask_officer", "qs")])
        turn.say(turn.t("bot_support_choices"), [*rows, *turn.back_buttons()])
    else:
        words = turn.t("bot_support_no_answer")
        text_out = f"{fallback_prefix}\n\n{words}" if fallback_prefix else words
        buttons = [[turn.button("bot_btn_ask_officer", "qs")]]
        turn.say(text_out, [*buttons, *turn.menu_buttons()])


def general_answer(turn: Turn, text: str) -> bool:
    """Before procedure search (the parser found a procedure): only a general article (about
    no procedure: OTP, VNeID, payment...) leading the answering takes the question; procedure
    questions stay with procedure search, whose card has the papers, fees and time."""
    if wants_surveys(text):
        list_surveys(turn)
        return True
    if not has_general_answer(text):
        return False
    answer(turn, text)
    return True


def has_general_answer(text: str) -> bool:
    """Whether a general article (about no procedure) leads the answering of ``text``."""
    decision = decide(ask.candidates(text))
    top = decision.top
    return (
        decision.outcome != FALLBACK and top is not None and top.kind == ARTICLE and not top.related
    )


def _choice_data(candidate: dict) -> str:
    if candidate["kind"] == ARTICLE:
        return f"sa:{candidate['key']}"
    return f"g:{candidate['key']}"


def _show_candidate(turn: Turn, shown: dict) -> None:
    if shown["kind"] != ARTICLE:
        _guide(turn, shown["key"])
        return
    show_article(turn, shown["key"], procedure=shown.get("procedure_code"))


def show_article(turn: Turn, slug: str, full: bool = False, procedure: str | None = None) -> None:
    try:
        article = articles.view(slug)
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.back_buttons())
        return
    shown = articles.localised(article, turn.lang)
    body = shown["full_answer"] if full and shown["full_answer"] else shown["short_answer"]
    text = f"💡 {shown['title']}\n{body}"
    if shown["stale_note"]:
        text += f"\n⚠ {shown['stale_note']}"
    rows = [
        [
            turn.button("bot_btn_helpful", f"sv:{slug}:1"),
            turn.button("bot_btn_not_helpful", f"sv:{slug}:0"),
        ]
    ]
    if not full and shown["full_answer"]:
        rows.append([turn.button("bot_btn_full", f"sf:{slug}")])
    code = procedure or (shown["procedure_codes"] or [None])[0]
    if code:
        rows.append([turn.button("bot_btn_guide", f"g:{code}")])
    turn.say(text, [*rows, *turn.back_buttons()])


def vote(turn: Turn, rest: str) -> None:
    slug, _, value = rest.rpartition(":")
    try:
        articles.vote(slug, f"chat:{turn.channel}:{turn.chat_id}", value == "1")
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.back_buttons())
        return
    if value == "1":
        turn.say(turn.t("bot_support_thanks_vote"), turn.back_buttons())
    else:
        turn.say(
            turn.t("bot_support_not_helpful"),
            [[turn.button("bot_btn_ask_officer", "qs")], *turn.back_buttons()],
        )


# ---- guidance with a checklist --------------------------------------------------------------


def _guide(turn: Turn, code: str) -> None:
    try:
        guide = guidance.for_code(code, turn.lang)
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.back_buttons())
        return
    turn.state.support = {**turn.state.support, "guide": code, "ticked": []}
    aspect = None
    turn.say(guidance.short_text(guide, turn.lang, aspect) + "\n👉 " + guide["what_next"])
    _checklist(turn, guide, [])


def _checklist(turn: Turn, guide: dict, ticked: list[int]) -> None:
    rows = []
    for item in guide["checklist"][:8]:
        mark = "☑" if item["index"] in ticked else "☐"
        rows.append([Button(_cut(f"{mark} {item['name']}"), f"gt:{item['index']}")])
    progress = guidance.checklist_progress(guide, ticked, turn.lang)
    turn.say(f"{turn.t('bot_support_guide_checklist')}\n{progress}", [*rows, *turn.back_buttons()])


def tick(turn: Turn, rest: str) -> None:
    code = turn.state.support.get("guide")
    if not code or not rest.isdigit():
        start(turn)
        return
    ticked = list(turn.state.support.get("ticked", []))
    index = int(rest)
    ticked = [i for i in ticked if i != index] if index in ticked else [*ticked, index]
    turn.state.support = {**turn.state.support, "ticked": ticked}
    _checklist(turn, guidance.for_code(code, turn.lang), ticked)


# ---- a question to the agency ---------------------------------------------------------------


def ask_officer(turn: Turn, send_last: bool = False) -> None:
    last = turn.state.support.get("last")
    if send_last and last and _not_a_question(last, "") is None:
        _send_question(turn, last)
        return
    keep = dict(turn.state.support)
    turn.state.reset()
    turn.state.support = keep
    turn.state.expect(ASK_AGENCY)
    turn.say(turn.t("bot_support_ask_officer"), [[turn.button("bot_btn_cancel", "x")]])


def _send_question(turn: Turn, text: str) -> None:
    principal = turn.principal()
    asker = Asker(
        principal=principal,
        channel=turn.channel,
        chat_id=None if principal else turn.chat_id,
        language=turn.lang,
    )
    try:
        question, created = questions.ask_agency(text, asker, field_code=ask.likely_field(text))
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.back_buttons())
        return
    turn.state.reset()

    if created:
        due = to_local(question.due_at).strftime("%d/%m/%Y")  # a day: offices keep hours
        unit = unit_name(question.unit_code) or question.unit_code
        turn.say(
            turn.t("bot_support_question_sent", id=question.id, unit=unit, due=due),
            turn.menu_buttons(),
        )
    else:
        turn.say(turn.t("bot_support_question_same", id=question.id), turn.menu_buttons())


# ---- the router's entry points --------------------------------------------------------------


def button(turn: Turn, head: str, rest: str) -> None:
    if head == "s":
        start(turn)
    elif head == "sa" and rest:
        show_article(turn, rest)
    elif head == "sf" and rest:
        show_article(turn, rest, full=True)
    elif head == "sv" and rest:
        vote(turn, rest)
    elif head == "g" and rest:
        _guide(turn, rest)
    elif head == "gt":
        tick(turn, rest)
    elif head in ("q", "qs"):
        ask_officer(turn, send_last=head == "qs")
    elif head == "y" and rest:
        start_survey(turn, rest)
    elif head in ("ya", "ym", "yd", "yn"):
        survey_button(turn, head, rest)


def _not_a_question(text: str, intent: str) -> str | None:
    """Why a message typed where the officer's question is expected is not one: None when it
    is a question; "leave" for a menu, greeting or thanks; "short" for a word or two."""
    words = fold(text).split()
    if intent in LEAVING_INTENTS and len(words) <= 3:  # «hướng dẫn làm cccd» is a question
        return "leave"
    if len(words) < 3 or len(text.strip()) < 10:
        return "short"
    return None


def in_step(turn: Turn, text: str, cancel: bool, off_topic: bool = False, intent: str = "") -> bool:
    """The support steps take the next message: a question, a question for the officer, or
    a survey answer. "thoát" leaves any of them; a clearly different request (a dossier
    code, a procedure) typed where a survey wants a tap leaves the survey and gets through."""
    mode = turn.state.mode
    if mode not in (SUPPORT, ASK_AGENCY, SURVEY):
        return False
    if mode == SURVEY and takes(turn, text):
        survey_text(turn, text)
        return True
    if mode == SURVEY and off_topic and not wants_text(turn):
        turn.state.reset()
        return False
    if cancel:
        turn.state.reset()
        turn.say(turn.t("bot_cancelled"), turn.menu_buttons())
        return True
    if mode == SUPPORT:
        turn.state.reset()
        chatty = (nlu.FIND, nlu.UNKNOWN, nlu.HELP, nlu.GREETING, nlu.THANKS, nlu.LINK)
        chatty += (nlu.LANGUAGE,)  # «đăng nhập vneid lỗi» is a question, not linking
        if _not_a_question(text, intent) == "leave" or (off_topic and intent not in chatty):
            return False  # «menu», a dossier to check or follow: routed as anywhere else
        answer(turn, text)
    elif mode == ASK_AGENCY:
        why = _not_a_question(text, intent)
        if why == "leave":  # «menu», «xin chào», «cảm ơn»: not sent to an officer
            turn.state.reset()
            return False
        if why == "short":
            turn.say(turn.t("bot_support_question_short"), [[turn.button("bot_btn_cancel", "x")]])
        else:
            _send_question(turn, text)
    else:
        survey_text(turn, text)
    return True
