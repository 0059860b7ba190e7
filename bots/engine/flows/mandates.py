"""A standing mandate made in the chat: the linked resident names a relative or carer by phone,
ticks what they may do, picks how long, confirms; the same service as the app
(api.assistance.consent.create_mandate) makes it and gives the code the agent enters in the
app within 7 days. Button data: "mn", "mt:<action>", "mo", "mu:<months>", "my" (all far
below Telegram's 64 bytes)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from api.assistance import consent
from api.assistance.rules import (
    ACTION_LABELS,
    ALLOWED_ACTIONS,
    local_today,
    mandate_accept_window,
    mandate_max_days,
)
from api.audit.service import Origin
from api.auth.models import ROLE_CITIZEN, Account
from api.kernel import clock
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.phone import normalise_phone
from api.kernel.text import fold
from bots.engine.context import Turn
from bots.engine.state import MANDATE
from bots.engine.types import Button

HEADS = ("mn", "mt", "mo", "mu", "my")
MONTHS = (1, 3, 6, 12)
PHONE, ACTIONS, UNTIL, CONFIRM = "phone", "actions", "until", "confirm"
PHRASES = ("nho nguoi than", "nguoi lam thay", "giay nho", "give a mandate", "ask a relative")

register_messages(
    {
        "bot_btn_mandate_new": {"vi": "➕ Nhờ người thân làm thay", "en": "➕ Ask someone to help"},
        "bot_mandate_link_first": {
            "vi": "Để nhờ người thân làm thay, xin liên kết tài khoản trước.",
            "en": "To ask someone to act for you, please link your account first.",
        },
        "bot_mandate_only_resident": {
            "vi": "Chỉ người dân mới nhờ người khác làm thay cho mình được.",
            "en": "Only a resident can ask someone to act for them.",
        },
        "bot_mandate_ask_phone": {
            "vi": "Bạn muốn nhờ ai? Xin gõ số điện thoại di động của người đó, ví dụ: "
            "0912 345 678.",
            "en": "Who would you like to ask? Type their mobile number, e.g. 0912 345 678.",
        },
        "bot_mandate_bad_phone": {
            "vi": "Số này chưa đúng số di động Việt Nam. Xin gõ lại, ví dụ: 0912 345 678.",
            "en": "That is not a Vietnamese mobile number. Please type it again, e.g. "
            "0912 345 678.",
        },
        "bot_mandate_ask_actions": {
            "vi": "Người đó được làm những việc gì? Bấm để chọn (chọn được nhiều việc), rồi "
            "bấm «Tiếp tục».",
            "en": "What may they do? Tap to choose (several is fine), then tap «Next».",
        },
        "bot_mandate_pick_one": {
            "vi": "Xin chọn ít nhất một việc.",
            "en": "Please choose at least one thing.",
        },
        "bot_btn_mandate_next": {"vi": "➡️ Tiếp tục", "en": "➡️ Next"},
        "bot_mandate_ask_until": {
            "vi": "Nhờ trong bao lâu?",
            "en": "For how long?",
        },
        "bot_btn_mandate_1": {"vi": "1 tháng", "en": "1 month"},
        "bot_btn_mandate_3": {"vi": "3 tháng", "en": "3 months"},
        "bot_btn_mandate_6": {"vi": "6 tháng", "en": "6 months"},
        "bot_btn_mandate_12": {"vi": "1 năm", "en": "1 year"},
        "bot_mandate_confirm": {
            "vi": "Bạn nhờ người có số {phone} làm thay bạn: {what}; đến hết ngày {until}. "
            "Bạn đồng ý chứ?",
            "en": "You ask the person with number {phone} to act for you: {what}; until the "
            "end of {until}. Do you agree?",
        },
        "bot_btn_mandate_yes": {"vi": "✅ Đồng ý", "en": "✅ Yes, agree"},
        "bot_mandate_created": {
            "vi": "✅ Đã gửi lời nhờ cho {name}. Mã của người đó: {code}\nXin đưa mã này cho "
            "người được nhờ; người đó nhập mã trong ứng dụng trước {accept_by}. Mã chỉ hiện "
            "một lần. Bạn có thể dừng bất cứ lúc nào ở «Ai đang giúp tôi?».",
            "en": "✅ Your request was sent to {name}. Their code: {code}\nPlease give this code "
            "to them; they enter it in the app before {accept_by}. The code is shown only "
            "once. You can stop it at any time under «Who is helping me?».",
        },
        "bot_mandate_agent_unknown": {
            "vi": "Chưa có tài khoản nào dùng số này. Người được nhờ cần đăng nhập ứng dụng "
            "một lần bằng số này, rồi bạn làm lại.",
            "en": "No account uses this number yet. The person needs to sign in to the app "
            "once with this number; then try again.",
        },
    }
)


def asks_for_mandate(text: str) -> bool:
    folded = fold(text)
    return any(phrase in folded for phrase in PHRASES)


def handles(head: str) -> bool:
    return head in HEADS


def _resident(turn: Turn) -> bool:
    """Linked, and a resident (not staff): say what is missing otherwise."""
    principal = turn.principal()
    if principal is None:
        turn.state.reset()
        turn.say(turn.t("bot_mandate_link_first"), [[turn.button("bot_btn_link", "l")]])
        return False
    account = db.session.get(Account, principal.account_id)
    if account is None or account.role != ROLE_CITIZEN:
        turn.state.reset()
        turn.say(turn.t("bot_mandate_only_resident"), turn.back_buttons())
        return False
    return True


def start(turn: Turn) -> None:
    turn.state.reset()
    if not _resident(turn):
        return
    turn.state.expect(MANDATE)
    turn.state.mandate = {"step": PHONE}
    turn.say(turn.t("bot_mandate_ask_phone"), [[turn.button("bot_btn_cancel", "x")]])


def in_step(turn: Turn, text: str, other_request: bool) -> bool:
    """The phone number is the only thing typed; anything else asked leaves the flow."""
    data = turn.state.mandate or {}
    phone = normalise_phone(text)
    if data.get("step") == PHONE and phone:
        turn.state.mandate = {"step": ACTIONS, "phone": phone, "actions": []}
        _ask_actions(turn)
        return True
    if other_request:
        turn.state.reset()
        return False
    if data.get("step") == PHONE:
        turn.say(turn.t("bot_mandate_bad_phone"), [[turn.button("bot_btn_cancel", "x")]])
    else:  # a tap is awaited: show the same step again
        _again(turn)
    return True


def button(turn: Turn, head: str, rest: str) -> None:
    if head == "mn":
        start(turn)
        return
    data = turn.state.mandate or {}
    if turn.state.mode != MANDATE or not data.get("phone") or not _resident(turn):
        start(turn) if turn.state.mode != MANDATE else _again(turn)
        return
    if head == "mt" and rest in ALLOWED_ACTIONS and data.get("step") == ACTIONS:
        chosen = list(data.get("actions", []))
        chosen = [a for a in chosen if a != rest] if rest in chosen else [*chosen, rest]
        data["actions"] = [a for a in ALLOWED_ACTIONS if a in chosen]  # always the same order
        _ask_actions(turn)
    elif head == "mo" and data.get("step") == ACTIONS:
        if not data.get("actions"):
            turn.say(turn.t("bot_mandate_pick_one"))
            _ask_actions(turn)
            return
        data["step"] = UNTIL
        _ask_until(turn)
    elif head == "mu" and rest.isdigit() and int(rest) in MONTHS and data.get("step") == UNTIL:
        data["step"], data["until"] = CONFIRM, _until(int(rest)).isoformat()
        _ask_confirm(turn)
    elif head == "my" and data.get("step") == CONFIRM:
        _create(turn)
    else:  # an old button of an earlier step
        _again(turn)


def _again(turn: Turn) -> None:
    step = (turn.state.mandate or {}).get("step")
    if step == ACTIONS:
        _ask_actions(turn)
    elif step == UNTIL:
        _ask_until(turn)
    elif step == CONFIRM:
        _ask_confirm(turn)
    else:
        turn.say(turn.t("bot_mandate_ask_phone"), [[turn.button("bot_btn_cancel", "x")]])


def _label(action: str, lang: str) -> str:
    words = ACTION_LABELS[action][lang]
    return words[:1].upper() + words[1:]


def _ask_actions(turn: Turn) -> None:
    chosen = turn.state.mandate.get("actions", [])
    rows = [
        [Button(("✅ " if a in chosen else "⬜ ") + _label(a, turn.lang), f"mt:{a}")]
        for a in ALLOWED_ACTIONS
    ]
    rows.append([turn.button("bot_btn_mandate_next", "mo"), turn.button("bot_btn_cancel", "x")])
    turn.say(turn.t("bot_mandate_ask_actions"), rows)


def _ask_until(turn: Turn) -> None:
    rows = [[turn.button(f"bot_btn_mandate_{m}", f"mu:{m}") for m in MONTHS[:2]]]
    rows.append([turn.button(f"bot_btn_mandate_{m}", f"mu:{m}") for m in MONTHS[2:]])
    turn.say(turn.t("bot_mandate_ask_until"), [*rows, [turn.button("bot_btn_cancel", "x")]])


def _until(months: int) -> date:
    """The last day: the same day ``months`` later (the month's last day when shorter), never
    past the longest a mandate may last."""
    today = local_today(clock.utcnow())
    month0 = today.month - 1 + months
    year, month = today.year + month0 // 12, month0 % 12 + 1
    day = min(today.day, calendar.monthrange(year, month)[1])
    return min(date(year, month, day), today + timedelta(days=mandate_max_days()))


def _local_phone(phone: str) -> str:
    local = "0" + phone[2:]
    return f"{local[:4]} {local[4:7]} {local[7:]}"


def _ask_confirm(turn: Turn) -> None:
    data = turn.state.mandate
    what = ", ".join(ACTION_LABELS[a][turn.lang] for a in data["actions"])
    until = date.fromisoformat(data["until"]).strftime("%d/%m/%Y")
    turn.say(
        turn.t("bot_mandate_confirm", phone=_local_phone(data["phone"]), what=what, until=until),
        [[turn.button("bot_btn_mandate_yes", "my"), turn.button("bot_btn_cancel", "x")]],
    )


def _create(turn: Turn) -> None:
    data = dict(turn.state.mandate)
    turn.state.reset()
    try:
        grant, code = consent.create_mandate(
            turn.principal(),
            consent.PersonRef(phone=data["phone"]),
            data["actions"],
            [],
            date.fromisoformat(data["until"]),
            "",
            Origin(channel=turn.channel),
        )
    except ApiError as error:
        db.session.rollback()
        text = (
            turn.t("bot_mandate_agent_unknown")
            if error.slug == "assist_resident_not_found"
            else turn.error_text(error)
        )
        turn.say(text, turn.back_buttons())
        return
    agent = db.session.get(Account, grant.helper_id)
    accept_by = clock.to_local(grant.accept_by or clock.utcnow() + mandate_accept_window())
    turn.say(
        turn.t(
            "bot_mandate_created",
            name=(agent.full_name if agent else "") or _local_phone(data["phone"]),
            code=code,
            accept_by=accept_by.strftime("%H:%M %d/%m/%Y"),
        ),
        [[turn.button("bot_btn_assist_who", "ag")], *turn.back_buttons()],
    )
