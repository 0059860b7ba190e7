"""Zalo OA webhook events → engine events; replies → OA customer-service messages.

Buttons are "oa.query.hide" buttons: a tap comes back as a user_send_text whose text is the
payload, which we mark with PAYLOAD_MARK so typed text is never taken for a button.
Delivery receipts (user_received_message) go to the notification pipeline.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from api.kernel.database import db
from bots.engine import identity
from bots.engine import state as states
from bots.engine.router import handle
from bots.engine.types import BUTTON, CONTACT, PHOTO, START, TEXT, Incoming, Reply
from bots.zalo import files
from push.channels.registry import channels
from push.channels.telegram import split_text
from push.channels.zalo import parse_received_receipt
from push.notifications.receipts import receive_receipt

log = logging.getLogger(__name__)
CHANNEL = "zalo"
PAYLOAD_MARK = "#bot:"
# UNCONFIRMED limits of OA customer-service messages: text length, buttons per message and
# button title length. Kept here so they are changed in one place.
TEXT_LIMIT = 2000
MAX_BUTTONS = 5
TITLE_LIMIT = 100
MORE = "⋯"


def external_id(event: dict[str, Any], raw_body: bytes) -> str:
    """De-duplication key: the message id where Zalo gives one, else the body's hash (a
    redelivery carries the same body)."""
    name = str(event.get("event_name", ""))
    message = event.get("message") or {}
    ident = message.get("msg_id") or message.get("tracking_id")
    if ident:
        return f"{name}:{ident}"[:128]
    return f"{name}:{hashlib.sha256(raw_body).hexdigest()[:40]}"


def chat_of(event: dict[str, Any]) -> str:
    name = str(event.get("event_name", ""))
    if name in ("follow", "unfollow"):
        return str((event.get("follower") or {}).get("id", ""))
    if name.startswith("user_") and name not in ("user_received_message", "user_seen_message"):
        return str((event.get("sender") or {}).get("id", ""))
    return ""


def process(event: dict[str, Any]) -> None:
    name = str(event.get("event_name", ""))
    if name == "user_received_message":
        _receipt(event)
        return
    chat_id = chat_of(event)
    if not chat_id:
        return  # the OA's own messages echoed back, seen marks, feedback forms: nothing to say
    if name == "unfollow":
        identity.mark_blocked(CHANNEL, chat_id)
        states.clear(CHANNEL, chat_id)
        db.session.commit()
        return
    incoming = _incoming(name, chat_id, event)
    if incoming is None:
        return
    replies = handle(incoming)
    identity.touch(CHANNEL, chat_id)  # the reply window starts again (also if just linked)
    db.session.commit()  # nothing held open while Zalo answers
    send(chat_id, replies)


def _receipt(event: dict[str, Any]) -> None:

    receipt = parse_received_receipt(event)
    if receipt is not None:
        receive_receipt(reference=receipt.tracking_id, provider_message_id=receipt.msg_id)


def _incoming(name: str, chat_id: str, event: dict[str, Any]) -> Incoming | None:
    message = event.get("message") or {}
    common = {"message_id": message.get("msg_id"), "display_name": ""}
    if name == "follow":
        return Incoming(CHANNEL, chat_id, START)
    if name == "user_submit_info":
        phone = (event.get("info") or {}).get("phone")
        return Incoming(CHANNEL, chat_id, CONTACT, phone=phone, **common)
    if name == "user_send_image":
        url = next(
            (
                (a.get("payload") or {}).get("url")
                for a in message.get("attachments") or []
                if (a.get("payload") or {}).get("url")
            ),
            None,
        )
        if not url:
            return None
        fetch = lambda: files.download(url)  # noqa: E731 - fetched only if a flow keeps it
        return Incoming(
            CHANNEL, chat_id, PHOTO, text=message.get("text") or "", photo=fetch, **common
        )
    if name == "user_send_text":
        text = str(message.get("text") or "")
        if text.startswith(PAYLOAD_MARK):
            return Incoming(CHANNEL, chat_id, BUTTON, data=text[len(PAYLOAD_MARK) :], **common)
        return Incoming(CHANNEL, chat_id, TEXT, text=text, **common)
    return None


def send(chat_id: str, replies: list[Reply]) -> None:
    client = channels().zalo
    if client is None:
        log.warning("zalo_not_configured")
        return
    for reply in replies:
        parts = split_text(reply.text, TEXT_LIMIT)
        for part in parts[:-1]:
            client.send_text(chat_id, part)
        last = parts[-1] if parts else reply.text
        buttons = [
            {"title": _title(b.label), "type": "oa.query.hide", "payload": PAYLOAD_MARK + b.data}
            for b in reply.button_list()
        ]
        if reply.ask_contact:
            results = [request_user_info(client, chat_id, last, reply.ask_contact)]
        elif buttons:
            # More buttons than one message holds: the rest follow under a bare "⋯".
            results = [
                client.send_buttons(chat_id, last if i == 0 else MORE, buttons[i : i + MAX_BUTTONS])
                for i in range(0, len(buttons), MAX_BUTTONS)
            ]
        else:
            results = [client.send_text(chat_id, last)]
        if any(r.error_code == "-213" for r in results):  # no longer follows the OA
            identity.mark_blocked(CHANNEL, chat_id)
            db.session.commit()
            return


def _title(label: str) -> str:
    return label if len(label) <= TITLE_LIMIT else label[: TITLE_LIMIT - 1] + "…"


def request_user_info(client: Any, chat_id: str, text: str, title: str) -> Any:
    """Zalo's request-info template: the user taps it to share name and phone with the OA
    (answered by a user_submit_info event). UNCONFIRMED element limits (title 100, subtitle
    500)."""
    message = {
        "attachment": {
            "type": "template",
            "payload": {
                "template_type": "request_user_info",
                "elements": [{"title": _title(title), "subtitle": text[:500]}],
            },
        }
    }
    return client.send_message(chat_id, message)
