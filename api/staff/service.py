from __future__ import annotations

import re

from sqlalchemy import func, select

from api.admin_units.service import get_commune, get_province
from api.audit.service import Origin, record
from api.auth.models import (
    ASSURANCE_PASSWORD,
    ROLE_ADMIN,
    ROLE_COMMUNITY,
    ROLE_OFFICER,
    STAFF_ROLES,
    Account,
)
from api.auth.passwords import hash_password, password_problem
from api.auth.service import STAFF_FAILURES
from api.auth.tokens import revoke_all_sessions
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.pagination import Page
from api.kernel.ratelimit import reset
from api.staff.area import NATIONAL, Area, account_in, scope_in, staff_condition
from api.staff.unit_check import checked_unit

# The handling unit as the portal writes it in DonViXuLy: a code such as 000.00.15.H12 or,
# in some provinces, the unit's name. Officers see the dossiers whose DonViXuLy equals it.
UNIT_CODE = re.compile(r"^\S.{0,298}\S$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")

register_messages(
    {
        "username_taken": {
            "vi": "Tên đăng nhập “{username}” đã có người dùng.",
            "en": "The username “{username}” is already taken.",
        },
        "staff_not_found": {
            "vi": "Không tìm thấy tài khoản cán bộ này.",
            "en": "This staff account was not found.",
        },
        "staff_retired": {
            "vi": "Tài khoản này đã nghỉ việc nên không thể thay đổi hay mở lại.",
            "en": "This account is retired: it cannot be changed or reopened.",
        },
        "staff_outside_area": {
            "vi": "Phạm vi công tác này nằm ngoài địa bàn bạn quản lý.",
            "en": "This work scope is outside the area you manage.",
        },
        "staff_scope_invalid": {
            # The reason names fields: said in Vietnamese, not with the English reason.
            "vi": "Thông tin phạm vi công tác chưa đúng: cán bộ xử lý cần mã đơn vị "
            "(unit_code), thành viên tổ công nghệ số cộng đồng cần mã xã/phường (commune_code).",
            "en": "The work scope is not correct: {reason}.",
        },
    }
)


def _scope(
    role: str,
    unit_code: str | None,
    commune_code: int | None,
    province_code: int | None = None,
    new_unit: bool = False,
) -> tuple[str | None, int | None, int | None]:
    """Officers need a unit (checked against the known ones unless ``new_unit``), community
    members a valid commune; admins may have a commune or a province (their area), or neither
    (the whole country)."""
    if role not in STAFF_ROLES:
        raise ApiError(
            422,
            "validation_failed",
            errors={"role": [f"Must be one of: {', '.join(STAFF_ROLES)}."]},
        )
    if role == ROLE_OFFICER:
        if not unit_code or not UNIT_CODE.match(unit_code):
            raise ApiError(
                422,
                "staff_scope_invalid",
                errors={"unit_code": ["Required for officers."]},
                reason="officer needs unit_code",
            )
        return checked_unit(unit_code, new_unit), None, None
    if role == ROLE_COMMUNITY:
        if commune_code is None:
            raise ApiError(
                422,
                "staff_scope_invalid",
                errors={"commune_code": ["Required for community team members."]},
                reason="community member needs commune_code",
            )
        get_commune(commune_code)
        return None, commune_code, None
    if commune_code is not None:
        get_commune(commune_code)
        return None, commune_code, None
    if province_code is not None:
        get_province(province_code)
        return None, None, province_code
    return None, None, None


def _check_area(area: Area, role: str, unit: str | None, commune: int | None, province: int | None):
    if not scope_in(area, role, unit, commune, province):
        raise ApiError(403, "staff_outside_area")


def create_staff(
    *,
    username: str,
    password: str,
    role: str,
    full_name: str,
    unit_code: str | None = None,
    commune_code: int | None = None,
    email: str | None = None,
    province_code: int | None = None,
    actor_id: int | None,
    origin: Origin,
    new_unit: bool = False,
    area: Area = NATIONAL,
) -> Account:
    """``new_unit``: the officer's unit is new (its dossiers have not arrived), take it even
    though it is close to a known one."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise ApiError(
            422,
            "validation_failed",
            errors={"username": ["3-64 lower-case letters, digits, . _ -"]},
        )
    problem = password_problem(password)
    if problem:
        raise ApiError(422, "validation_failed", errors={"password": [problem]})
    unit_code, commune_code, province_code = _scope(
        role, unit_code, commune_code, province_code, new_unit
    )
    _check_area(area, role, unit_code, commune_code, province_code)
    if db.session.scalar(select(Account.id).where(Account.username == username)):
        raise ApiError(409, "username_taken", username=username)
    account = Account(
        role=role,
        assurance=ASSURANCE_PASSWORD,
        username=username,
        password_hash=hash_password(password),
        full_name=full_name.strip(),
        unit_code=unit_code,
        commune_code=commune_code,
        province_code=province_code,
        email=email,
    )
    db.session.add(account)
    db.session.flush()
    record(
        "staff_created",
        origin,
        actor_id=actor_id,
        subject_id=account.id,
        object_type="account",
        object_id=account.public_id,
        role=role,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return account


def get_staff(public_id: str, area: Area = NATIONAL) -> Account:
    """A staff account of ``area``; outside it the same 404 as an unknown id."""
    account = db.session.scalar(select(Account).where(Account.public_id == public_id))
    if account is None or not account.is_staff or not account_in(area, account):
        raise ApiError(404, "staff_not_found")
    return account


def list_staff(
    page: Page, role: str | None = None, area: Area = NATIONAL
) -> tuple[list[Account], int]:
    query = select(Account).where(Account.role.in_(STAFF_ROLES), staff_condition(area))
    if role:
        query = query.where(Account.role == role)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Account.username).offset(page.offset).limit(page.page_size)
    )
    return list(items), total


def update_staff(
    public_id: str,
    *,
    actor_id: int,
    origin: Origin,
    role: str | None = None,
    unit_code: str | None = None,
    commune_code: int | None = None,
    active: bool | None = None,
    area: Area = NATIONAL,
) -> Account:
    account = get_staff(public_id, area)
    if account.retired_at is not None:
        raise ApiError(409, "staff_retired")
    if account.id == actor_id and (active is False or (role and role != ROLE_ADMIN)):
        raise ApiError(409, "conflict")  # an admin cannot lock themselves out
    new_role = role or account.role
    scope_changed = role is not None or unit_code is not None or commune_code is not None
    if scope_changed:
        scope = _scope(
            new_role,
            unit_code if unit_code is not None else account.unit_code,
            commune_code if commune_code is not None else account.commune_code,
            account.province_code if new_role == ROLE_ADMIN else None,
            new_unit=unit_code is None,  # an unchanged unit was checked when it was set
        )
        _check_area(area, new_role, *scope)
        account.unit_code, account.commune_code, account.province_code = scope
        if new_role != account.role:
            record(
                "role_changed",
                origin,
                actor_id=actor_id,
                subject_id=account.id,
                object_type="account",
                object_id=public_id,
                old=account.role,
                new=new_role,
            )
            account.role = new_role
            # Tokens carry the role: end sessions so the new role applies at once.
            revoke_all_sessions(account.id, "role_changed")
    if active is not None and active != account.active:
        account.active = active
        record(
            "staff_activated" if active else "staff_deactivated",
            origin,
            actor_id=actor_id,
            subject_id=account.id,
            object_type="account",
            object_id=public_id,
        )
        if not active:
            revoke_all_sessions(account.id, "deactivated")
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return account


def retire_staff(
    public_id: str, *, actor_id: int, origin: Origin, area: Area = NATIONAL
) -> Account:
    """Someone who left: signed out everywhere and never reopened (the audit keeps the name)."""
    account = get_staff(public_id, area)
    if account.id == actor_id:
        raise ApiError(409, "conflict")
    if account.retired_at is not None:
        raise ApiError(409, "staff_retired")
    account.retired_at, account.active = utcnow(), False
    revoke_all_sessions(account.id, "retired")
    record(
        "staff_retired",
        origin,
        actor_id=actor_id,
        subject_id=account.id,
        object_type="account",
        object_id=public_id,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return account


def reset_password(
    public_id: str, password: str, *, actor_id: int, origin: Origin, area: Area = NATIONAL
) -> Account:
    """An admin sets a new password (told to the person in person): sessions end, and the
    lockout after wrong attempts is lifted."""
    account = get_staff(public_id, area)
    if account.retired_at is not None:
        raise ApiError(409, "staff_retired")
    problem = password_problem(password)
    if problem:
        raise ApiError(422, "validation_failed", errors={"password": [problem]})
    account.password_hash = hash_password(password)
    revoke_all_sessions(account.id, "password_reset")

    reset(STAFF_FAILURES, account.username or "")
    record(
        "password_reset",
        origin,
        actor_id=actor_id,
        subject_id=account.id,
        object_type="account",
        object_id=public_id,
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return account
