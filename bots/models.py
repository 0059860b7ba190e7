"""Raw updates from the chat platforms (stored before anything else), and what a chat chose."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db


class BotUpdate(db.Model):
    """One webhook call as the platform sent it. The unique key makes a redelivered update
    (Telegram's update_id, Zalo's msg_id) a no-op; ``processed_at`` empty means a worker
    still has to answer it (the sweeper re-enqueues those if Redis lost the job)."""

    __tablename__ = "bot_updates"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_bot_updates_pending", "processed_at", "received_at"),
        Index("ix_bot_updates_chat", "channel", "chat_id", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(128))
    chat_id: Mapped[str] = mapped_column(String(64), default="")
    kind: Mapped[str] = mapped_column(String(48), default="")
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # A worker holds an update until then; a crashed worker's claim runs out.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class BotChat(db.Model):
    """What the bot keeps about a chat beyond a conversation: its language, and how strongly
    its link to an account was proven (a phone code proves the phone only)."""

    __tablename__ = "bot_chats"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    link_assurance: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ThreadChat(db.Model):
    """A chat in a dossier's message thread with the officer: while it is open, officer messages
    on the thread are relayed into the chat in full (bots.thread_relay). The table keeps its
    first name (renaming it would buy a migration and nothing else)."""

    __tablename__ = "bot_talks"
    __table_args__ = (Index("ix_bot_talks_open", "ended_at", "dossier_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64), index=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    language: Mapped[str] = mapped_column(String(2), default="vi")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Officer messages up to this id have been relayed (or were there before the chat joined).
    relayed_message_id: Mapped[int] = mapped_column(Integer, default=0)
