"""Find a procedure: the best matches as buttons, then a short card for the one chosen."""

from __future__ import annotations

from api.catalog.search.index import CODE_QUERY, Filters
from api.catalog.service import get_procedure, search_index, search_procedures
from api.kernel import settings
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from bots.engine import cards
from bots.engine.context import Turn
from bots.engine.types import Button

RESULTS = 4
# Below the search's "close" bar but not hopeless: worth offering choices rather than the menu
# (tuning split: most English requests, about half of the off-topic chatter).
PLAUSIBLE = 0.1
LABEL = 60  # button labels longer than this are cut (small screens; Zalo titles are short)

register_messages(
    {
        "bot_find_ask": {
            "vi": "Bạn cần làm thủ tục gì? Xin gõ ngắn gọn, ví dụ: «làm căn cước», "
            "«đăng ký khai sinh», «sang tên sổ đỏ».",
            "en": "Which procedure do you need? Type a few words, e.g. «ID card», "
            "«birth registration», «land title transfer».",
        },
        "bot_find_results": {
            "vi": "Tôi tìm thấy các thủ tục sau. Bấm vào thủ tục bạn cần (hoặc gõ số 1, 2, 3...):",
            "en": "I found these procedures. Tap the one you need (or type 1, 2, 3...):",
        },
        "bot_find_none": {
            "vi": "Tôi chưa tìm thấy thủ tục phù hợp với «{query}». Bạn thử gõ cách khác, "
            "ví dụ: «làm hộ chiếu», «đăng ký tạm trú».",
            "en": "I found no procedure for «{query}». Please try other words, "
            "e.g. «passport», «temporary residence».",
        },
        "bot_find_unsure": {
            "vi": "Tôi chưa chắc bạn cần thủ tục nào cho «{query}». Có phải một trong các thủ "
            "tục sau không? Nếu không, bạn thử gõ cách khác, hoặc bấm «Hỏi cán bộ» để hỏi cơ "
            "quan nhé.",
            "en": "I am not sure which procedure you need for «{query}». Is it one of these? "
            "If not, please try other words, or tap «Ask an officer» to ask the agency.",
        },
        "bot_btn_other_procedure": {"vi": "🔎 Tìm thủ tục khác", "en": "🔎 Another procedure"},
        "bot_find_maybe": {
            "vi": "Nếu bạn đang hỏi về thủ tục, đây là các thủ tục có thể bạn cần (bấm để xem):",
            "en": "If you are asking about a procedure, these may be what you need (tap to see):",
        },
        "bot_find_after_question": {
            "vi": "Trong lúc chờ cán bộ trả lời, đây là các thủ tục có thể bạn cần (bấm để xem):",
            "en": "While the officer answers, these procedures may be what you need (tap to see):",
        },
        "bot_find_while_in_thread": {
            "vi": "Tin nhắn đã gửi cho cán bộ. Nếu bạn đang hỏi về thủ tục, đây là các thủ tục "
            "có thể bạn cần (bấm để xem). Bạn vẫn đang nhắn với cán bộ; bấm «Kết thúc trò "
            "chuyện» khi xong.",
            "en": "Your message was sent to the officer. If you are asking about a procedure, "
            "these may be what you need (tap to see). You are still writing to the officer; "
            "tap «End conversation» when done.",
        },
    }
)


def _relevant(query: str) -> list[int]:
    """The best matches' positions when the search's calibrated confidence says they fit
    (the same engine and bar as the API's "no close match"); else none, so that "thời tiết
    hôm nay" is not taken for a procedure search."""
    result = search_index().search(query, Filters(), 0, 3)
    if result.evidence is not None and result.evidence.close:
        return result.positions
    return []


def top_names(topic: str) -> list[str]:
    """Folded name of the best relevant match: what the parser checks intent words against."""
    index = search_index()
    return [index.folded_names[p] for p in _relevant(topic)[:1]]


def offer_nearest(turn: Turn, topic: str) -> bool:
    """A message not understood that may still be about a procedure (English, an unusual
    phrasing): say plainly that we are unsure and offer the nearest as choices. False when
    even the nearest is too far (then the menu is shown)."""
    if not topic.strip():
        return False
    result = search_index().search(topic, Filters(), 0, RESULTS)
    if result.evidence is None or result.evidence.confidence < PLAUSIBLE or not result.nearest:
        return False
    find(turn, topic)
    return True


def ask(turn: Turn) -> None:
    turn.state.reset()
    turn.say(turn.t("bot_find_ask"), turn.back_buttons())


def _rows(items: list[dict]) -> list[list[Button]]:
    return [
        [Button(_label(i, item["name"]), f"p:{item['code']}")] for i, item in enumerate(items, 1)
    ]


def offer(turn: Turn, query: str, text: str, keep: list[list[Button]]) -> bool:
    """The best procedures for ``query`` as buttons under ``text``, without leaving the step
    the chat is in (the officer's thread); False when none is relevant."""
    query = query.strip()
    if not query or not _relevant(query):
        return False
    items = search_procedures(query, Filters(), Page(1, RESULTS)).items
    if not items:
        return False
    turn.say(text, [*_rows(items), *keep])
    return True


def find(turn: Turn, query: str) -> None:
    query = query.strip()
    if not query:
        ask(turn)
        return
    code = CODE_QUERY.match(query)
    if code:
        show(turn, code.group(1))
        return
    page = search_procedures(query, Filters(), Page(1, RESULTS), turn.lang)
    close = page.match is None or page.match["close"]
    items = page.items if close else page.match["suggestions"]
    turn.state.reset()
    if not items:
        turn.state.results = []
        turn.say(turn.t("bot_find_none", query=query[:60]), turn.back_buttons())
        return
    turn.state.results = [item["code"] for item in items]
    rows = _rows(items)
    if close:
        turn.say(turn.t("bot_find_results"), [*rows, *turn.back_buttons()])
        return
    # Not sure: say so plainly and offer the nearest as choices, never one confident card.
    # Nor trapped: asking an officer (the support flow's "qs") takes this very question.
    turn.state.support = {"last": query[:300]}
    other = [turn.button("bot_btn_other_procedure", "f"), turn.button("bot_btn_ask_officer", "qs")]
    turn.say(turn.t("bot_find_unsure", query=query[:60]), [*rows, other, *turn.back_buttons()])


def pick(turn: Turn, number: int) -> bool:
    """ "2" after a list of results opens the second one."""
    if not 1 <= number <= len(turn.state.results):
        return False
    show(turn, turn.state.results[number - 1])
    return True


def show(turn: Turn, code: str) -> None:
    try:
        procedure = get_procedure(code)
    except ApiError as error:
        turn.say(turn.t(error.slug, **error.params), turn.back_buttons())
        return
    url = settings.current().bot_procedure_url.format(code=procedure.code)
    turn.say(
        cards.procedure_card(procedure, turn.lang, url),
        [
            [turn.button("bot_btn_guide", f"g:{procedure.code}")],  # step by step (support)
            [turn.button("bot_btn_other_procedure", "f"), turn.button("bot_btn_menu", "m")],
        ],
    )


def _label(number: int, name: str) -> str:
    label = f"{number}. {name}"
    return label if len(label) <= LABEL else label[: LABEL - 1].rstrip(" ,") + "…"
