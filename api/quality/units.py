"""Which unit and commune a dossier belongs to.

The unit is the identifier at the front of the dossier code ({unit}-{yyMMdd}-{NNNN}); its name
is the portal's DonViXuLy. The commune is found by name: a unit called "Ủy ban nhân dân xã Tân
Hòa" belongs to the commune "Xã Tân Hòa" of the configured province, when exactly one matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sqlalchemy import select

from api.admin_units.models import Commune
from api.kernel.database import db
from api.kernel.text import fold

_CODE = re.compile(r"^(?P<unit>.+)-\d{6}-\d{4,6}$")
_PREFIXES = ("uy ban nhan dan ", "ubnd ")


def unit_code_of(dossier_code: str) -> str:
    match = _CODE.match(dossier_code)
    return match.group("unit") if match else ""


@lru_cache(maxsize=4096)
def _commune_for(unit_name: str, province_code: int) -> int | None:
    name = fold(unit_name)
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    query = select(Commune.code, Commune.name)
    if province_code:
        query = query.where(Commune.province_code == province_code)
    matches = [code for code, commune in db.session.execute(query) if fold(commune) == name]
    return matches[0] if len(matches) == 1 else None


def commune_of(unit_name: str, province_code: int) -> int | None:
    if not unit_name:
        return None
    return _commune_for(unit_name, province_code)
