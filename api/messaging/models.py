"""One message thread per dossier, its messages and attachments, and canned replies per unit."""

from __future__ import annotations

import uuid
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
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

# Who wrote a message. "community": a community tech team member on a resident's behalf.
CITIZEN, OFFICER, COMMUNITY, SYSTEM = "citizen", "officer", "community", "system"
AUTHOR_KINDS = (CITIZEN, OFFICER, COMMUNITY, SYSTEM)
# The two sides of a thread: a message is unread until someone on the other side reads it.
CITIZEN_SIDE = (CITIZEN, COMMUNITY)
STAFF_SIDE = (OFFICER, SYSTEM)
# Where a message came in. System messages are written by us and carry "system".
CHANNELS = ("app", "zalo", "telegram", "web")
OPEN, CLOSED = "open", "closed"


def _public_id() -> str:
    return uuid.uuid4().hex


class MessageThread(db.Model):
    __tablename__ = "message_threads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True
    )
    status: Mapped[str] = mapped_column(String(8), default=OPEN, index=True)
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), nullable=True, index=True
    )
    # Set by the first citizen message after a staff reply, cleared by a reply: drives the
    # "awaiting reply" and "overdue" inbox filters without scanning messages.
    awaiting_reply_since: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), nullable=True, index=True
    )
    last_message_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime(), nullable=True, index=True
    )
    last_preview: Mapped[str] = mapped_column(String(200), default="")
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Message(db.Model):
    __tablename__ = "messages"
    __table_args__ = (
        # A webhook delivered twice stores once. Ids are only unique within a channel (a
        # Telegram message id is per chat: bots pass "<chat id>:<message id>").
        UniqueConstraint("channel", "external_message_id"),
        Index("ix_messages_thread_id_id", "thread_id", "id"),
        Index("ix_messages_digest", "author_kind", "digested_at"),  # the unit digest's scan
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"))
    author_kind: Mapped[str] = mapped_column(String(16))
    author_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), nullable=True, index=True
    )
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(16))
    body: Mapped[str] = mapped_column(Text, default="")
    # Structured content for system messages (e.g. the supplement request's items).
    meta: Mapped[dict] = mapped_column(JSON, default=dict)
    external_message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Citizen messages: when the unit digest included it (None: not yet told).
    digested_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", lazy="selectin", back_populates="message"
    )


class Attachment(db.Model):
    """A photo or PDF; the bytes live in attachment storage under ``storage_key``."""

    __tablename__ = "message_attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("message_threads.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200), default="")
    content_type: Mapped[str] = mapped_column(String(64))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")


class CannedReply(db.Model):
    """A reply an officer reuses; each unit keeps its own."""

    __tablename__ = "canned_replies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_code: Mapped[str] = mapped_column(String(300), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
