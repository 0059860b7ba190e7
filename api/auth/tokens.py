"""Access tokens (short-lived JWTs) and refresh tokens (random, stored hashed, rotating).

A refresh token is single use: using it returns a new one. Presenting one that was already
used means it was copied, so the whole session (token family) is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from flask import current_app
from sqlalchemy import select, update

from api.auth.models import Account, AuthSession, RefreshToken
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError

ACCESS_TOKEN_SECONDS = 15 * 60
SESSION_DAYS = 30
ALGORITHM = "HS256"
ISSUER = "dvc-connect"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int = ACCESS_TOKEN_SECONDS
    token_type: str = "Bearer"

    def as_dict(self) -> dict:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_in": self.expires_in,
            "token_type": self.token_type,
        }


def _secret() -> str:
    return current_app.extensions["settings"].secret_key


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_access_token(account: Account, session: AuthSession) -> str:
    now = utcnow()
    claims = {
        "iss": ISSUER,
        "sub": account.public_id,
        "sid": session.id,
        "role": account.role,
        "aal": session.assurance,
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ACCESS_TOKEN_SECONDS)).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _secret(), algorithm=ALGORITHM)


def decode_access_token(token: str) -> dict:
    try:
        return jwt.decode(
            token,
            _secret(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "sid"]},
        )
    except jwt.PyJWTError as exc:
        raise ApiError(401, "token_invalid", headers={"WWW-Authenticate": "Bearer"}) from exc


def _new_refresh_token(session: AuthSession) -> str:
    token = secrets.token_urlsafe(32)
    db.session.add(RefreshToken(session_id=session.id, token_hash=hash_token(token)))
    return token


def start_session(
    account: Account, assurance: str, ip: str = "", user_agent: str = ""
) -> TokenPair:
    """A new sign-in: a session, its first refresh token and an access token (caller commits)."""
    session = AuthSession(
        account=account,
        assurance=assurance,
        expires_at=utcnow() + timedelta(days=SESSION_DAYS),
        ip=ip[:64],
        user_agent=user_agent[:200],
    )
    db.session.add(session)
    db.session.flush()
    account.last_sign_in_at = utcnow()
    return TokenPair(issue_access_token(account, session), _new_refresh_token(session))


class RefreshReuse(Exception):
    """A refresh token was presented a second time."""

    def __init__(self, session: AuthSession) -> None:
        super().__init__(session.id)
        self.session = session


def rotate(refresh_token: str) -> tuple[AuthSession, TokenPair]:
    """Exchange a refresh token for a new pair; raises RefreshReuse on reuse (caller revokes)."""
    stored = db.session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == hash_token(refresh_token))
    )
    if stored is None:
        raise ApiError(401, "refresh_invalid")
    session = db.session.get(AuthSession, stored.session_id)
    if session is None or session.revoked_at is not None or as_utc(session.expires_at) < utcnow():
        raise ApiError(401, "refresh_invalid")
    # Conditional update: of two concurrent uses of one token, exactly one wins.
    won = db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if not won:
        raise RefreshReuse(session)
    if not session.account.active:
        raise ApiError(401, "refresh_invalid")
    session.last_used_at = utcnow()
    return session, TokenPair(
        issue_access_token(session.account, session), _new_refresh_token(session)
    )


def revoke_session(session: AuthSession, reason: str) -> None:
    if session.revoked_at is None:
        session.revoked_at = utcnow()
        session.revoked_reason = reason


def revoke_all_sessions(account_id: int, reason: str) -> int:
    return db.session.execute(
        update(AuthSession)
        .where(AuthSession.account_id == account_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow(), revoked_reason=reason)
    ).rowcount
