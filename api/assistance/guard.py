"""Acting for a resident: a token carrying both identities (RFC 8693 style: ``sub`` is the
resident, ``act.sub`` the helper) and the check made on every request, on both people.

The token only says which grant it was issued under; scope, time, commune and state are read
from the grant at each request, so a revoked or expired grant stops the next request, tokens
issued before included, and a token whose scope was edited gains nothing.

Commits on its own: a wrong consent code must count even though the request that made it is
refused.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import jwt
from flask import current_app, g, request
from sqlalchemy import select, update

from api.assistance import grants, teams
from api.assistance.models import BY_DESK, BY_DOCUMENTS, Grant
from api.assistance.notify import tell_both
from api.assistance.rules import FORBIDDEN_ACTIONS
from api.assistance.usage import device_of
from api.auth.guard import Principal
from api.auth.models import ASSURANCE_VNEID, ROLE_COMMUNITY, Account, AuthSession
from api.auth.tokens import ACCESS_TOKEN_SECONDS, ALGORITHM, ISSUER
from api.kernel import clock
from api.kernel.clock import as_utc
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.web.blueprint import Access

TOKEN_TYPE = "assist"


@dataclass(frozen=True)
class ActingContext:
    """Who acts (``helper``), for whom (``resident``), under which grant."""

    grant_id: int
    grant_public_id: str
    helper: Principal
    resident: Principal
    actions: tuple[str, ...]
    dossier_codes: tuple[str, ...]
    device: str = ""
    channel: str = "api"


def _secret() -> str:
    return current_app.extensions["settings"].secret_key


def issue_token(grant: Grant, helper: Principal) -> tuple[str, int]:
    """An access token for acting under ``grant``: ends with the grant at the latest."""
    if helper.account_id != grant.helper_id:
        raise ApiError(404, "assist_grant_not_found")
    grants.expire_if_due(grant)
    db.session.commit()
    if not grants.in_force(grant):
        raise ApiError(403, "assist_grant_inactive")
    resident = db.session.get(Account, grant.resident_id)
    now = clock.utcnow()
    exp = min(now + timedelta(seconds=ACCESS_TOKEN_SECONDS), as_utc(grant.expires_at))
    claims = {
        "iss": ISSUER,
        "typ": TOKEN_TYPE,
        "sub": resident.public_id,
        "act": {"sub": helper.public_id},
        "gid": grant.public_id,
        "sid": helper.session_id,
        "scope": " ".join(grant.actions),  # informative only: the grant decides
        "iat": int(now.timestamp()),
        "exp": int(exp.timestamp()),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, _secret(), algorithm=ALGORITHM)
    return token, max(0, int((exp - now).total_seconds()))


def _invalid() -> ApiError:
    return ApiError(401, "token_invalid", headers={"WWW-Authenticate": "Bearer"})


def decode(token: str) -> dict:
    try:
        claims = jwt.decode(
            token,
            _secret(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            # Expiry is judged by the one clock below (tests move it across day boundaries).
            options={
                "require": ["exp", "sub", "sid", "act", "gid"],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as exc:
        raise _invalid() from exc
    if claims.get("typ") != TOKEN_TYPE or not isinstance(claims.get("act"), dict):
        raise _invalid()
    if claims["exp"] <= clock.utcnow().timestamp():
        raise _invalid()
    return claims


def resident_principal(account: Account, grant: Grant) -> Principal:
    """The resident as a subject. An officer who checked the ID card at the desk (or the
    documents of a legal representative) proved who they are for this grant."""
    proven = account.assurance == ASSURANCE_VNEID or grant.consent in (BY_DESK, BY_DOCUMENTS)
    return Principal.of(account, ASSURANCE_VNEID if proven else account.assurance)


def context_for(claims: dict, channel: str = "api") -> ActingContext:
    """Check both identities and the grant now; raises 401/403 when anything is off."""
    grant = db.session.scalar(select(Grant).where(Grant.public_id == str(claims["gid"])))
    if grant is None:
        raise _invalid()
    helper = db.session.get(Account, grant.helper_id)
    resident = db.session.get(Account, grant.resident_id)
    session = db.session.get(AuthSession, str(claims["sid"]))
    if (
        helper is None
        or resident is None
        or helper.public_id != claims["act"].get("sub")
        or resident.public_id != claims["sub"]
        or session is None
        or session.account_id != helper.id
        or session.revoked_at is not None
        or not helper.active
    ):
        raise _invalid()
    if grants.expire_if_due(grant):
        db.session.commit()
    if not grants.in_force(grant):
        raise ApiError(403, "assist_grant_inactive")
    if helper.role == ROLE_COMMUNITY and not teams.is_active_member(helper.id):
        raise ApiError(403, "assist_not_helper")
    if not teams.same_commune_or_exception(helper, resident, grant.exception_id):
        raise ApiError(403, "assist_other_commune")
    ctx = ActingContext(
        grant_id=grant.id,
        grant_public_id=grant.public_id,
        helper=Principal.of(helper, session.assurance, session.id),
        resident=resident_principal(resident, grant),
        actions=tuple(grant.actions or ()),
        dossier_codes=tuple(grant.dossier_codes or ()),
        device=device_of(session.id),
        channel=channel,
    )
    # End the read here: on the embedded SQLite a write after an old read snapshot is refused
    # when the worker thread wrote in between.
    db.session.commit()
    return ctx


def require(ctx: ActingContext, *actions: str, dossier_code: str | None = None) -> str:
    """The first of ``actions`` the grant allows (forbidden ones never are); checks the
    dossier is one the grant covers. Returns the action used."""
    for action in actions:
        if action in FORBIDDEN_ACTIONS:
            raise ApiError(403, "assist_forbidden_action")
    allowed = [a for a in actions if a in ctx.actions]
    if not allowed:
        raise ApiError(403, "assist_out_of_scope")
    if dossier_code is not None and ctx.dossier_codes and dossier_code not in ctx.dossier_codes:
        raise ApiError(403, "assist_out_of_scope")
    return allowed[0]


def mark_first_use(ctx: ActingContext) -> list:
    """The first request under a grant tells both people (caller commits)."""
    now = clock.utcnow()
    won = db.session.execute(
        update(Grant)
        .where(Grant.id == ctx.grant_id, Grant.first_used_at.is_(None))
        .values(first_used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not won:
        return []

    return tell_both(db.session.get(Grant, ctx.grant_id), "first_use")


def forbid_as_resident(actor: object) -> None:
    """For other domains (surveys, ratings): refuse when someone acts *as* a resident.

    ``actor`` is an ``ActingContext`` or anything with a ``helper`` attribute; a plain
    ``Principal`` (the resident themselves) passes."""
    if isinstance(actor, ActingContext) or getattr(actor, "helper", None) is not None:
        raise ApiError(403, "assist_forbidden_action")


def current_acting() -> ActingContext:
    return g.acting


def _acting_token() -> None:
    header = request.headers.get("Authorization") or ""
    if not header.startswith("Bearer "):
        raise ApiError(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    g.acting = context_for(decode(header[7:].strip()))


# Acting for a resident with an acting token (from POST /api/v1/assistance/grants/{id}/token).
ACTING = Access(
    "acting",
    check=_acting_token,
    security=({"bearerAuth": []},),
    refusals=(
        (401, "No valid acting token"),
        (403, "Grant not in force, out of scope or forbidden"),
    ),
)
