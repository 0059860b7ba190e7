"""Loading and checking administrative unit codes."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from api.admin_units.models import Commune, Province, ReferenceDataset
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.text import fold

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "admin_units.json"
DATASET = "admin_units"

register_messages(
    {
        "commune_unknown": {
            "vi": "Mã xã/phường {code} không có trong danh mục đơn vị hành chính hiện hành.",
            "en": "Commune/ward code {code} is not in the current list of administrative units.",
        },
        "province_not_found": {
            "vi": "Không tìm thấy tỉnh/thành phố có mã {code}.",
            "en": "No province has the code {code}.",
        },
    }
)


def load_units(path: str | Path = DEFAULT_FILE) -> dict[str, int]:
    """Upsert provinces and communes from the file; idempotent. Returns counts."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    provinces = {p.code: p for p in db.session.scalars(select(Province))}
    communes = {c.code: c for c in db.session.scalars(select(Commune))}
    for p in data["provinces"]:
        province = provinces.get(p["code"]) or Province(code=p["code"])
        province.name, province.kind = p["name"], p.get("type", "")
        db.session.add(province)
    db.session.flush()  # provinces before the communes that refer to them
    for p in data["provinces"]:
        for w in p.get("wards", []):
            commune = communes.get(w["code"]) or Commune(code=w["code"])
            commune.province_code, commune.name, commune.kind = (
                p["code"],
                w["name"],
                w.get("type", ""),
            )
            db.session.add(commune)
    meta = data.get("metadata", {})
    db.session.merge(
        ReferenceDataset(
            name=DATASET,
            version=str(meta.get("data_version", "")),
            source=str(meta.get("source", ""))[:1000],
        )
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return {
        "provinces": db.session.scalar(select(func.count()).select_from(Province)),
        "communes": db.session.scalar(select(func.count()).select_from(Commune)),
    }


def get_commune(code: int) -> Commune:
    commune = db.session.get(Commune, code)
    if commune is None:
        raise ApiError(
            422, "commune_unknown", errors={"commune_code": ["Unknown commune code."]}, code=code
        )
    return commune


def get_province(code: int) -> Province:
    province = db.session.get(Province, code)
    if province is None:
        raise ApiError(
            422,
            "province_not_found",
            errors={"province_code": ["Unknown province code."]},
            code=code,
        )
    return province


def list_provinces() -> list[Province]:
    return list(db.session.scalars(select(Province).order_by(Province.code)))


def communes_of(province_code: int, query: str = "") -> list[Commune]:
    if db.session.get(Province, province_code) is None:
        raise ApiError(404, "province_not_found", code=province_code)
    communes = db.session.scalars(
        select(Commune).where(Commune.province_code == province_code).order_by(Commune.name)
    )
    wanted = fold(query)
    return [c for c in communes if wanted in fold(c.name)]


def dataset_info() -> ReferenceDataset | None:
    return db.session.get(ReferenceDataset, DATASET)
