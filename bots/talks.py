"""Open conversations between a chat and a dossier's officer (rows of BotTalk)."""

from __future__ import annotations

from sqlalchemy import func, select

from api.dossiers.models import Dossier
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.messaging.models import Message, MessageThread
from bots.models import BotTalk


def _open(channel: str, chat_id: str) -> BotTalk | None:
    return db.session.scalar(
        select(BotTalk).where(
            BotTalk.channel == channel, BotTalk.chat_id == chat_id, BotTalk.ended_at.is_(None)
        )
    )


def begin(channel: str, chat_id: str, dossier: Dossier, account_id: int, language: str) -> None:
    """Start relaying officer messages of ``dossier`` to the chat, from now on (one open talk
    per chat: starting another ends the previous one)."""
    end(channel, chat_id)
    newest = db.session.scalar(
        select(func.max(Message.id))
        .join(MessageThread, MessageThread.id == Message.thread_id)
        .where(MessageThread.dossier_id == dossier.id)
    )
    db.session.add(
        BotTalk(
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
    talk = _open(channel, chat_id)
    if talk is not None:
        talk.last_activity_at = utcnow()
        db.session.commit()


def end(channel: str, chat_id: str) -> None:
    talk = _open(channel, chat_id)
    if talk is not None:
        talk.ended_at = utcnow()
        db.session.commit()
