"""Consent codes: single use, short-lived, stored as a keyed hash, a few tries, never logged.

The helper never types where the code goes: a session's code is sent to the phone already on
the resident's record; a mandate's code is shown once to the resident who made it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from api.assistance.models import ConsentCode, Grant
from api.assistance.rules import CODE_ATTEMPTS
from api.kernel import clock
from api.kernel.clock import as_utc
from api.kernel.database import db


def _hash(grant: Grant, code: str) -> str:
    key = current_app.extensions["settings"].secret_key.encode()
    return hmac.new(key, f"assist:{grant.public_id}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code(grant: Grant, ttl: timedelta, digits: int = 6) -> str:
    """A fresh code for ``grant``; earlier ones stop working (caller commits, then sends)."""
    now = clock.utcnow()
    db.session.execute(
        update(ConsentCode)
        .where(ConsentCode.grant_id == grant.id, ConsentCode.consumed_at.is_(None))
        .values(consumed_at=now)
    )
    code = f"{secrets.randbelow(10**digits):0{digits}d}"
    db.session.add(
        ConsentCode(
            grant_id=grant.id, code_hash=_hash(grant, code), created_at=now, expires_at=now + ttl
        )
    )
    return code


def check_code(grant: Grant, code: str) -> str:
    """ "ok", "wrong", "expired" or "exhausted" (the last allowed try failed, or none left).

    The row is locked, so two tries at the same moment count as two (PostgreSQL)."""
    row = db.session.scalar(
        select(ConsentCode)
        .where(ConsentCode.grant_id == grant.id, ConsentCode.consumed_at.is_(None))
        .order_by(ConsentCode.id.desc())
        .limit(1)
        .with_for_update()
    )
    now = clock.utcnow()
    if row is None:
        return "exhausted"
    if as_utc(row.expires_at) <= now:
        row.consumed_at = now
        return "expired"
    if hmac.compare_digest(row.code_hash, _hash(grant, "".join(code.split()))):
        row.consumed_at = now
        return "ok"
    row.attempts += 1
    if row.attempts >= CODE_ATTEMPTS:
        row.consumed_at = now
        return "exhausted"
    return "wrong"
