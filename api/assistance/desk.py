"""The one-stop desk: an officer who checked the resident's ID card opens a session or a
mandate for them at once (witnessed consent), also for residents with no phone or account;
a parent or legal representative is registered after checking the documents."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from api.assistance import grants, teams, texts
from api.assistance.consent import (
    SAME_PERSON,
    PersonRef,
    checked_actions,
    checked_dossiers,
    commune_exception_for,
    find_person,
    new_grant,
    valid_until_end,
)
from api.assistance.models import (
    ACTIVE,
    BY_DESK,
    BY_DOCUMENTS,
    LEGAL,
    MANDATE,
    PENDING,
    SESSION,
    Grant,
)
from api.assistance.notify import hand_over, tell_both
from api.assistance.rules import legal_max_days, mandate_max_days, session_max_hours
from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_CITIZEN, ROLE_COMMUNITY, ROLE_OFFICER, Account
from api.kernel import clock
from api.kernel.database import db
from api.kernel.errors import ApiError

ASSURANCE_DESK = "desk"  # identity checked on the ID card by an officer at the desk


def _officer(principal: Principal) -> None:
    if principal.role not in (ROLE_OFFICER, ROLE_ADMIN):
        raise ApiError(403, "role_required")


def desk_resident(personal_id: str, full_name: str, commune_code: int | None) -> Account:
    """The resident the officer checked on the ID card; a record is made for one who has none
    (no smartphone, never signed in)."""
    account = db.session.scalar(select(Account).where(Account.personal_id == personal_id))
    if account is None:
        account = Account(
            role=ROLE_CITIZEN,
            assurance=ASSURANCE_DESK,
            personal_id=personal_id,
            full_name=full_name.strip(),
            commune_code=commune_code,
        )
        db.session.add(account)
        db.session.flush()
    elif account.role != ROLE_CITIZEN or not account.active:
        raise ApiError(404, "assist_resident_not_found")
    elif account.commune_code is None and commune_code is not None:
        account.commune_code = commune_code  # the address on the card
    return account


def open_at_desk(
    officer: Principal,
    *,
    personal_id: str,
    full_name: str,
    commune_code: int | None,
    helper_ref: PersonRef,
    actions: list[str],
    dossier_codes: list[str],
    hours: int | None,
    valid_until: date | None,
    legal: bool,
    documents: str,
    origin: Origin,
) -> Grant:
    """Witnessed consent: a session (``hours``) or mandate (``valid_until``) in force at once.
    ``legal``: a parent or legal representative registered after checking the documents."""
    _officer(officer)
    actions = checked_actions(actions)
    if legal:
        # Until when, and on which papers: without a day it would silently end tonight.
        missing = {
            name: ["Missing data for required field."]
            for name, value in (("valid_until", valid_until), ("documents", documents.strip()))
            if not value
        }
        if missing:
            raise ApiError(422, "validation_failed", errors=missing)
    helper = find_person(helper_ref, roles=(ROLE_CITIZEN, ROLE_COMMUNITY))
    if helper.role == ROLE_COMMUNITY and not teams.is_active_member(helper.id):
        raise ApiError(403, "assist_not_helper")
    resident = desk_resident(personal_id, full_name, commune_code)
    if resident.id == helper.id:
        raise ApiError(422, "assist_action_invalid", **SAME_PERSON)
    exception_id = commune_exception_for(helper, resident, origin)
    now = clock.utcnow()
    if legal:
        kind, consent = LEGAL, BY_DOCUMENTS
        _, expires = valid_until_end(valid_until, legal_max_days())
    elif valid_until is not None:
        kind, consent = MANDATE, BY_DESK
        _, expires = valid_until_end(valid_until, mandate_max_days())
    else:
        kind, consent = SESSION, BY_DESK
        if not hours or not 1 <= hours <= session_max_hours():
            raise ApiError(422, "assist_too_long", **texts.hours_limit(session_max_hours()))
        expires = now + timedelta(hours=hours)
    grant = new_grant(
        kind,
        helper,
        resident,
        actions=actions,
        dossier_codes=checked_dossiers(resident, consent, dossier_codes),
        purpose=documents.strip()[:500],
        consent=consent,
        witnessed_by_id=officer.account_id,
        exception_id=exception_id,
    )
    grants.transition(
        grant,
        ACTIVE,
        from_states=(PENDING,),
        actor_id=officer.account_id,
        reason=consent,
        started_at=now,
        expires_at=expires,
    )
    record(
        "assist_desk_witnessed",
        origin,
        actor_id=officer.account_id,
        subject_id=resident.id,
        object_type="assist_grant",
        object_id=grant.public_id,
        kind=kind,
    )
    made = tell_both(grant, "started")
    hand_over(made)  # delivered once the caller's unit of work commits
    return grant
