"""Notifications (one per recipient and event) and their delivery attempts (one per try)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

# Notification lifecycle.
PENDING, DELIVERING, AWAITING_RECEIPT, DELIVERED, FAILED = (
    "pending",
    "delivering",
    "awaiting_receipt",
    "delivered",
    "failed",
)
# Attempt lifecycle: created → sending → sent → delivered, or one of the failures.
CREATED, SENDING, SENT, ATTEMPT_DELIVERED = "created", "sending", "sent", "delivered"
TEMPORARY_FAILURE, PERMANENT_FAILURE, TECHNICAL_FAILURE = (
    "temporary_failure",
    "permanent_failure",
    "technical_failure",
)


class Notification(db.Model):
    """What one person should hear about one event. Also their in-app inbox entry."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), nullable=True, index=True
    )
    # A chat that follows a dossier without an account (bots): channel and chat id.
    chat_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    event: Mapped[str] = mapped_column(String(32), index=True)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id"), nullable=True, index=True
    )
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    language: Mapped[str] = mapped_column(String(2), default="vi")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    # The channels to try, in order, decided when the notification was made.
    chain: Mapped[list] = mapped_column(JSON, default=list)
    chain_index: Mapped[int] = mapped_column(Integer, default=0)
    tries_on_channel: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # A worker that claims a notification holds it until then; a crashed worker's claim expires.
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    receipt_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    delivered_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    attempts: Mapped[list[DeliveryAttempt]] = relationship(
        order_by="DeliveryAttempt.id", back_populates="notification"
    )


class DeliveryAttempt(db.Model):
    """One try on one channel. Its id is the reference we give the provider (idempotency key,
    ZNS tracking_id, email Message-ID), so a retry of the same attempt is recognisable."""

    __tablename__ = "delivery_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    route: Mapped[str] = mapped_column(String(16), default="")  # e.g. zalo "oa" or "zns"
    status: Mapped[str] = mapped_column(String(20), default=CREATED, index=True)
    provider_message_id: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    error_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    failed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    notification: Mapped[Notification] = relationship(back_populates="attempts")
