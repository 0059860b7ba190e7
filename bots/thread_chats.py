"""A chat in a dossier's message thread (rows of ThreadChat): join, keep alive, leave."""

from __future__ import annotations

from sqlalchemy import func, select

from api.dossiers.models import Dossier
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.messaging.models import Message, MessageThread
from bots.models import ThreadChat


def _open(channel: str, chat_id: str) -> ThreadChat | None:
    return db.session.scalar(
        select(ThreadChat).where(
            ThreadChat.channel == channel,
            ThreadChat.chat_id == chat_id,
            ThreadChat.ended_at.is_(None),
        )
    )


def begin(channel: str, chat_id: str, dossier: Dossier, account_id: int, language: str) -> None:
    """Start relaying officer messages of ``dossier`` to the chat, from now on (one open thread
    per chat: joining another leaves the previous one)."""
    end(channel, chat_id)
    newest = db.session.scalar(
        select(func.max(Message.id))
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .where(MessageThread.dossier_id == dossier.id)
    )
    db.session.add(
        ThreadChat(
            channel=channel,
            chat_id=chat_id,
            dossier_id=dossier.id,
            account_id=account_id,
            language=language,
            relayed_message_id=newest or 0,
        )
    )
    db.session.commit()


def touch(channel: str, chat_id: str) -> None:
    joined = _open(channel, chat_id)
    if joined is not None:
        joined.last_activity_at = utcnow()
        db.session.commit()


def end(channel: str, chat_id: str) -> None:
    joined = _open(channel, chat_id)
    if joined is not None:
        joined.ended_at = utcnow()
        db.session.commit()
