"""Working days in Asia/Ho_Chi_Minh, from a holiday calendar kept as data (holidays_vn.json).

Legal limits for handling dossiers run in working days (ngày làm việc): weekends and public
holidays do not count, a weekend day worked in exchange for a bridge day does. All the rules of
time here (deadline at a local midnight, pauses stretching a deadline) live in this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path

from api.kernel.clock import VN_TZ, as_utc

DEFAULT_FILE = Path(__file__).parent / "data" / "holidays_vn.json"
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date]
    make_up_days: frozenset[date]  # weekend days that are working days
    weekend: frozenset[int]  # date.weekday() numbers
    first_year: int
    last_year: int

    def is_working_day(self, day: date) -> bool:
        if day in self.make_up_days:
            return True
        return day.weekday() not in self.weekend and day not in self.holidays

    def covers(self, day: date) -> bool:
        """Whether the data file holds this year (outside it only weekends are known)."""
        return self.first_year <= day.year <= self.last_year

    def add_working_days(self, moment: datetime, days: int) -> datetime:
        """The same local time ``days`` working days later (0: unchanged)."""
        local = as_utc(moment).astimezone(VN_TZ)
        day = local.date()
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=VN_TZ)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def paused_working_days(self, start: datetime, end: datetime) -> int:
        """Working days a pause took: the local dates after the day it began, up to the day it
        ended. A pause inside one day costs nothing; one from Friday to Monday costs Monday."""
        return self.working_days_between(local_date(start), local_date(end))


def local_date(moment: datetime) -> date:
    return as_utc(moment).astimezone(VN_TZ).date()


def deadline_instant(due: datetime) -> datetime:
    """The last moment that is still on time. A due time at exactly 00:00 local means a due
    *date* (the portal often sends yyyyMMdd000000): the whole of that day is allowed."""
    local = as_utc(due).astimezone(VN_TZ)
    if local.timetz().replace(tzinfo=None) == time(0, 0):
        return as_utc(local + timedelta(days=1)) - timedelta(microseconds=1)
    return as_utc(local)


def load_calendar(path: str | Path = DEFAULT_FILE) -> WorkCalendar:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    holidays, make_up = set(), set()
    for entry in data["days"]:
        day = date.fromisoformat(entry["date"])
        (make_up if entry["kind"] == "make_up" else holidays).add(day)
    years = [d.year for d in holidays | make_up]
    weekend = frozenset(_WEEKDAYS.index(name) for name in data.get("weekend", []))
    return WorkCalendar(frozenset(holidays), frozenset(make_up), weekend, min(years), max(years))


@lru_cache(maxsize=1)
def default_calendar() -> WorkCalendar:
    return load_calendar()
