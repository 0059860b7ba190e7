"""The sign-in access kinds for the web kit's Blueprint (``blp.access(SIGNED_IN)``,
``blp.access(role(ROLE_ADMIN))``): they check the bearer token and role; the kit documents them.

Services receive the resulting ``Principal``, never Flask's request, so bots and workers can
call them with a principal of their own.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flask import g, request

from api.auth.models import ASSURANCE_VNEID, Account, AuthSession
from api.auth.tokens import decode_access_token
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.web.blueprint import Access

register_messages(
    {
        "token_invalid": {
            "vi": "Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Xin vui lòng đăng nhập lại.",
            "en": "Your sign-in has expired or is not valid. Please sign in again.",
        },
        "assist_not_allowed_here": {
            "vi": "Khi đang giúp người dân, người giúp không được dùng chức năng này.",
            "en": "While helping a resident, a helper cannot use this feature.",
        },
        "role_required": {
            "vi": "Chức năng này chỉ dành cho cán bộ được giao nhiệm vụ.",
            "en": "Only staff with the right role can use this feature.",
        },
    }
)


@dataclass(frozen=True)
class Principal:
    """Who is acting: an account with its role, assurance and, for staff, its scope."""

    account_id: int
    public_id: str
    role: str
    assurance: str
    session_id: str | None = None
    personal_id: str | None = None
    phone: str | None = None
    unit_code: str | None = None
    commune_code: int | None = None
    province_code: int | None = None

    @property
    def identity_verified(self) -> bool:
        return self.assurance == ASSURANCE_VNEID and bool(self.personal_id)

    @classmethod
    def of(cls, account: Account, assurance: str, session_id: str | None = None) -> Principal:
        return cls(
            account_id=account.id,
            public_id=account.public_id,
            role=account.role,
            assurance=assurance,
            session_id=session_id,
            personal_id=account.personal_id,
            phone=account.phone,
            unit_code=account.unit_code,
            commune_code=account.commune_code,
            province_code=account.province_code,
        )


def _unauthorized() -> ApiError:
    return ApiError(401, "token_invalid", headers={"WWW-Authenticate": "Bearer"})


def authenticate(authorization: str | None) -> Principal:
    if not authorization or not authorization.startswith("Bearer "):
        raise ApiError(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    claims = decode_access_token(authorization[7:].strip())
    if "act" in claims:
        # Acting for someone (api/assistance) works only where a grant can allow it; never
        # here: profile, links, notification choices, grants, ratings or surveys as them.
        raise ApiError(403, "assist_not_allowed_here")
    return principal_of_session(claims["sid"], claims["sub"])


def principal_of_session(session_id: str, public_id: str | None = None) -> Principal:
    """The principal of a live session (a bearer token's, or the console cookie's)."""
    session = db.session.get(AuthSession, session_id)
    if session is None or session.revoked_at is not None:
        raise _unauthorized()
    account = session.account
    if not account.active or (public_id is not None and account.public_id != public_id):
        raise _unauthorized()
    return Principal.of(account, session.assurance, session.id)


def current_principal() -> Principal:
    return g.principal


BEARER = ({"bearerAuth": []},)


def _signed_in(roles: tuple[str, ...]) -> None:
    principal = authenticate(request.headers.get("Authorization"))
    if roles and principal.role not in roles:
        raise ApiError(403, "role_required")
    g.principal = principal


# Any signed-in account (a resident, or staff using a resident's feature).
SIGNED_IN = Access(
    "signed-in",
    check=functools.partial(_signed_in, ()),
    security=BEARER,
    refusals=((401, "Not signed in"),),
)


def role(*roles: str) -> Access:
    """Signed in with one of ``roles`` (staff)."""
    return Access(
        f"role:{','.join(roles)}",
        check=functools.partial(_signed_in, tuple(roles)),
        security=BEARER,
        refusals=((401, "Not signed in"), (403, f"Role required: {', '.join(roles)}")),
    )


def _signed_in_if_token() -> None:
    header = request.headers.get("Authorization")
    g.principal = authenticate(header) if header else None


# Anyone; a bearer token, when sent, must be valid and names the caller.
OPTIONAL_SIGN_IN = Access(
    "optional-sign-in",
    check=_signed_in_if_token,
    security=({}, *BEARER),
    refusals=((401, "A token was sent and is not valid"),),
)


def current_principal_if_any() -> Principal | None:
    """The caller of an ``OPTIONAL_SIGN_IN`` route, or None when anonymous."""
    return g.get("principal")
