"""Community digital technology teams: set up per village by the commune chairman's decision;
members are community-role staff accounts of that commune; admins add, suspend and retire
them, and record audited exceptions for helping a resident of another commune."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from api.admin_units.models import Commune
from api.admin_units.service import get_commune
from api.assistance import texts
from api.assistance.grants import transition
from api.assistance.models import (
    MEMBER_ACTIVE,
    MEMBER_RETIRED,
    MEMBER_STATES,
    OPEN_STATES,
    REVOKED,
    CommuneException,
    Grant,
    Team,
    TeamMember,
)
from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_COMMUNITY, Account
from api.kernel import clock
from api.kernel.clock import as_utc
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.staff.area import area_of, commune_in
from api.staff.service import get_staff

EXCEPTION_MAX_DAYS = 30
NOT_COMMUNITY = texts.reason(
    "tài khoản này không phải của Tổ công nghệ số cộng đồng", "not a community team account"
)
OTHER_COMMUNE = texts.reason("tài khoản thuộc xã/phường khác", "bound to another commune")
RETIRED = texts.reason(
    "thành viên đã thôi hẳn thì không quay lại được", "retired members do not return"
)


def _check_admin_scope(admin: Principal, commune_code: int) -> None:
    """An admin manages the teams of their area: a commune admin that commune's, a province
    admin the province's communes', a national admin all."""
    if admin.role != ROLE_ADMIN:
        raise ApiError(403, "role_required")
    if not commune_in(area_of(admin), commune_code):
        raise ApiError(403, "assist_commune_scope")


def check_admin_scope(admin: Principal, team: Team) -> None:
    _check_admin_scope(admin, team.commune_code)


def create_team(
    admin: Principal,
    *,
    commune_code: int,
    village: str,
    decision_number: str,
    decision_date: date,
    origin: Origin,
) -> Team:
    _check_admin_scope(admin, commune_code)
    get_commune(commune_code)
    village = " ".join(village.split())
    if db.session.scalar(
        select(Team.id).where(Team.commune_code == commune_code, Team.village == village)
    ):
        raise ApiError(409, "conflict")
    team = Team(
        commune_code=commune_code,
        village=village,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        created_by_id=admin.account_id,
    )
    db.session.add(team)
    db.session.flush()
    record(
        "assist_team_created",
        origin,
        actor_id=admin.account_id,
        object_type="assist_team",
        object_id=team.public_id,
        commune=commune_code,
        decision=team.decision_number,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return team


def get_team(public_id: str) -> Team:
    team = db.session.scalar(select(Team).where(Team.public_id == public_id))
    if team is None:
        raise ApiError(404, "assist_team_not_found")
    return team


def team_for_admin(admin: Principal, public_id: str) -> Team:
    team = get_team(public_id)
    _check_admin_scope(admin, team.commune_code)
    return team


def list_teams(admin: Principal, commune_code: int | None, page: Page) -> tuple[list[Team], int]:
    if admin.commune_code is not None:
        commune_code = admin.commune_code
    query = select(Team)
    if commune_code is not None:
        query = query.where(Team.commune_code == commune_code)
    if admin.commune_code is None and admin.province_code is not None:
        query = query.where(
            Team.commune_code.in_(
                select(Commune.code).where(Commune.province_code == admin.province_code)
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(Team.commune_code, Team.village, Team.id)
        .offset(page.offset)
        .limit(page.page_size)
    )
    return list(rows), total


def members(team: Team) -> list[tuple[TeamMember, Account]]:
    return list(
        db.session.execute(
            select(TeamMember, Account)
            .join(Account, Account.id == TeamMember.account_id)
            .where(TeamMember.team_id == team.id)
            .order_by(Account.username)
        )
    )


def add_member(admin: Principal, team_id: str, staff_id: str, origin: Origin) -> TeamMember:
    team = get_team(team_id)
    _check_admin_scope(admin, team.commune_code)
    account = get_staff(staff_id)
    if account.role != ROLE_COMMUNITY:
        raise ApiError(422, "assist_member_invalid", **NOT_COMMUNITY)
    if account.commune_code != team.commune_code:
        raise ApiError(422, "assist_member_invalid", **OTHER_COMMUNE)
    member = db.session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.account_id == account.id)
    )
    if member is not None:
        if member.status == MEMBER_RETIRED:
            raise ApiError(409, "assist_member_invalid", **RETIRED)
        return member
    member = TeamMember(team_id=team.id, account_id=account.id, changed_by_id=admin.account_id)
    db.session.add(member)
    record(
        "assist_member_added",
        origin,
        actor_id=admin.account_id,
        subject_id=account.id,
        object_type="assist_team",
        object_id=team.public_id,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return member


def set_member_status(
    admin: Principal, team_id: str, staff_id: str, status: str, origin: Origin
) -> TeamMember:
    team = get_team(team_id)
    _check_admin_scope(admin, team.commune_code)
    account = get_staff(staff_id)
    member = db.session.scalar(
        select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.account_id == account.id)
    )
    if member is None:
        raise ApiError(404, "staff_not_found")
    if status not in MEMBER_STATES:
        raise ApiError(422, "validation_failed", errors={"status": ["Unknown status."]})
    if member.status == MEMBER_RETIRED and status != MEMBER_RETIRED:
        raise ApiError(409, "assist_member_invalid", **RETIRED)
    if member.status != status:
        old, member.status = member.status, status
        member.changed_at, member.changed_by_id = clock.utcnow(), admin.account_id
        record(
            "assist_member_status",
            origin,
            actor_id=admin.account_id,
            subject_id=account.id,
            object_type="assist_team",
            object_id=team.public_id,
            old=old,
            new=status,
        )
        if status != MEMBER_ACTIVE and not is_active_member(account.id):
            # No longer helping anyone: their open grants end now.
            for grant in db.session.scalars(
                select(Grant).where(Grant.helper_id == account.id, Grant.state.in_(OPEN_STATES))
            ):
                transition(
                    grant,
                    REVOKED,
                    from_states=OPEN_STATES,
                    actor_id=admin.account_id,
                    reason=f"member_{status}",
                )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return member


def is_active_member(account_id: int) -> bool:
    """A community account helps only while a member of a team of its own commune."""
    return bool(
        db.session.scalar(
            select(TeamMember.id)
            .join(Team, Team.id == TeamMember.team_id)
            .join(Account, Account.id == TeamMember.account_id)
            .where(
                TeamMember.account_id == account_id,
                TeamMember.status == MEMBER_ACTIVE,
                Team.commune_code == Account.commune_code,
            )
            .limit(1)
        )
    )


def grant_exception(
    admin: Principal, helper_id: str, resident: Account, reason: str, days: int, origin: Origin
) -> CommuneException:
    helper = get_staff(helper_id)
    if helper.commune_code is not None:
        _check_admin_scope(admin, helper.commune_code)
    if not 1 <= days <= EXCEPTION_MAX_DAYS:
        raise ApiError(422, "assist_too_long", **texts.days_limit(EXCEPTION_MAX_DAYS))
    now = clock.utcnow()
    row = CommuneException(
        helper_id=helper.id,
        resident_id=resident.id,
        reason=reason.strip(),
        granted_by_id=admin.account_id,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    record(
        "assist_commune_exception",
        origin,
        actor_id=admin.account_id,
        subject_id=resident.id,
        object_type="account",
        object_id=helper.public_id,
        reason=row.reason,
        days=days,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return row


def valid_exception(
    helper_id: int, resident_id: int, exception_id: int | None = None
) -> int | None:
    query = select(CommuneException).where(
        CommuneException.helper_id == helper_id, CommuneException.resident_id == resident_id
    )
    if exception_id is not None:
        query = query.where(CommuneException.id == exception_id)
    now = clock.utcnow()
    for row in db.session.scalars(query.order_by(CommuneException.id.desc())):
        if as_utc(row.expires_at) > now:
            return row.id
    return None


def same_commune_or_exception(helper: Account, resident: Account, exception_id: int | None) -> bool:
    if helper.role != ROLE_COMMUNITY:
        return True  # a relative or carer is not bound to a commune
    if helper.commune_code is not None and helper.commune_code == resident.commune_code:
        return True
    return valid_exception(helper.id, resident.id, exception_id) is not None
