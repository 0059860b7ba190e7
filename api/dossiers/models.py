"""Dossiers mirrored from the portal, their timeline, followers and domain events (outbox)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db


class DossierStatus(db.Model):
    """TrangThaiHoSo 1–10 with labels; seeded by migration because decrees define them."""

    __tablename__ = "dossier_statuses"
    code: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    label_vi: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    portal_code: Mapped[str] = mapped_column(String(32))  # the portal's English code
    group: Mapped[str] = mapped_column(String(32))  # in_progress, supplement_requested, ...
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the citizen should do now, in plain words.
    advice_vi: Mapped[str] = mapped_column(Text, default="")
    advice_en: Mapped[str] = mapped_column(Text, default="")


class Dossier(db.Model):
    __tablename__ = "dossiers"
    __table_args__ = (Index("ix_dossiers_sync_due", "finished", "next_sync_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # MaHoSo
    procedure_code: Mapped[str] = mapped_column(String(64), default="", index=True)  # MaTTHC
    procedure_name: Mapped[str] = mapped_column(Text, default="")
    field_code: Mapped[str] = mapped_column(String(64), default="")
    field_name: Mapped[str] = mapped_column(String(300), default="")
    receipt_number: Mapped[str] = mapped_column(String(64), default="")  # SoBienNhan
    channel: Mapped[str] = mapped_column(String(2), default="")  # KenhThucHien 1/2/3
    applicant_name: Mapped[str] = mapped_column(String(300), default="")
    applicant_id_number: Mapped[str] = mapped_column(String(20), default="", index=True)
    applicant_type: Mapped[str] = mapped_column(String(2), default="")
    applicant_code: Mapped[str] = mapped_column(String(64), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    # The same number in one normal form (84…): who proves it by a one-time code is the
    # dossier's contact (api/dossiers/access.py). "" when the record has no mobile number.
    contact_phone: Mapped[str] = mapped_column(String(16), default="", index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    finished_processing_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    status_code: Mapped[int] = mapped_column(ForeignKey("dossier_statuses.code"), index=True)
    handling_unit: Mapped[str] = mapped_column(String(300), default="", index=True)  # DonViXuLy
    note: Mapped[str] = mapped_column(Text, default="")
    digitised: Mapped[bool] = mapped_column(Boolean, default=False)
    vneid_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    result_documents: Mapped[list] = mapped_column(JSON, default=list)
    supplement_requests: Mapped[list] = mapped_column(JSON, default=list)
    # Ordering guard: the as-of time of the newest record applied, and its content hash.
    source_as_of: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    source_hash: Mapped[str] = mapped_column(String(64), default="")
    finished: Mapped[bool] = mapped_column(Boolean, default=False)
    next_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)

    status: Mapped[DossierStatus] = relationship(lazy="joined")


class TimelineEntry(db.Model):
    """A status change or a processing-progress entry (TienDo), deduplicated by external key."""

    __tablename__ = "dossier_timeline"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # status | progress
    external_key: Mapped[str] = mapped_column(String(64), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    status_code: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    from_status_code: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    actor: Mapped[str] = mapped_column(String(200), default="")  # NguoiXuLy
    actor_title: Mapped[str] = mapped_column(String(200), default="")  # ChucDanh
    department: Mapped[str] = mapped_column(String(300), default="")  # PhongBanXuLy
    content: Mapped[str] = mapped_column(Text, default="")  # NoiDungXuLy
    step_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    step_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    source: Mapped[str] = mapped_column(String(16), default="push")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class DomainEvent(db.Model):
    """Outbox: written in the same transaction as the change it describes; the notification
    pipeline consumes it. The dedupe key makes the same change produce one event, ever."""

    __tablename__ = "domain_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(48), index=True)
    dedupe_key: Mapped[str] = mapped_column(String(96), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id"), nullable=True, index=True
    )
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)


class DossierFollow(db.Model):
    """Someone (a signed-in citizen, or later a chat) who wants to hear about a dossier."""

    __tablename__ = "dossier_follows"
    __table_args__ = (
        UniqueConstraint("dossier_id", "account_id"),
        UniqueConstraint("dossier_id", "chat_channel", "chat_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), index=True
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id"), nullable=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    # A chat (Zalo user or Telegram chat) that follows without a linked account.
    chat_channel: Mapped[str | None] = mapped_column(String(16), nullable=True)
    chat_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class SyncRun(db.Model):
    """A pull run (every few minutes, or the nightly wide re-pull): progress and a cursor, so
    an interrupted run resumes where it stopped."""

    __tablename__ = "sync_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # followed | nightly | catalog
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # last dossier id done
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
