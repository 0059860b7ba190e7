"""Link the chat to an account: with the 8-character code from the app, or by sharing the
phone number with the platform's own button and typing the one-time code sent to it."""

from __future__ import annotations

from api.auth import otp
from api.auth.models import ASSURANCE_PHONE
from api.auth.service import account_for_phone
from api.dossiers.applicant import record_grants_for_phone
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.phone import last_digits, normalise_phone
from api.profile.service import link_chat, normalise_link_code, redeem_link_code
from bots.engine import identity
from bots.engine.context import Turn
from bots.engine.state import AWAIT_LINK_CODE, AWAIT_OTP

OTP_PURPOSE = "chat_link"

register_messages(
    {
        "bot_link_choose": {
            "vi": "Liên kết giúp bạn xem hồ sơ của mình và nhận tin ngay tại đây. Chọn một cách:\n"
            "1) Nhập mã liên kết lấy trong ứng dụng (mục Tài khoản → Liên kết).\n"
            "2) Chia sẻ số điện thoại rồi nhập mã xác nhận gửi qua tin nhắn.",
            "en": "Linking lets you see your own dossiers and get news right here. Choose:\n"
            "1) Type the link code from the app (Account → Link).\n"
            "2) Share your phone number, then type the code we text you.",
        },
        "bot_link_ask_code": {
            "vi": "Xin gõ mã liên kết gồm 8 ký tự (mã dùng được 5 phút).",
            "en": "Please type the 8-character link code (it lasts 5 minutes).",
        },
        "bot_link_ask_phone": {
            "vi": "Xin bấm nút «Chia sẻ số điện thoại» bên dưới.",
            "en": "Please tap «Share phone number» below.",
        },
        "bot_link_otp_sent": {
            "vi": "Tôi đã gửi mã xác nhận 6 số tới số điện thoại đuôi {last}. Xin gõ mã vào đây.",
            "en": "I sent a 6-digit code to the phone ending in {last}. Please type it here.",
        },
        "bot_link_otp_needed": {
            "vi": "Xin gõ mã xác nhận gồm 6 chữ số.",
            "en": "Please type the 6-digit code.",
        },
        "bot_link_not_own_contact": {
            "vi": "Xin chia sẻ số điện thoại của chính bạn bằng nút bên dưới.",
            "en": "Please share your own number with the button below.",
        },
        "bot_linked": {
            "vi": "✅ Đã liên kết tài khoản. Bạn có thể tra cứu hồ sơ của mình và nhận tin tại đây.",
            "en": "✅ Your account is linked. You can check your dossiers and get news here.",
        },
        "bot_btn_link_code": {"vi": "🔑 Nhập mã liên kết", "en": "🔑 Type a link code"},
        "bot_btn_link_phone": {"vi": "📱 Chia sẻ số điện thoại", "en": "📱 Share phone number"},
    }
)


def start(turn: Turn) -> None:
    turn.state.reset()
    if not turn.can_push:
        turn.say(turn.t("bot_not_on_this_channel"), turn.back_buttons())
        return
    turn.say(
        turn.t("bot_link_choose"),
        [
            [turn.button("bot_btn_link_code", "lc")],
            [turn.button("bot_btn_link_phone", "lp")],
            [turn.button("bot_btn_cancel", "x")],
        ],
    )


def ask_code(turn: Turn) -> None:
    turn.state.expect(AWAIT_LINK_CODE)
    turn.say(turn.t("bot_link_ask_code"), [[turn.button("bot_btn_cancel", "x")]])


def ask_phone(turn: Turn) -> None:
    turn.state.reset()
    turn.say(
        turn.t("bot_link_ask_phone"),
        [[turn.button("bot_btn_cancel", "x")]],
        ask_contact=turn.t("bot_btn_link_phone"),
    )


def redeem(turn: Turn, raw_code: str) -> None:
    if not turn.can_push:
        turn.say(turn.t("bot_not_on_this_channel"), turn.back_buttons())
        return
    try:
        chat = redeem_link_code(
            turn.channel,
            turn.chat_id,
            normalise_link_code(raw_code),
            turn.origin,
            turn.incoming.display_name,
        )
    except ApiError as error:
        turn.say(turn.error_text(error), [[turn.button("bot_btn_cancel", "x")]])
        return
    # What the app session that made the code proved (VNeID or phone), never more.
    identity.remember_link(turn.channel, turn.chat_id, chat.proven_assurance)
    db.session.commit()
    _linked(turn)


def contact_shared(turn: Turn, phone_raw: str | None, own: bool = True) -> None:
    if not own:
        turn.say(turn.t("bot_link_not_own_contact"), ask_contact=turn.t("bot_btn_link_phone"))
        return
    phone = normalise_phone(phone_raw or "")
    if phone is None:
        turn.say(turn.t("phone_invalid"), turn.back_buttons())
        return
    try:
        otp.request_code(phone, turn.limit_key, OTP_PURPOSE, turn.lang)
    except ApiError as error:
        turn.say(turn.error_text(error), turn.back_buttons())
        return
    turn.state.expect(AWAIT_OTP)
    turn.state.phone = phone
    turn.say(
        turn.t("bot_link_otp_sent", last=last_digits(phone, 3)),
        [[turn.button("bot_btn_cancel", "x")]],
    )


def check_otp(turn: Turn, digits: str) -> None:
    if len(digits) != 6:
        turn.say(turn.t("bot_link_otp_needed"), [[turn.button("bot_btn_cancel", "x")]])
        return
    try:
        phone = otp.verify_code(turn.state.phone, digits, turn.limit_key, OTP_PURPOSE)
        account = account_for_phone(phone)
    except ApiError as error:
        db.session.rollback()
        turn.say(turn.error_text(error), [[turn.button("bot_btn_cancel", "x")]])
        return
    link_chat(account.id, turn.channel, turn.chat_id, turn.origin, turn.incoming.display_name)
    record_grants_for_phone(account.id, phone, turn.origin)
    identity.remember_link(turn.channel, turn.chat_id, ASSURANCE_PHONE)
    db.session.commit()
    _linked(turn)


def _linked(turn: Turn) -> None:
    turn.state.reset()
    turn.state.phone = ""
    turn.forget_principal()
    turn.say(turn.t("bot_linked"), turn.menu_buttons())
