"""Quality figures: one fact row per dossier, immutable snapshots of the Decision 766
indicators with the dossiers behind each figure, values the portal published, and the outbox
of events for the monitoring system (EMC)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    event,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db


class DossierFact(db.Model):
    """What the figures need of one dossier, rewritten in the transaction of every status
    change (and by the nightly rebuild). No personal data: no name, number or phone."""

    __tablename__ = "quality_facts"
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossiers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    dossier_code: Mapped[str] = mapped_column(String(64), unique=True)
    unit_code: Mapped[str] = mapped_column(String(64), default="", index=True)
    unit_name: Mapped[str] = mapped_column(String(300), default="")
    commune_code: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    procedure_code: Mapped[str] = mapped_column(String(64), default="", index=True)
    online_level: Mapped[str] = mapped_column(String(32), default="")  # catalog online_levels
    channel: Mapped[str] = mapped_column(String(16), default="")  # online | in_person | postal
    status_code: Mapped[int] = mapped_column(SmallInteger)
    # [[ISO time, status code], ...] oldest first: lets a figure be computed as of any cut-off.
    status_history: Mapped[list] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    due_source: Mapped[str] = mapped_column(String(16), default="")  # portal | catalog | ""
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    # [[start ISO, end ISO or null], ...]: supplement and payment requests stop the clock.
    paused_periods: Mapped[list] = mapped_column(JSON, default=list)
    adjusted_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    timeliness: Mapped[str] = mapped_column(String(24), default="")  # as of updated_at
    components: Mapped[int] = mapped_column(Integer, default=0)  # papers the procedure asks
    digitised: Mapped[bool] = mapped_column(Boolean, default=False)
    e_result: Mapped[bool] = mapped_column(Boolean, default=False)
    has_fee: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_online: Mapped[bool] = mapped_column(Boolean, default=False)
    synced_to_portal: Mapped[bool] = mapped_column(Boolean, default=False)
    rated_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    rating_overall: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Snapshot(db.Model):
    """One computation of the indicators for a scope and period. ``content`` is canonical JSON
    (the same input gives the same bytes); once published nothing in the row changes."""

    __tablename__ = "quality_snapshots"
    __table_args__ = (
        Index(
            "ix_quality_snapshots_scope", "scope_kind", "scope_code", "period_kind", "period_key"
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(16))  # province | unit | commune
    scope_code: Mapped[str] = mapped_column(String(64))
    period_kind: Mapped[str] = mapped_column(String(8))  # week | month
    period_key: Mapped[str] = mapped_column(String(16))  # 2026-11 | 2026-W47
    formula_version: Mapped[str] = mapped_column(String(32))
    data_cutoff: Mapped[datetime] = mapped_column(UtcDateTime())
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("quality_snapshots.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class SnapshotMember(db.Model):
    """A dossier (or procedure) counted in a figure's numerator ("n") or denominator ("d")."""

    __tablename__ = "quality_snapshot_members"
    __table_args__ = (
        Index("ix_quality_members_figure", "snapshot_id", "indicator", "part", "item"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("quality_snapshots.id", ondelete="CASCADE"))
    indicator: Mapped[str] = mapped_column(String(32))
    part: Mapped[str] = mapped_column(String(1))
    item: Mapped[str] = mapped_column(String(64))  # dossier code or procedure code


class PublishedValue(db.Model):
    """A value the portal published for a scope and period, imported by an admin, shown beside
    our local estimate (never mixed into it)."""

    __tablename__ = "quality_portal_values"
    __table_args__ = (
        UniqueConstraint(
            "scope_kind",
            "scope_code",
            "period_kind",
            "period_key",
            "indicator",
            name="uq_quality_portal_values_scope",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope_kind: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str] = mapped_column(String(64))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_key: Mapped[str] = mapped_column(String(16))
    indicator: Mapped[str] = mapped_column(String(32))  # an indicator code, a group, or "total"
    value: Mapped[float] = mapped_column(Numeric(7, 2))
    source: Mapped[str] = mapped_column(String(500), default="")
    imported_by: Mapped[str] = mapped_column(String(100), default="")
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class EmcEvent(db.Model):
    """Outbox of dossier events for the monitoring system, one per dossier and EMC status."""

    __tablename__ = "emc_outbox"
    __table_args__ = (Index("ix_emc_outbox_state_next", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status_code: Mapped[int] = mapped_column(SmallInteger)  # the portal's TrangThaiHoSo
    emc_status: Mapped[int] = mapped_column(SmallInteger)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class EmcReconciliation(db.Model):
    """The daily count of status changes against events queued and sent."""

    __tablename__ = "emc_reconciliations"
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    status_changes: Mapped[int] = mapped_column(Integer, default=0)
    expected: Mapped[int] = mapped_column(Integer, default=0)  # distinct (dossier, EMC status)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    missing_queued: Mapped[int] = mapped_column(Integer, default=0)  # repaired by this run
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class PublishedSnapshotError(RuntimeError):
    """A published snapshot was about to change: recompute makes a new one instead."""


@event.listens_for(Snapshot, "before_update")
def _published_is_final(_mapper, connection, target: Snapshot) -> None:
    # The stored row decides (the object's own history may have been expired).
    stored = connection.scalar(
        select(Snapshot.__table__.c.published_at).where(Snapshot.__table__.c.id == target.id)
    )
    if stored is not None:
        raise PublishedSnapshotError(f"snapshot {target.id} is published and cannot change")


@event.listens_for(Snapshot, "before_delete")
def _published_stays(_mapper, _connection, target: Snapshot) -> None:
    if target.published_at is not None:
        raise PublishedSnapshotError(f"snapshot {target.id} is published and cannot be deleted")
