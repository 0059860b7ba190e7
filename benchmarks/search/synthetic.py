"""A synthetic catalog of provincial variants, the shape the national database really has.

Every national record is copied per province with a local code ("{code}.000.00.00.H{NN}"),
the same name and its agencies suffixed with the province name; after all 34 provinces,
further rounds add a running suffix (".2", ".3", ...) until the wanted size is reached.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from api.catalog.importer import DATA_DIR, DEFAULT_CATALOG
from api.catalog.search.index import SearchIndex
from api.catalog.search.loader import entries_from_records

ADMIN_UNITS = DATA_DIR / "admin_units.json"
SIZE_100K = 100_000


@lru_cache(maxsize=1)
def base_catalog() -> dict:
    """The bundled catalog file (283 national procedures, 38 fields)."""
    return json.loads(Path(DEFAULT_CATALOG).read_text(encoding="utf-8"))


def field_names(catalog: dict) -> dict[str, str]:
    return {f["code"]: f["name"] for f in catalog.get("fields", [])}


def province_names() -> list[str]:
    data = json.loads(ADMIN_UNITS.read_text(encoding="utf-8"))
    return [p["name"] for p in data["provinces"]]


def local_code(code: str, province: int, round_: int) -> str:
    """ "1.011954", province 7, round 0 → "1.011954.000.00.00.H07"; round 2 → "...H07.2"."""
    suffix = f".{round_}" if round_ else ""
    return f"{code}.000.00.00.H{province:02d}{suffix}"


def synthetic_records(size: int) -> list[dict]:
    """``size`` records: the national ones first, then provincial variants.

    Variants share the national record's nested lists (channels, documents...): neither
    ``entries_from_records`` nor the importer changes a record, and 100,000 deep copies
    would cost a minute and a gigabyte.
    """
    national = base_catalog()["procedures"]
    provinces = province_names()
    records = list(national)
    round_ = 0
    while len(records) < size:
        for number, province in enumerate(provinces, start=1):
            for record in national:
                if len(records) >= size:
                    return records
                variant = dict(record)
                variant["code"] = local_code(record["code"], number, round_)
                variant["agencies"] = [f"{a} {province}" for a in record.get("agencies", [])]
                records.append(variant)
        round_ += 1
    return records[:size]


def synthetic_catalog(size: int) -> dict:
    """A catalog file's content (fields and procedures) of ``size`` procedures."""
    base = base_catalog()
    return {
        "metadata": {**base.get("metadata", {}), "synthetic_size": size},
        "fields": base.get("fields", []),
        "procedures": synthetic_records(size),
    }


@dataclass
class BuiltIndex:
    index: SearchIndex
    entries_seconds: float
    build_seconds: float


def build_index(records: list[dict]) -> BuiltIndex:
    """A SearchIndex over ``records`` (as ``entries_from_records`` sees them), timed."""
    started = time.perf_counter()
    entries = entries_from_records(records, field_names(base_catalog()))
    converted = time.perf_counter()
    index = SearchIndex(entries)
    return BuiltIndex(index, converted - started, time.perf_counter() - converted)
