"""Which figures a staff member may read in the console: an officer their own unit (as
``service.may_see_scope``); an admin the units of their area (a commune admin: units with
dossiers of that commune or registered there; a province admin: of the province) and the
province report when it is theirs; a national admin everything."""

from __future__ import annotations

from sqlalchemy import select

from api.admin_units.models import Commune
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.quality import report, service
from api.quality.models import DossierFact
from api.quality.snapshots import province_code
from api.staff.area import area_of, unit_in


def _units() -> dict[str, tuple[str, set]]:
    """unit code → (name, communes of its dossiers)."""
    found: dict[str, tuple[str, set]] = {}
    rows = db.session.execute(
        select(DossierFact.unit_code, DossierFact.unit_name, DossierFact.commune_code)
        .distinct()
        .where(DossierFact.unit_code != "")
    )
    for code, name, commune in rows:
        entry = found.setdefault(code, (name or code, set()))
        if commune is not None:
            entry[1].add(commune)
    return found


def scopes_for(principal: Principal) -> list[dict]:
    """The scopes offered, the province first, then units by name."""
    units = _units()
    scopes: list[dict] = []
    if principal.role == ROLE_ADMIN:
        province = province_code()
        if principal.commune_code is None and (
            principal.province_code is None or str(principal.province_code) == province
        ):
            scopes.append(
                {
                    "kind": "province",
                    "code": province,
                    "name": report.scope_name("province", province),
                }
            )
        if principal.commune_code is not None:
            allowed = {principal.commune_code}
        elif principal.province_code is not None:
            allowed = set(
                db.session.scalars(
                    select(Commune.code).where(Commune.province_code == principal.province_code)
                )
            )
        else:
            allowed = None
        area = area_of(principal)
        # In the area by its dossiers' commune, or by the unit registry (as officers' units).
        picked = [
            c
            for c, (name, communes) in units.items()
            if allowed is None or communes & allowed or unit_in(area, name)
        ]
    else:
        picked = [c for c, (name, _) in units.items() if name == principal.unit_code]
    scopes += sorted(
        ({"kind": "unit", "code": c, "name": units[c][0]} for c in picked),
        key=lambda s: (s["name"], s["code"]),
    )
    return scopes


def check_scope(principal: Principal, scope_kind: str, scope_code: str) -> None:
    """403 unless the scope is one of the principal's (and the quality service agrees)."""
    service.may_see_scope(principal, scope_kind, scope_code)
    if not any(s["kind"] == scope_kind and s["code"] == scope_code for s in scopes_for(principal)):
        raise ApiError(403, "quality_scope_forbidden")
