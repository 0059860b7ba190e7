"""Talk to the officer: the chat joins the dossier's message thread until the citizen leaves.
Text and photos go to the thread (api.messaging); officer replies come back through
bots.thread_relay. Only the applicant side may talk: a chat linked to the VNeID owner or to the
phone on the record (api/dossiers/applicant.py)."""

from __future__ import annotations

from api.dossiers.models import Dossier
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.messaging.models import CHANNELS
from api.messaging.service import Upload, post_message
from bots import thread_chats
from bots.engine.context import Turn
from bots.engine.state import THREAD

register_messages(
    {
        "bot_thread_needs_link": {
            "vi": "Chỉ người đứng tên hồ sơ mới nhắn được cho cán bộ. Xin liên kết trò chuyện "
            "này với số điện thoại ghi trên hồ sơ hoặc với tài khoản VNeID của bạn "
            "(bấm «Liên kết tài khoản»).",
            "en": "Only the applicant can write to the officer. Please link this chat with the "
            "phone number on the dossier or with your VNeID account (tap «Link my account»).",
        },
        "bot_thread_started": {
            "vi": "💬 Bạn đang nhắn cho cán bộ xử lý hồ sơ {code}. Cứ gõ nội dung hoặc gửi ảnh "
            "giấy tờ; cán bộ trả lời sẽ hiện ở đây. Gõ «thoát» khi xong.",
            "en": "💬 You are writing to the officer handling dossier {code}. Type your message "
            "or send photos of papers; replies will appear here. Type «exit» when done.",
        },
        "bot_thread_sent": {"vi": "✓ Đã gửi cho cán bộ.", "en": "✓ Sent to the officer."},
        "bot_thread_ended": {
            "vi": "Đã kết thúc trò chuyện với cán bộ. Khi cán bộ trả lời, bạn vẫn được báo.",
            "en": "The conversation has ended. You will still be told when the officer replies.",
        },
        "bot_thread_photo_failed": {
            "vi": "Xin lỗi, tôi chưa tải được ảnh. Bạn vui lòng gửi lại.",
            "en": "Sorry, I could not get the photo. Please send it again.",
        },
        "bot_btn_leave_thread": {"vi": "✖ Kết thúc trò chuyện", "en": "✖ End conversation"},
    }
)


def start(turn: Turn, dossier: Dossier | None, full: bool) -> None:
    principal = turn.principal()
    turn.state.reset()
    if not full or principal is None or dossier is None:
        turn.say(
            turn.t("bot_thread_needs_link"),
            [[turn.button("bot_btn_link", "l")], *turn.back_buttons()],
        )
        return
    thread_chats.begin(turn.channel, turn.chat_id, dossier, principal.account_id, turn.lang)
    turn.state.expect(THREAD, "talk", dossier.code)  # "talk": the stored step name
    turn.say(
        turn.t("bot_thread_started", code=dossier.code),
        [[turn.button("bot_btn_leave_thread", "x")]],
    )


def send(turn: Turn, text: str, photo_bytes: bytes | None = None) -> None:
    """One message (text, or a photo with its caption) into the thread."""
    principal = turn.principal()
    if principal is None:  # unlinked meanwhile
        leave(turn)
        return
    uploads = [Upload("anh.jpg", photo_bytes)] if photo_bytes is not None else []
    try:
        post_message(
            principal,
            turn.state.code,
            text,
            channel=turn.channel if turn.channel in CHANNELS else "web",
            uploads=uploads,
            external_message_id=turn.incoming.message_id,
            origin=turn.origin,
        )
    except ApiError as error:
        turn.say(turn.error_text(error), [[turn.button("bot_btn_leave_thread", "x")]])
        if error.status == 404:
            leave(turn)
        return
    thread_chats.touch(turn.channel, turn.chat_id)
    turn.say(turn.t("bot_thread_sent"), [[turn.button("bot_btn_leave_thread", "x")]])


def send_photo(turn: Turn) -> None:
    fetch = turn.incoming.photo
    try:
        data = fetch() if callable(fetch) else None
    except Exception:  # noqa: BLE001 - a platform hiccup must not drop the conversation
        data = None
    if not data:
        turn.say(turn.t("bot_thread_photo_failed"), [[turn.button("bot_btn_leave_thread", "x")]])
        return
    send(turn, turn.incoming.text, data)


def leave(turn: Turn) -> None:
    turn.state.reset()  # the router leaves the thread (bots.thread_chats) when the mode changes
    turn.say(turn.t("bot_thread_ended"), turn.menu_buttons())
