"""Accounts (citizens and staff), sign-in sessions with rotating refresh tokens, one-time codes."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from api.kernel.clock import utcnow
from api.kernel.database import UtcDateTime, db

# Assurance levels: what we know about who holds the account.
ASSURANCE_VNEID = "vneid"  # identity proven by the national identity system
ASSURANCE_PHONE = "phone"  # controls a phone number, identity not proven
ASSURANCE_PASSWORD = "password"  # staff account created by an administrator

ROLE_CITIZEN = "citizen"
ROLE_OFFICER = "officer"  # handles dossiers of one agency/unit
ROLE_COMMUNITY = "community"  # Tổ công nghệ số cộng đồng member, bound to a commune
ROLE_ADMIN = "admin"
STAFF_ROLES = (ROLE_OFFICER, ROLE_COMMUNITY, ROLE_ADMIN)


def _public_id() -> str:
    return uuid.uuid4().hex


class Account(db.Model):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=_public_id)
    role: Mapped[str] = mapped_column(String(16), index=True)
    assurance: Mapped[str] = mapped_column(String(16))
    # Số định danh cá nhân: ties dossiers (SoGiayToChuHoSo) to the citizen. VNeID only.
    personal_id: Mapped[str | None] = mapped_column(String(12), unique=True, nullable=True)
    phone: Mapped[str | None] = mapped_column(String(16), unique=True, nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    # Staff only.
    username: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    unit_code: Mapped[str | None] = mapped_column(String(300), nullable=True, index=True)
    commune_code: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # Admins of one province (commune admins use commune_code; neither: the whole country).
    province_code: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES


class AuthSession(db.Model):
    """One signed-in device or app install: a family of rotating refresh tokens."""

    __tablename__ = "auth_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_public_id)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), index=True)
    assurance: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    account: Mapped[Account] = relationship(lazy="joined")


class RefreshToken(db.Model):
    """Stored as a SHA-256 hash; a token used twice reveals theft and revokes its family."""

    __tablename__ = "refresh_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class OtpChallenge(db.Model):
    """A one-time code sent to a phone; the code itself is stored only as a keyed hash."""

    __tablename__ = "otp_challenges"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    phone: Mapped[str] = mapped_column(String(16), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="signin")
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
