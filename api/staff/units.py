"""The unit registry (codes and the area each unit is in) and the audit trail of an area's
staff: who did what to whom."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from api.admin_units.models import Commune
from api.admin_units.service import get_commune, get_province
from api.audit.models import AuditEvent
from api.audit.service import Origin, record
from api.auth.models import ROLE_OFFICER, STAFF_ROLES, Account
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from api.staff.area import NATIONAL, Area, staff_condition
from api.staff.models import Unit
from api.staff.service import UNIT_CODE

register_messages(
    {
        "unit_exists": {
            "vi": "Đơn vị có mã “{code}” đã có trong danh sách.",
            "en": "A unit with the code “{code}” is already listed.",
        },
    }
)


def _in_area(area: Area):  # noqa: ANN202
    if area.national:
        return Unit.code.is_not(None)
    if area.commune_code is not None:
        return Unit.commune_code == area.commune_code
    return Unit.province_code == area.province_code


def list_units(area: Area = NATIONAL, page: Page | None = None) -> tuple[list[dict], int]:
    """The area's units by code, with their commune's name and how many active officers."""
    page = page or Page(1, 100)
    query = select(Unit).where(_in_area(area))
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    units = list(
        db.session.scalars(query.order_by(Unit.code).offset(page.offset).limit(page.page_size))
    )
    codes = [u.code for u in units]
    officers = dict(
        db.session.execute(
            select(Account.unit_code, func.count())
            .where(Account.unit_code.in_(codes), Account.role == ROLE_OFFICER, Account.active)
            .group_by(Account.unit_code)
        ).all()
        if codes
        else []
    )
    communes = {u.commune_code for u in units if u.commune_code}
    names = dict(
        db.session.execute(
            select(Commune.code, Commune.name).where(Commune.code.in_(communes))
        ).all()
        if communes
        else []
    )
    return [
        {
            "code": u.code,
            "name": u.name,
            "province_code": u.province_code,
            "commune_code": u.commune_code,
            "commune_name": names.get(u.commune_code, ""),
            "officers": officers.get(u.code, 0),
        }
        for u in units
    ], total


def create_unit(
    code: str,
    name: str,
    *,
    commune_code: int | None,
    province_code: int | None,
    actor_id: int | None,
    origin: Origin,
    area: Area = NATIONAL,
) -> dict:
    code, name = code.strip(), name.strip()
    if not UNIT_CODE.match(code) or not name:
        raise ApiError(422, "validation_failed", errors={"code": ["2-300 characters."]})
    if commune_code is not None:
        province_code = get_commune(commune_code).province_code
    elif province_code is not None:
        get_province(province_code)
    else:
        raise ApiError(
            422, "validation_failed", errors={"commune_code": ["A commune or a province."]}
        )
    inside = area.national or (
        area.commune_code == commune_code
        if area.commune_code is not None
        else area.province_code == province_code
    )
    if not inside:
        raise ApiError(403, "staff_outside_area")
    if db.session.get(Unit, code) is not None:
        raise ApiError(409, "unit_exists", code=code[:64])
    unit = Unit(code=code, name=name, province_code=province_code, commune_code=commune_code)
    db.session.add(unit)
    record("unit_created", origin, actor_id=actor_id, object_type="unit", object_id=code)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    commune = db.session.get(Commune, commune_code) if commune_code else None
    return {
        "code": code,
        "name": name,
        "province_code": province_code,
        "commune_code": commune_code,
        "commune_name": commune.name if commune else "",
        "officers": 0,
    }


def area_audit(
    area: Area = NATIONAL, page: Page | None = None, account: Account | None = None
) -> tuple[list[dict], int]:
    """Newest first: what the area's staff did and what was done to their accounts (or one
    account's, with ``account``)."""
    page = page or Page(1, 50)
    if account is not None:
        condition = or_(
            AuditEvent.actor_account_id == account.id, AuditEvent.subject_account_id == account.id
        )
    else:
        staff = select(Account.id).where(Account.role.in_(STAFF_ROLES), staff_condition(area))
        condition = or_(
            AuditEvent.actor_account_id.in_(staff), AuditEvent.subject_account_id.in_(staff)
        )
    query = select(AuditEvent).where(condition)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = list(
        db.session.scalars(
            query.order_by(AuditEvent.id.desc()).offset(page.offset).limit(page.page_size)
        )
    )
    who = {e.actor_account_id for e in events} | {e.subject_account_id for e in events}
    who.discard(None)
    people = (
        {a.id: a for a in db.session.scalars(select(Account).where(Account.id.in_(who)))}
        if who
        else {}
    )

    def person(account_id: int | None) -> dict | None:
        found = people.get(account_id)
        if found is None:
            return None
        # Citizens appear without their name: the area's admins need to know a resident was
        # involved, not who.
        return {
            "id": found.public_id,
            "full_name": found.full_name if found.is_staff else "",
            "role": found.role,
        }

    return [
        {
            "id": e.id,
            "occurred_at": e.occurred_at,
            "action": e.action,
            "actor": person(e.actor_account_id),
            "subject": person(e.subject_account_id),
            "object_type": e.object_type,
            "object_id": e.object_id if e.object_type != "session" else "",
            "channel": e.channel,
        }
        for e in events
    ], total
