"""Asking and giving consent: help sessions (a code to the phone on record), the one-stop
desk's witnessed consent, standing mandates (made by the resident, accepted by the agent with
a code), legal representatives (registered by an officer); revoking, rejecting, ending.

Commits on its own: only where a refused request must still leave its mark (a wrong or
expired code counts, an attempt outside the helper's commune is audited, a grant found past its
time is expired). Everything else is the caller's unit of work (delivery follows its commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from api.assistance import codes, grants, teams, texts
from api.assistance.guard import resident_principal
from api.assistance.models import (
    ACTIVE,
    BY_CODE,
    EXPIRED,
    MANDATE,
    OPEN_STATES,
    PENDING,
    REJECTED,
    REVOKED,
    SESSION,
    Grant,
)
from api.assistance.notify import hand_over, tell_both
from api.assistance.rules import (
    ALLOWED_ACTIONS,
    FORBIDDEN_ACTIONS,
    code_ttl,
    describe,
    end_of_day,
    local_today,
    mandate_accept_window,
    mandate_max_days,
    session_max_hours,
)
from api.audit.service import Origin, record
from api.auth import otp
from api.auth.guard import Principal
from api.auth.models import ROLE_CITIZEN, ROLE_COMMUNITY, Account
from api.dossiers.models import Dossier
from api.dossiers.service import is_owner
from api.kernel import clock
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.logs import mask_number
from api.kernel.phone import normalise_phone
from api.kernel.ratelimit import Limit, blocked_for, hit
from api.profile.models import ChatIdentity
from push.notifications.service import notify_chat

SAME_PERSON = texts.reason(
    "người giúp và người được giúp là cùng một người",
    "the helper and the resident are the same person",
)
ASSIST_CODE_EVENT = (
    "assist_code"  # its own wording; scrubbed once delivered (push.notifications.dispatch)
)
REQUESTS_PER_HELPER = Limit("assist_request_helper", 20, 3600)
REQUESTS_PER_RESIDENT = Limit("assist_request_resident", 5, 3600)
WRONG_CODES_PER_HELPER = Limit("assist_wrong_code_helper", 10, 3600)
WRONG_CODES_PER_AGENT = Limit("assist_wrong_code_agent", 10, 86400)


@dataclass(frozen=True)
class PersonRef:
    """How the helper or officer names a person: the ID number read off the card, or a phone
    (used only to find the record, never as a destination)."""

    personal_id: str | None = None
    phone: str | None = None


def find_person(ref: PersonRef, *, roles: tuple[str, ...] = (ROLE_CITIZEN,)) -> Account:
    account = None
    if ref.personal_id:
        account = db.session.scalar(
            select(Account).where(Account.personal_id == ref.personal_id.strip())
        )
    elif ref.phone:
        phone = normalise_phone(ref.phone)
        account = phone and db.session.scalar(select(Account).where(Account.phone == phone))
    if account is None or not account.active or account.role not in roles:
        raise ApiError(404, "assist_resident_not_found")
    return account


def _helper_account(helper: Principal) -> Account:
    account = db.session.get(Account, helper.account_id)
    if (
        account is None
        or not account.active
        or account.role != ROLE_COMMUNITY
        or not teams.is_active_member(account.id)
    ):
        raise ApiError(403, "assist_not_helper")
    return account


def checked_actions(actions: list[str]) -> list[str]:
    if any(a in FORBIDDEN_ACTIONS for a in actions):
        raise ApiError(403, "assist_forbidden_action")
    unknown = [a for a in actions if a not in ALLOWED_ACTIONS]
    if not actions or unknown:
        raise ApiError(
            422,
            "assist_action_invalid",
            errors={"actions": [f"Choose from: {', '.join(ALLOWED_ACTIONS)}."]},
            **texts.reason(
                "chỉ chọn trong các việc: " + describe(list(ALLOWED_ACTIONS), "vi"),
                "choose from: " + describe(list(ALLOWED_ACTIONS), "en"),
            ),
        )
    return list(dict.fromkeys(actions))


def checked_dossiers(resident: Account, grant_consent: str, codes_: list[str]) -> list[str]:
    """Only the resident's own dossiers may be named (unknown and not-theirs look alike)."""

    subject = resident_principal(resident, Grant(consent=grant_consent))
    cleaned = list(dict.fromkeys(c.strip() for c in codes_ if c.strip()))
    for code in cleaned:
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        if dossier is None or not is_owner(subject, dossier):
            raise ApiError(
                422,
                "assist_action_invalid",
                errors={"dossiers": [code[:64]]},
                **texts.reason(
                    f"hồ sơ {code[:64]} không phải của người dân này",
                    f"dossier {code[:64]} is not the resident's",
                ),
            )
    return cleaned


def commune_exception_for(helper: Account, resident: Account, origin: Origin) -> int | None:
    """The exception that lets a community helper cross communes, or None when not needed."""
    if helper.role != ROLE_COMMUNITY or helper.commune_code == resident.commune_code:
        return None
    exception_id = teams.valid_exception(helper.id, resident.id)
    if exception_id is None:
        record(
            "assist_cross_commune_refused",
            origin,
            actor_id=helper.id,
            subject_id=resident.id,
            object_type="account",
            object_id=resident.public_id,
        )
        db.session.commit()
        raise ApiError(403, "assist_other_commune")
    return exception_id


def new_grant(kind: str, helper: Account, resident: Account, **values: object) -> Grant:
    grant = Grant(
        kind=kind,
        state=PENDING,
        helper_id=helper.id,
        resident_id=resident.id,
        commune_code=helper.commune_code if helper.role == ROLE_COMMUNITY else None,
        created_at=clock.utcnow(),
        **values,
    )
    db.session.add(grant)
    db.session.flush()
    grants.transition_created(grant, values.get("witnessed_by_id") or helper.id)
    return grant


# ---- help sessions ----------------------------------------------------------------------------


def request_session(
    helper: Principal,
    resident_ref: PersonRef,
    actions: list[str],
    dossier_codes: list[str],
    purpose: str,
    hours: int,
    origin: Origin,
    via: str = "sms",
) -> tuple[Grant, str]:
    """Ask a resident's consent: the code goes to the phone on the resident's record (SMS)
    or to the Zalo account linked to it (``via="zalo"``), never to anything the helper types.
    Returns the pending grant and the masked destination to show the helper."""
    helper_account = _helper_account(helper)
    actions = checked_actions(actions)
    if not 1 <= hours <= session_max_hours():
        raise ApiError(422, "assist_too_long", **texts.hours_limit(session_max_hours()))
    # Counted before the look-up: unknown ID numbers count too (no free probing of who exists).
    hit(REQUESTS_PER_HELPER, str(helper_account.id))
    resident = find_person(resident_ref)
    exception_id = commune_exception_for(helper_account, resident, origin)
    if not resident.phone:
        raise ApiError(422, "assist_no_phone")
    zalo = _linked_zalo(resident) if via == "zalo" else None
    if via == "zalo" and zalo is None:
        raise ApiError(422, "assist_no_zalo")
    hit(REQUESTS_PER_RESIDENT, str(resident.id))
    _withdraw_earlier(helper_account, resident)
    grant = new_grant(
        SESSION,
        helper_account,
        resident,
        actions=actions,
        dossier_codes=checked_dossiers(resident, BY_CODE, dossier_codes),
        purpose=purpose.strip()[:500],
        consent=BY_CODE,
        exception_id=exception_id,
        duration_minutes=hours * 60,
        accept_by=clock.utcnow() + code_ttl(),
    )
    code = codes.new_code(grant, code_ttl())
    told = tell_both(grant, "requested")  # in the app or chat: what the code is for
    record(
        "assist_session_requested",
        origin,
        actor_id=helper_account.id,
        subject_id=resident.id,
        object_type="assist_grant",
        object_id=grant.public_id,
        exception=exception_id or "",
    )
    # The words say who asks and that this code, unlike a sign-in code, is read out to them.
    params = {
        "code": code,
        "helper": (helper_account.full_name or helper_account.username or "")[:40],
        "what": describe(actions, "vi"),
    }
    sender = otp.sender()
    if zalo is not None or isinstance(sender, otp.PipelineOtpSender):
        # Only ever to the Zalo linked to the record or the number already on it.
        channel, to = ("zalo", zalo) if zalo is not None else ("sms", resident.phone)
        notification = notify_chat(
            channel, to, ASSIST_CODE_EVENT, params, f"assist-code:{grant.public_id}"
        )
        hand_over([notification, *told], urgent=True)  # the code is scrubbed once delivered
        return grant, "Zalo" if zalo is not None else mask_number(resident.phone)
    hand_over(told, urgent=True)
    # No SMS gateway (the demo's console, tests): only ever to the number on the record.
    sender.send_code(resident.phone, code, "assist", "vi")
    return grant, mask_number(resident.phone)


def _withdraw_earlier(helper: Account, resident: Account) -> None:
    """Asking again (a double tap on a slow line, a code that did not come) replaces the
    helper's earlier waiting request: one request and one live code per helper and resident."""
    earlier = db.session.scalars(
        select(Grant).where(
            Grant.kind == SESSION,
            Grant.state == PENDING,
            Grant.helper_id == helper.id,
            Grant.resident_id == resident.id,
        )
    )
    for grant in list(earlier):
        grants.transition(
            grant, REVOKED, from_states=(PENDING,), actor_id=helper.id, reason="replaced"
        )


def _linked_zalo(resident: Account) -> str | None:
    return db.session.scalar(
        select(ChatIdentity.external_id).where(
            ChatIdentity.account_id == resident.id,
            ChatIdentity.channel == "zalo",
            ChatIdentity.blocked_at.is_(None),
        )
    )


def _own_grant(public_id: str, account_id: int, *, as_helper: bool) -> Grant:
    grant = grants.by_public_id(public_id)
    owner = grant.helper_id if as_helper else grant.resident_id
    if owner != account_id:
        raise ApiError(404, "assist_grant_not_found")
    return grant


def _stop_if_guessing(limit: Limit, actor_id: int) -> None:
    """Too many wrong codes lately (over several requests): no more tries, not even a right
    one, until the window passes; checked before the code is looked at."""
    retry = blocked_for(limit, str(actor_id))
    if retry:
        raise ApiError(429, "too_many_requests", headers={"Retry-After": str(retry)})


def _refuse_code(grant: Grant, result: str, actor_id: int, limit: Limit) -> None:
    """Count a wrong code; after the allowed tries the request is refused for good."""
    made = []
    if result == "exhausted":
        if grants.transition(
            grant, REJECTED, from_states=(PENDING,), actor_id=actor_id, reason="code"
        ):
            made = tell_both(grant, "ended", "code")
    elif result == "expired":
        grants.transition(grant, EXPIRED, from_states=(PENDING,), actor_id=None, reason="time")
    db.session.commit()
    hand_over(made)
    hit(limit, str(actor_id))
    if result == "exhausted":
        raise ApiError(403, "assist_code_exhausted")
    # Not 401: the helper is signed in, and apps take 401 as "sign in again".
    raise ApiError(400, "assist_code_invalid")


def confirm_session(helper: Principal, public_id: str, code: str, origin: Origin) -> Grant:
    """The helper types the code the resident read out; the session starts now."""
    grant = _own_grant(public_id, helper.account_id, as_helper=True)
    _helper_account(helper)
    now = clock.utcnow()
    return _start_with_code(
        grant,
        SESSION,
        code,
        helper.account_id,
        WRONG_CODES_PER_HELPER,
        started_at=now,
        expires_at=now + timedelta(minutes=grant.duration_minutes or 60),
    )


def _start_with_code(
    grant: Grant,
    kind: str,
    code: str,
    actor_id: int,
    limit,
    **times,  # noqa: ANN001
) -> Grant:
    """Pending → active once the right code is typed (a session's helper, a mandate's agent);
    the conditional transition keeps a concurrent revoke or reject the winner."""
    if grants.expire_if_due(grant):
        db.session.commit()
    if grant.kind != kind or grant.state != PENDING:
        raise ApiError(409, "assist_state_conflict", **texts.state_words(grant.state))
    _stop_if_guessing(limit, actor_id)
    result = codes.check_code(grant, code)
    if result != "ok":
        _refuse_code(grant, result, actor_id, limit)
    public_id = grant.public_id
    if not grants.transition(
        grant,
        ACTIVE,
        from_states=(PENDING,),
        actor_id=actor_id,
        reason="code",
        accept_by=None,
        **times,
    ):
        db.session.rollback()
        raise ApiError(
            409, "assist_state_conflict", **texts.state_words(grants.by_public_id(public_id).state)
        )
    made = tell_both(grant, "started")
    hand_over(made)
    return grant


def valid_until_end(valid_until: date, max_days: int) -> tuple:
    now = clock.utcnow()
    if valid_until < local_today(now):
        raise ApiError(422, "assist_day_past")
    if valid_until > local_today(now) + timedelta(days=max_days):
        raise ApiError(422, "assist_too_long", **texts.days_limit(max_days))
    return now, end_of_day(valid_until)


# ---- standing mandates ------------------------------------------------------------------------


def create_mandate(
    resident: Principal,
    agent_ref: PersonRef,
    actions: list[str],
    dossier_codes: list[str],
    valid_until: date,
    purpose: str,
    origin: Origin,
) -> tuple[Grant, str]:
    """The resident asks someone to act for them; returns the grant and the code to give the
    agent (shown once, stored hashed)."""
    account = db.session.get(Account, resident.account_id)
    if account is None or account.role != ROLE_CITIZEN:
        raise ApiError(403, "assist_only_resident")
    actions = checked_actions(actions)
    agent = find_person(agent_ref, roles=(ROLE_CITIZEN, ROLE_COMMUNITY))
    if agent.id == account.id:
        raise ApiError(422, "assist_action_invalid", **SAME_PERSON)
    if agent.role == ROLE_COMMUNITY and not teams.is_active_member(agent.id):
        raise ApiError(403, "assist_not_helper")
    _, expires = valid_until_end(valid_until, mandate_max_days())
    hit(REQUESTS_PER_RESIDENT, str(account.id))
    exception_id = (
        commune_exception_for(agent, account, origin) if agent.role == ROLE_COMMUNITY else None
    )
    window = mandate_accept_window()
    grant = new_grant(
        MANDATE,
        agent,
        account,
        actions=actions,
        dossier_codes=checked_dossiers(account, BY_CODE, dossier_codes),
        purpose=purpose.strip()[:500],
        consent=BY_CODE,
        exception_id=exception_id,
        expires_at=expires,
        accept_by=min(clock.utcnow() + window, expires),
    )
    code = codes.new_code(grant, window)
    record(
        "assist_mandate_created",
        origin,
        actor_id=account.id,
        object_type="assist_grant",
        object_id=grant.public_id,
    )
    made = tell_both(grant, "mandate")
    hand_over(made)
    return grant, code


def accept_mandate(agent: Principal, public_id: str, code: str, origin: Origin) -> Grant:
    grant = _own_grant(public_id, agent.account_id, as_helper=True)
    return _start_with_code(
        grant, MANDATE, code, agent.account_id, WRONG_CODES_PER_AGENT, started_at=clock.utcnow()
    )


# ---- ending --------------------------------------------------------------------------------------


def _end(grant: Grant, to_state: str, actor_id: int, reason: str, channel: str) -> Grant:
    made = []
    for _ in range(3):  # the state may move under us (an accept at the same moment): retry
        grants.expire_if_due(grant)
        if grant.state not in OPEN_STATES:
            break
        target = REJECTED if to_state == REJECTED and grant.state == PENDING else REVOKED
        if grants.transition(
            grant,
            target,
            from_states=(grant.state,),
            actor_id=actor_id,
            reason=reason,
            channel=channel,
        ):
            made = tell_both(grant, "ended", reason)
            break
        db.session.refresh(grant)
    hand_over(made)
    return grant


def revoke(resident: Principal, public_id: str, channel: str = "api") -> Grant:
    """One tap by the resident (app or chat): stops the grant, pending or active."""
    grant = _own_grant(public_id, resident.account_id, as_helper=False)
    return _end(grant, REVOKED, resident.account_id, "resident", channel)


def reject(person: Principal, public_id: str) -> Grant:
    """The resident (or the agent named in a mandate) says no to a pending grant."""
    grant = grants.by_public_id(public_id)
    if person.account_id not in (grant.resident_id, grant.helper_id):
        raise ApiError(404, "assist_grant_not_found")
    if grant.state != PENDING:
        raise ApiError(409, "assist_state_conflict", **texts.state_words(grant.state))
    return _end(grant, REJECTED, person.account_id, "rejected", "api")


def end_by_helper(helper: Principal, public_id: str) -> Grant:
    grant = _own_grant(public_id, helper.account_id, as_helper=True)
    return _end(grant, REVOKED, helper.account_id, "helper", "api")
