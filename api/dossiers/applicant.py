"""Who the applicant of a dossier is, and on what proof.

Two kinds of proof make a citizen the dossier's applicant side:

- **VNeID** (identity number): the account's personal number equals the record's
  ``SoGiayToChuHoSo``. The strongest proof; only it opens the unmasked identity number, the
  result papers' own codes and the result's QR code.
- **Contact** (phone): the account proved by a one-time code the mobile number on the portal's
  latest record (``SoDienThoai``). The agency already sends this number its SMS, so the number
  is trusted as much as the agency trusts it: the contact sees the full view with the identity
  number masked, follows without a second factor, writes to the officer and rates. A chat
  linked by phone is the same person. Access is decided from the dossier's *current* number,
  so when the portal moves a dossier to another number the old one loses it at once.

Grants and revocations are written to the audit trail of the account concerned (``/me/audit``).
"""

from __future__ import annotations

import hmac

from sqlalchemy import or_, select

from api.audit.models import AuditEvent
from api.audit.service import SYSTEM, Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_CITIZEN, Account
from api.dossiers.models import Dossier
from api.kernel.database import db

VNEID, CONTACT = "vneid", "contact"
GRANTED, REVOKED = "dossier_contact_granted", "dossier_contact_revoked"
OWNER_GRANTED = "dossier_owner_granted"  # by identity number, after a VNeID sign-in


def basis(principal: Principal | None, dossier: Dossier) -> str | None:
    """VNEID, CONTACT or None: why ``principal`` is the dossier's applicant side."""
    if principal is None:
        return None
    if (
        principal.identity_verified
        and dossier.applicant_id_number
        and hmac.compare_digest(principal.personal_id or "", dossier.applicant_id_number)
    ):
        return VNEID
    # Account.phone is only ever set from a proven number (one-time code, or VNeID's claim).
    contact = principal.role == ROLE_CITIZEN and principal.phone and dossier.contact_phone
    if contact and hmac.compare_digest(principal.phone, dossier.contact_phone):
        return CONTACT
    return None


def accounts_condition(dossier: Dossier):  # noqa: ANN201 - a SQL expression
    """Accounts on the applicant side: by identity number or by the record's phone."""
    parts = []
    if dossier.applicant_id_number:
        parts.append(Account.personal_id == dossier.applicant_id_number)
    if dossier.contact_phone:
        parts.append((Account.phone == dossier.contact_phone) & (Account.role == ROLE_CITIZEN))
    return or_(*parts) if parts else None


def applicant_accounts(dossier: Dossier) -> list[Account]:
    condition = accounts_condition(dossier)
    if condition is None:
        return []
    return list(
        db.session.scalars(
            select(Account).where(condition, Account.active.is_(True)).order_by(Account.id)
        )
    )


# ---- the audit trail of grants ----------------------------------------------------------------


def _granted_now(account_id: int, codes: list[str], granted: str, revoked: str) -> set[str]:
    """Of ``codes``, those whose last grant/revocation for the account is a grant (one query)."""

    last: dict[str, str] = {}
    for object_id, action in db.session.execute(
        select(AuditEvent.object_id, AuditEvent.action)
        .where(
            AuditEvent.subject_account_id == account_id,
            AuditEvent.object_type == "dossier",
            AuditEvent.object_id.in_([c[:64] for c in codes]),
            AuditEvent.action.in_((granted, revoked)),
        )
        .order_by(AuditEvent.id)
    ):
        last[object_id] = action
    return {code for code, action in last.items() if action == granted}


def _record_new_grants(
    account_id: int, codes: list[str], granted: str, revoked: str, origin: Origin
) -> int:
    if not codes:
        return 0
    already = _granted_now(account_id, codes, granted, revoked)
    fresh = [code for code in codes if code[:64] not in already]
    for code in fresh:
        record(granted, origin, subject_id=account_id, object_type="dossier", object_id=code)
    return len(fresh)


def record_grants_for_identity(account_id: int, personal_id: str, origin: Origin) -> int:
    """After a VNeID sign-in: note each dossier the identity number opens, once (caller
    commits). Returns how many were new."""
    codes = list(
        db.session.scalars(select(Dossier.code).where(Dossier.applicant_id_number == personal_id))
    )
    return _record_new_grants(account_id, codes, OWNER_GRANTED, "", origin)


def record_grants_for_phone(account_id: int, phone: str, origin: Origin) -> int:
    """After a phone was proven (sign-in, chat link): note each dossier this makes the account
    the contact of, once. Caller commits. Returns how many were new."""
    codes = list(db.session.scalars(select(Dossier.code).where(Dossier.contact_phone == phone)))
    return _record_new_grants(account_id, codes, GRANTED, REVOKED, origin)


def record_phone_moves(moves: list[tuple[str, str, str]], origin: Origin = SYSTEM) -> None:
    """(code, old phone, new phone) for records that set or changed a dossier's number: the
    old number's account lost the dossier, the new number's account gained it. One query for
    the whole batch; caller commits."""
    moves = [m for m in moves if m[1] != m[2]]
    numbers = {n for _, old, new in moves for n in (old, new) if n}
    if not numbers:
        return
    holders = dict(
        db.session.execute(
            select(Account.phone, Account.id).where(
                Account.phone.in_(numbers), Account.role == ROLE_CITIZEN
            )
        ).all()
    )
    for code, old, new in moves:
        for phone, action in ((old, REVOKED), (new, GRANTED)):
            if phone and phone in holders:
                record(
                    action, origin, subject_id=holders[phone], object_type="dossier", object_id=code
                )
