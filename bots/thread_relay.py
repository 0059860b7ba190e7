"""Officer messages into the chats in a dossier's thread (open ThreadChat rows).

Run every few seconds by the schedule. The whole message goes to the chat (the pipeline's
officer_reply notification carries only a preview). A chat quiet in the thread for longer than
the chat state's thread time-out leaves it here, as the chat's own state has forgotten it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from api.kernel import settings
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.i18n import message, register_messages
from api.messaging.models import STAFF_SIDE, Message, MessageThread
from bots.engine.types import Button, Reply
from bots.models import ThreadChat
from bots.processing import ADAPTERS

log = logging.getLogger(__name__)
BATCH = 20  # messages per chat per run

register_messages(
    {
        "bot_officer_says": {
            "vi": "👤 Cán bộ trả lời:\n{body}",
            "en": "👤 The officer replied:\n{body}",
        },
        "bot_officer_files": {
            "vi": "📎 Kèm {count} tệp: xin xem trong ứng dụng.",
            "en": "📎 {count} file(s) attached: please see them in the app.",
        },
    }
)


def relay(limit: int = 500) -> dict[str, int]:
    now = utcnow()
    quiet = timedelta(seconds=settings.current().bot_thread_ttl_seconds)
    chats = list(
        db.session.scalars(select(ThreadChat).where(ThreadChat.ended_at.is_(None)).limit(limit))
    )
    outgoing: list[tuple[str, str, list[Reply]]] = []
    closed = 0
    for chat in chats:
        if now - as_utc(chat.last_activity_at) > quiet:
            chat.ended_at = now
            closed += 1
            continue
        messages = list(
            db.session.scalars(
                select(Message)
                .join(MessageThread, MessageThread.id == Message.thread_id)
                .where(
                    MessageThread.dossier_id == chat.dossier_id,
                    Message.author_kind.in_(STAFF_SIDE),
                    Message.id > chat.relayed_message_id,
                )
                .order_by(Message.id)
                .limit(BATCH)
            )
        )
        if messages:
            chat.relayed_message_id = messages[-1].id
            replies = [_reply(m, chat.language) for m in messages]
            outgoing.append((chat.channel, chat.chat_id, replies))
    # Marked relayed before sending: a crash may lose a relay, never repeat it; the citizen
    # also has the officer_reply notification and the thread in the app.
    db.session.commit()
    sent = 0
    for channel, chat_id, replies in outgoing:
        adapter = ADAPTERS.get(channel)
        if adapter is None:
            continue
        adapter.send(chat_id, replies)
        sent += len(replies)
    counts = {"relayed": sent, "closed": closed}
    if sent or closed:
        log.info("bot_relay", extra=counts)
    return counts


def _reply(item: Message, language: str) -> Reply:
    body = item.body
    if language == "en" and item.meta.get("body_en"):
        body = item.meta["body_en"]  # system messages carry their English wording
    text = message("bot_officer_says", language, body=body or "…")
    if item.attachments:
        text += "\n" + message("bot_officer_files", language, count=len(item.attachments))
    return Reply(text, [[Button(message("bot_btn_leave_thread", language), "x")]])
