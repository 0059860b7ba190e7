"""An admin's area and what lies in it.

An admin with a ``commune_code`` manages that commune, one with a ``province_code`` the
province (its communes and units); an admin with neither the whole country (the first admin,
made with the CLI). Staff belong to an area by their scope: officers through their unit's
entry in the unit registry, community members and admins by their commune or province.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select

from api.admin_units.models import Commune
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_COMMUNITY, ROLE_OFFICER, Account
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.staff.models import Unit


@dataclass(frozen=True)
class Area:
    province_code: int | None = None
    commune_code: int | None = None

    @property
    def national(self) -> bool:
        return self.province_code is None and self.commune_code is None


NATIONAL = Area()


def area_of(principal: Principal) -> Area:
    """The area an admin manages (403 for anyone else)."""
    if principal.role != ROLE_ADMIN:
        raise ApiError(403, "role_required")
    if principal.commune_code is not None:
        return Area(commune_code=principal.commune_code)
    return Area(province_code=principal.province_code)


def _province_of_commune(code: int) -> int | None:
    return db.session.scalar(select(Commune.province_code).where(Commune.code == code))


def commune_in(area: Area, commune_code: int | None) -> bool:
    if area.national:
        return True
    if commune_code is None:
        return False
    if area.commune_code is not None:
        return commune_code == area.commune_code
    return _province_of_commune(commune_code) == area.province_code


def unit_in(area: Area, unit_code: str | None) -> bool:
    """Officers' units: any for national admins, registered units of the area for the rest."""
    if area.national:
        return True
    unit = db.session.get(Unit, unit_code) if unit_code else None
    if unit is None:
        return False
    if area.commune_code is not None:
        return unit.commune_code == area.commune_code
    return unit.province_code == area.province_code


def scope_in(
    area: Area,
    role: str,
    unit_code: str | None,
    commune_code: int | None,
    province_code: int | None,
) -> bool:
    """May an admin of ``area`` manage an account with this role and scope?"""
    if area.national:
        return True
    if role == ROLE_OFFICER:
        return unit_in(area, unit_code)
    if role == ROLE_COMMUNITY:
        return commune_in(area, commune_code)
    # Admins: the same area or one inside it, never a wider one.
    if commune_code is not None:
        return commune_in(area, commune_code)
    return area.commune_code is None and province_code == area.province_code


def account_in(area: Area, account: Account) -> bool:
    return scope_in(
        area, account.role, account.unit_code, account.commune_code, account.province_code
    )


def staff_condition(area: Area) -> ColumnElement[bool]:
    """SQL: the staff accounts of ``area`` (the same rule as ``account_in``)."""
    if area.national:
        return Account.id.is_not(None)
    if area.commune_code is not None:
        units = select(Unit.code).where(Unit.commune_code == area.commune_code)
        return or_(
            Account.unit_code.in_(units) & (Account.role == ROLE_OFFICER),
            (Account.commune_code == area.commune_code) & (Account.role != ROLE_OFFICER),
        )
    if area.province_code is None:
        return false()
    units = select(Unit.code).where(Unit.province_code == area.province_code)
    communes = select(Commune.code).where(Commune.province_code == area.province_code)
    return or_(
        Account.unit_code.in_(units) & (Account.role == ROLE_OFFICER),
        Account.commune_code.in_(communes) & (Account.role != ROLE_OFFICER),
        (Account.province_code == area.province_code) & (Account.role == ROLE_ADMIN),
    )
