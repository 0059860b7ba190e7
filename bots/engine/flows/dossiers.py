"""Check and follow a dossier. A chat linked to the applicant (VNeID, or the phone on the
record proven by a one-time code) sees it at once; anyone else first gives the last 4 digits
of the applicant's phone or ID number."""

from __future__ import annotations

from sqlalchemy import select

from api.auth.guard import Principal
from api.dossiers import service
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from api.rating.models import Rating
from bots.engine import cards, follows
from bots.engine.context import Turn
from bots.engine.state import AWAIT_CODE, AWAIT_DIGITS
from bots.engine.types import Button

CALLBACK_LIMIT = 64  # bytes: Telegram's callback_data limit
ACTION_PREFIX = {"check": "c", "follow": "w", "unfollow": "u", "thread": "t", "rate": "r"}

register_messages(
    {
        "bot_ask_code": {
            "vi": "Xin gửi mã hồ sơ in trên giấy biên nhận, ví dụ: 000.00.15.H12-251120-0001",
            "en": "Please send the dossier code from your receipt, e.g. 000.00.15.H12-251120-0001",
        },
        "bot_pick_dossier": {
            "vi": "Bạn chọn hồ sơ dưới đây, hoặc gửi mã hồ sơ khác:",
            "en": "Pick a dossier below, or send another dossier code:",
        },
        "bot_code_not_recognised": {
            "vi": "Tôi chưa thấy mã hồ sơ trong tin nhắn. Mã có dạng 000.00.15.H12-251120-0001.",
            "en": "I could not see a dossier code. It looks like 000.00.15.H12-251120-0001.",
        },
        "bot_ask_digits": {
            "vi": "Để bảo vệ thông tin, xin gõ 4 số cuối điện thoại (hoặc số căn cước) "
            "của người đứng tên hồ sơ {code}.",
            "en": "To protect the information, please type the last 4 digits of the phone "
            "(or ID number) of the applicant of dossier {code}.",
        },
        "bot_digits_needed": {
            "vi": "Xin gõ đúng 4 chữ số, ví dụ: 5987.",
            "en": "Please type exactly 4 digits, e.g. 5987.",
        },
        "bot_followed": {
            "vi": "✅ Đã theo dõi hồ sơ {code}. Khi hồ sơ thay đổi, tôi sẽ nhắn cho bạn tại đây.",
            "en": "✅ You now follow dossier {code}. I will message you here when it changes.",
        },
        "bot_already_followed": {
            "vi": "Bạn đã theo dõi hồ sơ {code} rồi. Khi có thay đổi tôi sẽ báo ngay.",
            "en": "You already follow dossier {code}. I will tell you when it changes.",
        },
        "bot_unfollowed": {
            "vi": "Đã bỏ theo dõi hồ sơ {code}. Bạn sẽ không nhận tin về hồ sơ này nữa.",
            "en": "You no longer follow dossier {code}.",
        },
        "bot_not_followed": {
            "vi": "Bạn chưa theo dõi hồ sơ {code}.",
            "en": "You do not follow dossier {code}.",
        },
        "bot_rate_nothing": {
            "vi": "Bạn chưa có hồ sơ nào đã xong mà chưa đánh giá. Nếu có, xin gửi mã hồ sơ.",
            "en": "You have no finished dossier left to rate. If you do, please send its code.",
        },
        "bot_btn_follow_this": {"vi": "🔔 Theo dõi hồ sơ này", "en": "🔔 Follow this dossier"},
        "bot_btn_unfollow_this": {"vi": "🔕 Bỏ theo dõi", "en": "🔕 Stop following"},
        "bot_btn_other_code": {"vi": "✏ Nhập mã khác", "en": "✏ Another code"},
    }
)


def data_for(action: str, code: str) -> str | None:
    data = f"{ACTION_PREFIX[action]}:{code}"
    return data if len(data.encode()) <= CALLBACK_LIMIT else None


def ask_code(turn: Turn, action: str) -> None:
    """Ask which dossier; a linked citizen gets their own dossiers as buttons (to rate: only
    the finished ones not yet rated, by procedure name)."""
    turn.state.expect(AWAIT_CODE, action)
    principal = turn.principal()
    choices = _own_choices(principal, action) if principal else []
    if action in ("check", "unfollow"):
        seen = {code for code, _ in choices}
        choices += [
            (c, c) for c in follows.followed_codes(turn.channel, turn.chat_id) if c not in seen
        ]
    rows = [
        [Button(label, data)] for code, label in choices[:5] if (data := data_for(action, code))
    ]
    if rows:
        turn.say(turn.t("bot_pick_dossier"), [*rows, [turn.button("bot_btn_cancel", "x")]])
    elif action == "rate" and principal is not None:
        turn.say(turn.t("bot_rate_nothing"), [[turn.button("bot_btn_cancel", "x")]])
    else:
        turn.say(turn.t("bot_ask_code"), [[turn.button("bot_btn_cancel", "x")]])


def _own_choices(principal: Principal, action: str) -> list[tuple[str, str]]:
    """(code, button label) of the citizen's dossiers fit for ``action``. "My dossiers": by
    identity number (VNeID), by the proven phone on the record, and followed ones."""
    if action != "rate":
        items, _ = service.my_dossiers(principal, None, Page(1, 5))
        return [(d.code, d.code) for d in items]

    items, _ = service.my_dossiers(principal, "done", Page(1, 20))
    items = [d for d in items if service.is_owner(principal, d)]
    rated = set(
        db.session.scalars(
            select(Rating.dossier_id).where(Rating.dossier_id.in_([d.id for d in items]))
        )
    )
    return [(d.code, rating_label(d)) for d in items if d.id not in rated]


def rating_label(dossier: Dossier) -> str:
    """Short enough for a phone's button, and distinct: the procedure and the code's tail."""
    name = dossier.procedure_name or dossier.code
    name = name if len(name) <= 28 else name[:27].rstrip() + "…"
    return f"{name} · {dossier.code.split('-', 1)[-1]}"


def _find(code: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.code == code))


def owned(turn: Turn, code: str) -> Dossier | None:
    """The dossier when the chat is linked to its applicant (VNeID owner or contact)."""
    principal = turn.principal()
    dossier = _find(code)
    if dossier is not None and principal is not None and service.is_owner(principal, dossier):
        return dossier
    return None


def access(turn: Turn, code: str, action: str) -> tuple[Dossier, bool] | None:
    """The dossier and whether the chat sees it in full (owner); None when the second factor
    was asked for first. Unknown codes go the same way: existence is not told."""
    dossier = owned(turn, code)
    if dossier is not None:
        return dossier, True
    dossier = _find(code)
    if dossier is not None and (code in turn.state.verified or _follows(turn, dossier)):
        return dossier, False  # a listed (followed) dossier opens, in the reduced view
    turn.state.expect(AWAIT_DIGITS, action, code)
    turn.say(turn.t("bot_ask_digits", code=code), [[turn.button("bot_btn_cancel", "x")]])
    return None


def _follows(turn: Turn, dossier: Dossier) -> bool:
    """The chat, or its linked account, follows the dossier: the 4 digits were given then."""
    if follows.is_following(turn.channel, turn.chat_id, dossier):
        return True
    principal = turn.principal()
    return principal is not None and service.is_following(principal, dossier)


def check_digits(turn: Turn, digits: str) -> tuple[Dossier, bool] | None:
    if len(digits) < 4:
        turn.say(turn.t("bot_digits_needed"), [[turn.button("bot_btn_cancel", "x")]])
        return None
    code = turn.state.code
    try:
        dossier = service.lookup(code, digits[-4:], turn.limit_key)
    except ApiError as error:
        turn.say(turn.error_text(error), [[turn.button("bot_btn_cancel", "x")]])
        return None
    turn.state.remember_verified(code)
    return dossier, False


def show_status(turn: Turn, dossier: Dossier, full: bool) -> None:
    turn.state.reset()
    text = cards.dossier_card(
        dossier, service.timeline(dossier), turn.lang, full, service.is_overdue(dossier)
    )
    rows: list[list[Button]] = []
    if turn.can_push:
        following = follows.is_following(turn.channel, turn.chat_id, dossier)
        slug, action = (
            ("bot_btn_unfollow_this", "unfollow")
            if following
            else ("bot_btn_follow_this", "follow")
        )
        if data := data_for(action, dossier.code):
            rows.append([turn.button(slug, data)])
    if full and (data := data_for("thread", dossier.code)):
        rows.append([turn.button("bot_btn_thread", data)])
    if full and dossier.status.group == "done" and (data := data_for("rate", dossier.code)):
        rows.append([turn.button("bot_btn_rate", data)])
    turn.say(text, [*rows, *turn.back_buttons()])


def follow(turn: Turn, dossier: Dossier, full: bool) -> None:
    turn.state.reset()
    if not turn.can_push:
        turn.say(turn.t("bot_not_on_this_channel"), turn.back_buttons())
        return
    try:
        created = follows.follow(turn.channel, turn.chat_id, dossier, turn.origin)
    except ApiError as error:
        turn.say(turn.error_text(error), turn.back_buttons())
        return
    slug = "bot_followed" if created else "bot_already_followed"
    turn.say(turn.t(slug, code=dossier.code), turn.back_buttons())


def unfollow(turn: Turn, code: str) -> None:
    """No second factor needed: the chat only removes its own follow."""
    turn.state.reset()
    dossier = _find(code)
    done = dossier is not None and follows.unfollow(
        turn.channel, turn.chat_id, dossier, turn.origin
    )
    turn.say(
        turn.t("bot_unfollowed" if done else "bot_not_followed", code=code), turn.back_buttons()
    )
