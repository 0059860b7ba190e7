"""Telegram updates → engine events, and engine replies → Bot API calls.

Private chats only: in a group, a dossier's status would be read by everyone. Callback
queries are always answered (Telegram shows a spinner until then); "kicked" in my_chat_member
means the person blocked the bot.
"""

from __future__ import annotations

import logging
from typing import Any

from api.kernel.database import db
from api.kernel.logs import mask_text
from bots.engine import identity
from bots.engine import state as states
from bots.engine.router import handle
from bots.engine.types import BUTTON, CONTACT, PHOTO, START, TEXT, Incoming, Reply
from bots.telegram import files
from push.channels.registry import channels
from push.channels.telegram import CALLBACK_DATA_LIMIT, escape_html, inline_keyboard

log = logging.getLogger(__name__)
CHANNEL = "telegram"


def chat_of(update: dict[str, Any]) -> str:
    """The chat an update belongs to ("" when none): per-chat ordering and de-duplication."""
    for key in ("message", "edited_message", "my_chat_member"):
        if key in update:
            return str((update[key].get("chat") or {}).get("id", ""))
    query = update.get("callback_query") or {}
    chat = ((query.get("message") or {}).get("chat") or {}).get("id") or (
        query.get("from") or {}
    ).get("id")
    return "" if chat is None else str(chat)


def kind_of(update: dict[str, Any]) -> str:
    return next((k for k in update if k != "update_id"), "")


def process(update: dict[str, Any]) -> None:
    client = channels().telegram
    if "callback_query" in update:
        query = update["callback_query"]
        if client is not None:
            client.answer_callback_query(str(query.get("id", "")))
        incoming = _from_callback(query)
    elif "my_chat_member" in update:
        _membership(update["my_chat_member"])
        return
    else:
        incoming = _from_message(update.get("message") or {})
    if incoming is None:
        return
    replies = handle(incoming)
    identity.touch(CHANNEL, incoming.chat_id)  # they write to us: not blocked any more
    db.session.commit()  # nothing held open while Telegram answers
    send(incoming.chat_id, replies)


def _name(user: dict[str, Any]) -> str:
    return " ".join(filter(None, [user.get("first_name"), user.get("last_name")]))[:200]


def _from_callback(query: dict[str, Any]) -> Incoming | None:
    message = query.get("message") or {}
    if (message.get("chat") or {}).get("type", "private") != "private":
        return None
    chat_id = chat_of({"callback_query": query})
    return Incoming(
        CHANNEL,
        chat_id,
        BUTTON,
        data=str(query.get("data") or ""),
        display_name=_name(query.get("from") or {}),
    )


def _from_message(message: dict[str, Any]) -> Incoming | None:
    chat = message.get("chat") or {}
    if chat.get("type") != "private" or "id" not in chat:
        return None
    chat_id, sender = str(chat["id"]), message.get("from") or {}
    common = {
        "message_id": f"{chat_id}:{message.get('message_id')}",  # message ids are per chat
        "display_name": _name(sender),
    }
    if "contact" in message:
        contact = message["contact"]
        own = contact.get("user_id") == sender.get("id")
        phone = contact.get("phone_number") if own else None
        return Incoming(
            CHANNEL, chat_id, CONTACT, phone=phone, data="" if own else "not_own", **common
        )
    file_id = _file_id(message)
    if file_id:
        fetch = lambda: files.download(file_id)  # noqa: E731 - fetched only if a flow keeps it
        return Incoming(
            CHANNEL, chat_id, PHOTO, text=message.get("caption") or "", photo=fetch, **common
        )
    text = message.get("text") or ""
    if text.startswith("/start"):
        return Incoming(CHANNEL, chat_id, START, data=text[6:].strip(), **common)
    return Incoming(CHANNEL, chat_id, TEXT, text=text, **common)


def _file_id(message: dict[str, Any]) -> str | None:
    if message.get("photo"):
        return message["photo"][-1].get("file_id")  # the largest size comes last
    document = message.get("document") or {}
    if str(document.get("mime_type", "")).startswith(("image/", "application/pdf")):
        return document.get("file_id")
    return None


def _membership(change: dict[str, Any]) -> None:
    chat_id = str((change.get("chat") or {}).get("id", ""))
    status = (change.get("new_chat_member") or {}).get("status")
    if status == "kicked":
        identity.mark_blocked(CHANNEL, chat_id)
        states.clear(CHANNEL, chat_id)
        log.info("telegram_bot_blocked", extra={"chat": mask_text(chat_id)})
    elif status == "member":
        identity.touch(CHANNEL, chat_id)
    db.session.commit()


def send(chat_id: str, replies: list[Reply]) -> None:
    client = channels().telegram
    if client is None:
        log.warning("telegram_not_configured")
        return
    for reply in replies:
        text = escape_html(reply.text)
        if reply.ask_contact:
            result = client.send_contact_request(chat_id, text, button_text=reply.ask_contact)
        else:
            rows = [
                [(b.label, b.data) for b in row if len(b.data.encode()) <= CALLBACK_DATA_LIMIT]
                for row in reply.buttons
            ]
            markup = inline_keyboard([r for r in rows if r]) if reply.buttons else None
            result = client.send_message(chat_id, text, reply_markup=markup)
        if result.error_code == "blocked":
            identity.mark_blocked(CHANNEL, chat_id)
            db.session.commit()
            return
