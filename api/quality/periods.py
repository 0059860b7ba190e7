"""Weeks (ISO, Monday first) and months in Vietnam time, by key: "2026-11", "2026-W47"."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from api.kernel.clock import VN_TZ, as_utc, to_local

MONTH = re.compile(r"^(20\d\d)-(0[1-9]|1[0-2])$")
WEEK = re.compile(r"^(20\d\d)-W(0[1-9]|[1-4]\d|5[0-3])$")
KINDS = ("month", "week")


class BadPeriod(ValueError):
    pass


def bounds(kind: str, key: str) -> tuple[datetime, datetime]:
    """[start, end) in UTC of a period given by its key."""
    if kind == "month" and (m := MONTH.match(key)):
        year, month = int(m.group(1)), int(m.group(2))
        start = date(year, month, 1)
        end = date(year + month // 12, month % 12 + 1, 1)
    elif kind == "week" and (m := WEEK.match(key)):
        try:
            start = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
        except ValueError as exc:
            raise BadPeriod(key) from exc
        end = start + timedelta(days=7)
    else:
        raise BadPeriod(f"{kind} {key}")
    return (
        as_utc(datetime.combine(start, time(0), tzinfo=VN_TZ)),
        as_utc(datetime.combine(end, time(0), tzinfo=VN_TZ)),
    )


def key_of(kind: str, moment: datetime) -> str:
    local = to_local(moment).date()
    if kind == "month":
        return f"{local.year:04d}-{local.month:02d}"
    year, week, _ = local.isocalendar()
    return f"{year:04d}-W{week:02d}"


def previous(kind: str, key: str) -> str:
    start, _ = bounds(kind, key)
    return key_of(kind, start - timedelta(seconds=1))


def last_months(key: str, count: int) -> list[str]:
    """``count`` month keys ending with ``key``, oldest first."""
    keys = [key]
    while len(keys) < count:
        keys.append(previous("month", keys[-1]))
    return keys[::-1]
