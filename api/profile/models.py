from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

TARGET_FCM_TOKEN = "fcm_token"
TARGET_INSTALLATION = "firebase_installation_id"
CHAT_CHANNELS = ("zalo", "telegram")


class Device(db.Model):
    """An app install that can receive push. The target is unique: registering it again
    (after a reinstall or a change of account) moves it rather than duplicating it."""

    __tablename__ = "devices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    target: Mapped[str] = mapped_column(String(512), unique=True)
    target_type: Mapped[str] = mapped_column(String(32))
    platform: Mapped[str] = mapped_column(String(16))
    app_version: Mapped[str] = mapped_column(String(32), default="")
    language: Mapped[str] = mapped_column(String(2), default="vi")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ChatIdentity(db.Model):
    """A Zalo user id or Telegram chat id linked to an account: one per channel per person."""

    __tablename__ = "chat_identities"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        UniqueConstraint("account_id", "channel"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # Set when the platform tells us the person blocked or unfollowed us.
    blocked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # Last message from the person: Zalo allows free-form replies only inside a window.
    last_interaction_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class LinkCode(db.Model):
    """A short single-use code the citizen types into the bot to link the chat."""

    __tablename__ = "link_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # What the app session that asked for the code proved (vneid or phone): a chat linked
    # with it proves no more than that session did.
    assurance: Mapped[str] = mapped_column(String(16), default="phone", server_default="phone")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class NotificationPreference(db.Model):
    __tablename__ = "notification_preferences"
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    channels: Mapped[list] = mapped_column(JSON)
    events: Mapped[dict] = mapped_column(JSON)
    quiet_start: Mapped[str | None] = mapped_column(String(5), nullable=True)
    quiet_end: Mapped[str | None] = mapped_column(String(5), nullable=True)
    language: Mapped[str] = mapped_column(String(2), default="vi")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
