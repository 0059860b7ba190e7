"""Checking an officer's unit against the units the system knows, so that a typo does not
leave an officer silently seeing zero threads. Officers see the dossiers whose DonViXuLy
equals their unit: the known units are the handling units of dossiers already synced and the
agencies of the procedure catalog."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import select

from api.catalog.models import Agency
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.text import fold

CLOSE = 85  # rapidfuzz ratio on folded names: a slip, not another unit
SUGGESTIONS = 5

register_messages(
    {
        "staff_unit_unknown": {
            "vi": "Đơn vị “{unit}” chưa có trong hệ thống. Có phải bạn muốn nhập: {matches}? "
            "Nếu đây là đơn vị mới, xin gửi thêm new_unit: true.",
            "en": "The unit “{unit}” is not known. Did you mean: {matches}? "
            "If it is a new unit, send new_unit: true as well.",
        }
    }
)


def known_units() -> list[str]:
    # The dossiers table by name: the staff domain sits below the dossiers domain.
    dossiers = db.metadata.tables["dossiers"]
    handling = db.session.scalars(
        select(dossiers.c.handling_unit).where(dossiers.c.handling_unit != "").distinct()
    )
    return sorted({*handling, *db.session.scalars(select(Agency.name))})


def checked_unit(unit: str, new_unit: bool = False) -> str:
    """The unit as the system spells it; 422 with the close matches for a likely typo."""
    unit = unit.strip()
    known = known_units()
    by_fold = {fold(name): name for name in known}
    if unit in known:
        return unit
    if fold(unit) in by_fold:
        return by_fold[fold(unit)]  # case or accents differ: the spelling DonViXuLy uses
    if new_unit:
        return unit
    close = process.extract(
        fold(unit), list(by_fold), scorer=fuzz.ratio, score_cutoff=CLOSE, limit=SUGGESTIONS
    )
    if not close:
        return unit  # a unit whose dossiers have not arrived yet
    matches = [by_fold[name] for name, _, _ in close]
    raise ApiError(
        422,
        "staff_unit_unknown",
        errors={"unit_code": ["Unknown unit: see the close matches in the message."]},
        unit=unit[:100],
        matches="; ".join(f"“{m}”" for m in matches),
    )
