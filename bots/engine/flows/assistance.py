"""«Ai đang giúp tôi?» in the chat: who may act for the resident now, each with a one-tap
stop (button data "ar:<grant id>", 35 bytes: within Telegram's 64)."""

from __future__ import annotations

from api.assistance import consent, lists
from api.assistance.models import MANDATE
from api.assistance.rules import describe
from api.auth.models import Account
from api.kernel.clock import to_local
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.text import fold
from bots.engine.context import Turn
from bots.engine.types import Button

STOP_PREFIX = "ar:"
PHRASES = ("ai dang giup toi", "ai giup toi", "who is helping me", "who helps me")

register_messages(
    {
        "bot_assist_link_first": {
            "vi": "Để xem ai đang được phép giúp bạn, xin liên kết tài khoản trước.",
            "en": "To see who may help you, please link your account first.",
        },
        "bot_assist_none": {
            "vi": "Hiện không có ai được phép làm thay bạn.",
            "en": "Nobody may act for you now.",
        },
        "bot_assist_list": {
            "vi": "Những người đang được phép giúp bạn:",
            "en": "People who may help you now:",
        },
        "bot_assist_line": {
            "vi": "• {name}: {what} (đến {until})",
            "en": "• {name}: {what} (until {until})",
        },
        "bot_assist_line_pending": {
            "vi": "• {name} xin phép giúp bạn: {what} – đang chờ bạn đồng ý",
            "en": "• {name} asks to help you: {what} – waiting for your consent",
        },
        "bot_assist_line_mandate_pending": {
            "vi": "• {name}: {what} – bạn đã nhờ, đang chờ người đó nhập mã",
            "en": "• {name}: {what} – you asked them; waiting for them to enter the code",
        },
        "bot_btn_assist_refuse": {"vi": "⛔ Không đồng ý: {name}", "en": "⛔ Refuse {name}"},
        "bot_assist_stopped": {
            "vi": "✅ Đã dừng. {name} không thể làm thay bạn nữa.",
            "en": "✅ Stopped. {name} can no longer act for you.",
        },
        "bot_assist_not_found": {
            "vi": "Không tìm thấy sự đồng ý này (có thể đã kết thúc).",
            "en": "This consent was not found (it may have ended).",
        },
        "bot_btn_assist_stop": {"vi": "⛔ Dừng {name}", "en": "⛔ Stop {name}"},
        "bot_btn_assist_who": {"vi": "🤝 Ai đang giúp tôi?", "en": "🤝 Who is helping me?"},
    }
)


def asks_who_helps(text: str) -> bool:
    folded = fold(text)
    return any(phrase in folded for phrase in PHRASES)


def _names(grants: list) -> dict[int, str]:
    from sqlalchemy import select

    ids = {g.helper_id for g in grants}
    return dict(
        db.session.execute(select(Account.id, Account.full_name).where(Account.id.in_(ids))).all()
    )


def show(turn: Turn) -> None:
    turn.state.reset()
    principal = turn.principal()
    if principal is None:
        turn.say(turn.t("bot_assist_link_first"), [[turn.button("bot_btn_link", "l")]])
        return
    grants = lists.for_resident(principal)
    if not grants:
        turn.say(turn.t("bot_assist_none"), [_new_mandate(turn), *turn.back_buttons()])
        return
    names = _names(grants)
    lines, buttons = [turn.t("bot_assist_list")], []
    for grant in grants[:8]:
        name = names.get(grant.helper_id, "") or "?"
        what = describe(grant.actions, turn.lang)
        if grant.state == "pending" and grant.kind == MANDATE:  # the resident asked them
            lines.append(turn.t("bot_assist_line_mandate_pending", name=name, what=what))
            label = turn.t("bot_btn_assist_stop", name=name[:40])
        elif grant.state == "pending" or not grant.expires_at:  # no end time to show yet
            lines.append(turn.t("bot_assist_line_pending", name=name, what=what))
            label = turn.t("bot_btn_assist_refuse", name=name[:40])
        else:
            until = to_local(grant.expires_at).strftime("%H:%M %d/%m/%Y")
            lines.append(turn.t("bot_assist_line", name=name, what=what, until=until))
            label = turn.t("bot_btn_assist_stop", name=name[:40])
        buttons.append([Button(label, f"{STOP_PREFIX}{grant.public_id}")])
    turn.say("\n".join(lines), [*buttons, _new_mandate(turn), *turn.back_buttons()])


def _new_mandate(turn: Turn) -> list[Button]:
    return [turn.button("bot_btn_mandate_new", "mn")]  # bots.engine.flows.mandates


def stop(turn: Turn, grant_id: str) -> None:
    turn.state.reset()
    principal = turn.principal()
    if principal is None:
        turn.say(turn.t("bot_assist_link_first"), [[turn.button("bot_btn_link", "l")]])
        return
    try:
        grant = consent.revoke(principal, grant_id[:32], channel=turn.channel)
    except ApiError:
        turn.say(turn.t("bot_assist_not_found"), turn.back_buttons())
        return
    name = _names([grant]).get(grant.helper_id, "")
    turn.say(turn.t("bot_assist_stopped", name=name), turn.back_buttons())
