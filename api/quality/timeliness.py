"""Timeliness of one dossier as of a moment, from its facts alone (pure: no database).

Buckets: early, on_time, late (finished); in_progress, in_progress_overdue (open);
paused, paused_overdue (waiting for the applicant: a supplement or a payment); no_due_date;
not_counted (refused at reception, withdrawn). Rules:
- the deadline is the due time, or the whole due day when the portal sent a bare date;
- every pause that began before the running deadline moves it on by the working days it took;
- a pause that began after the deadline does not rescue the dossier: it is paused_overdue
  (the provincial system lost these: its two "paused" conditions were the same);
- early means at least one working day to spare; comparisons are of instants, never of
  calendar dates in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from api.kernel.clock import as_utc
from api.quality.calendar import WorkCalendar, deadline_instant, local_date

FINISHED = ("early", "on_time", "late")
OPEN_OVERDUE = ("in_progress_overdue", "paused_overdue")
# Status groups (dossier_statuses.group, seeded data) and what they mean here.
PAUSE_GROUPS = frozenset({"supplement_requested", "payment_requested"})
DONE_GROUP = "done"
STOPPED_CODES = frozenset({8})  # "Dừng xử lý": handled, without a result
NOT_COUNTED_GROUPS = frozenset({"withdrawn", "refused"})


@dataclass(frozen=True)
class Clocked:
    """The parts of a fact that timeliness reads."""

    history: tuple[tuple[datetime, int], ...]  # (time, status code), oldest first
    groups: dict[int, str]  # status code → group
    due_at: datetime | None
    finished_at: datetime | None


def status_at(view: Clocked, moment: datetime) -> tuple[int | None, datetime | None]:
    """The status in force at ``moment`` and since when."""
    current, since = None, None
    for at, code in view.history:
        if at > moment:
            break
        current, since = code, at
    return current, since


def pauses_until(view: Clocked, moment: datetime) -> list[tuple[datetime, datetime | None]]:
    """Pause periods begun by ``moment`` (an open one has end None)."""
    periods: list[tuple[datetime, datetime | None]] = []
    start: datetime | None = None
    for at, code in view.history:
        if at > moment:
            break
        paused = view.groups.get(code) in PAUSE_GROUPS
        if paused and start is None:
            start = at
        elif not paused and start is not None:
            periods.append((start, at))
            start = None
    if start is not None:
        periods.append((start, None))
    return periods


def adjusted_deadline(
    view: Clocked, calendar: WorkCalendar, moment: datetime
) -> tuple[datetime | None, int]:
    """The deadline after the pauses known at ``moment``; and the working days they added."""
    if view.due_at is None:
        return None, 0
    deadline = deadline_instant(view.due_at)
    added = 0
    for start, end in pauses_until(view, moment):
        if start > deadline:
            continue  # already late when it paused: no extension
        days = calendar.paused_working_days(start, end or moment)
        if days:
            deadline = as_utc(calendar.add_working_days(deadline, days))
            added += days
    return deadline, added


def classify(view: Clocked, calendar: WorkCalendar, moment: datetime) -> str:
    moment = as_utc(moment)
    code, since = status_at(view, moment)
    if code is None:
        return "not_received"
    group = view.groups.get(code, "")
    finished = group == DONE_GROUP or code in STOPPED_CODES
    if not finished and group in NOT_COUNTED_GROUPS:
        return "not_counted"
    if finished:
        end = view.finished_at if view.finished_at and view.finished_at <= moment else since
    else:
        end = moment
    deadline, _ = adjusted_deadline(view, calendar, end)
    if deadline is None:
        return "no_due_date"
    if finished:
        if end > deadline:
            return "late"
        spare = calendar.working_days_between(local_date(end), local_date(deadline))
        return "early" if spare >= 1 else "on_time"
    if group in PAUSE_GROUPS:
        return "paused_overdue" if since > deadline else "paused"
    return "in_progress_overdue" if moment > deadline else "in_progress"
