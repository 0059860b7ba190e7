"""Who answers a question: the responsible unit per field and its reply-time target (data in
api/data/support_routing.json, per deployment), and the portal unit codes known locally."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

ROUTING_FILE = Path(__file__).resolve().parent.parent / "data" / "support_routing.json"


@dataclass(frozen=True)
class Route:
    unit: str
    reply_hours: int


@lru_cache(maxsize=1)
def _data() -> dict:
    return json.loads(ROUTING_FILE.read_text(encoding="utf-8"))


def route_for(field_code: str | None) -> Route:
    data = _data()
    entry = data["fields"].get(field_code or "", data["default"])
    return Route(entry["unit"], int(entry["reply_hours"]))


def default_reply_hours() -> int:
    return int(_data()["default"]["reply_hours"])


def unit_name(code: str) -> str | None:
    return _data()["units"].get(code)


def known_unit(code: str) -> bool:
    return code in _data()["units"]


def due_at(start: datetime, hours: int) -> datetime:
    """Reply target: working hours counted as 8 a day on weekdays (holidays not counted yet)."""
    days, rest = divmod(hours, 8)
    when = start
    while days > 0:
        when += timedelta(days=1)
        if when.weekday() < 5:
            days -= 1
    return when + timedelta(hours=rest)
