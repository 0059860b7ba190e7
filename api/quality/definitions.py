"""Indicator definitions as versioned data (indicators_766.json): group, measure, scoring rule,
maximum, legal basis, effective dates. A period is scored by the version in force on its first
day; the version travels with every snapshot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

DEFAULT_FILE = Path(__file__).parent / "data" / "indicators_766.json"
OFFICIAL_MAXIMUM = 100


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str
    name_vi: str
    name_en: str
    max: Decimal
    measure: str | None  # None: cannot be measured here
    rule: dict
    why_not: str = ""


@dataclass(frozen=True)
class Version:
    version: str
    effective_from: date
    effective_to: date | None
    legal_basis: str
    groups: tuple[dict, ...]
    indicators: tuple[Indicator, ...]

    def group_max(self, group: str) -> Decimal:
        return next(Decimal(str(g["max"])) for g in self.groups if g["code"] == group)


def _version(raw: dict) -> Version:
    indicators = tuple(
        Indicator(
            code=i["code"],
            group=i["group"],
            name_vi=i["name_vi"],
            name_en=i["name_en"],
            max=Decimal(str(i["max"])),
            measure=i.get("measure"),
            rule=i.get("rule") or {},
            why_not=i.get("why_not", ""),
        )
        for i in raw["indicators"]
    )
    version = Version(
        version=raw["version"],
        effective_from=date.fromisoformat(raw["effective_from"]),
        effective_to=date.fromisoformat(raw["effective_to"]) if raw.get("effective_to") else None,
        legal_basis=raw["legal_basis"],
        groups=tuple(raw["groups"]),
        indicators=indicators,
    )
    for group in version.groups:
        inside = sum((i.max for i in indicators if i.group == group["code"]), Decimal(0))
        if inside != Decimal(str(group["max"])):
            raise ValueError(f"{version.version}: {group['code']} indicators add up to {inside}")
    return version


def load_versions(path: str | Path = DEFAULT_FILE) -> tuple[Version, ...]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return tuple(_version(v) for v in data["versions"])


@lru_cache(maxsize=1)
def default_versions() -> tuple[Version, ...]:
    return load_versions()


def version_for(day: date, versions: tuple[Version, ...] | None = None) -> Version:
    for version in versions or default_versions():
        if version.effective_from <= day and (
            version.effective_to is None or day <= version.effective_to
        ):
            return version
    raise LookupError(f"no indicator definitions in force on {day}")
