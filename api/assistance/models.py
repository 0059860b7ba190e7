"""Assisted use: community teams and members, grants (help sessions and standing mandates),
their append-only history, consent codes, audited cross-commune exceptions and the usage log
a resident reads ("Ai đã xem hồ sơ của tôi?")."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
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

# Member states: a suspended member may come back, a retired one never does.
MEMBER_ACTIVE, MEMBER_SUSPENDED, MEMBER_RETIRED = "active", "suspended", "retired"
MEMBER_STATES = (MEMBER_ACTIVE, MEMBER_SUSPENDED, MEMBER_RETIRED)

# Grant kinds: a help session of hours, a standing mandate (a relative or carer, at most a
# year) and a legal representative registered by an officer.
SESSION, MANDATE, LEGAL = "session", "mandate", "legal"
KINDS = (SESSION, MANDATE, LEGAL)
# Ordered states as pagopa/pn-mandate numbers them (10..50).
PENDING, ACTIVE, REJECTED, REVOKED, EXPIRED = "pending", "active", "rejected", "revoked", "expired"
STATES = (PENDING, ACTIVE, REJECTED, REVOKED, EXPIRED)
OPEN_STATES = (PENDING, ACTIVE)
# How consent was given.
BY_CODE, BY_DESK, BY_DOCUMENTS = "code", "desk", "documents"


def _public_id() -> str:
    return uuid.uuid4().hex


class Team(db.Model):
    """A Tổ công nghệ số cộng đồng of one village, set up by the commune chairman's decision."""

    __tablename__ = "assist_teams"
    __table_args__ = (UniqueConstraint("commune_code", "village"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    commune_code: Mapped[int] = mapped_column(Integer, index=True)
    village: Mapped[str] = mapped_column(String(200))
    decision_number: Mapped[str] = mapped_column(String(64))
    decision_date: Mapped[date] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class TeamMember(db.Model):
    __tablename__ = "assist_team_members"
    __table_args__ = (UniqueConstraint("team_id", "account_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("assist_teams.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=MEMBER_ACTIVE)
    joined_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)


class CommuneException(db.Model):
    """An admin's audited permission for one helper to help one resident of another commune."""

    __tablename__ = "assist_commune_exceptions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    helper_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    granted_by_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Grant(db.Model):
    """Consent for ``helper`` to act for ``resident``: which actions, which dossiers, until when."""

    __tablename__ = "assist_grants"
    __table_args__ = (
        Index("ix_assist_grants_resident_state", "resident_id", "state"),
        Index("ix_assist_grants_helper_state", "helper_id", "state"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    actions: Mapped[list] = mapped_column(JSON, default=list)
    dossier_codes: Mapped[list] = mapped_column(JSON, default=list)  # empty: all of theirs
    purpose: Mapped[str] = mapped_column(Text, default="")
    consent: Mapped[str] = mapped_column(String(16), default=BY_CODE)
    witnessed_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    # The helper's commune when the grant was made (community members only).
    commune_code: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    exception_id: Mapped[int | None] = mapped_column(
        ForeignKey("assist_commune_exceptions.id"), nullable=True
    )
    duration_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)  # sessions
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    accept_by: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    first_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)


class GrantEvent(db.Model):
    """Append-only history: every change of state and who made it."""

    __tablename__ = "assist_grant_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("assist_grants.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16), default="")
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(32), default="")
    channel: Mapped[str] = mapped_column(String(16), default="api")
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ConsentCode(db.Model):
    """A consent code, stored as a keyed hash only; single use, a few tries."""

    __tablename__ = "assist_consent_codes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("assist_grants.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class UsageRecord(db.Model):
    """One read or write made for a resident, written in the same transaction as the change."""

    __tablename__ = "assist_usage"
    __table_args__ = (
        Index("ix_assist_usage_resident_id", "resident_id", "id"),
        Index("ix_assist_usage_device_at", "device", "at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("assist_grants.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    access: Mapped[str] = mapped_column(String(8))  # read | write
    object_type: Mapped[str] = mapped_column(String(32), default="")
    object_id: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(16), default="api")
    device: Mapped[str] = mapped_column(String(32), default="")  # hash of the helper's session
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    disputed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    dispute_note: Mapped[str] = mapped_column(Text, default="")
