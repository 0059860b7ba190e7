"""Working days, holidays and the midnight and working-day boundaries of timeliness."""

from __future__ import annotations

from datetime import date

import pytest

from api.quality.calendar import deadline_instant, default_calendar, load_calendar
from api.quality.timeliness import Clocked, adjusted_deadline, classify
from tests.helpers.quality import GROUPS, vn

CAL = default_calendar()


def test_the_calendar_is_data_covering_2025_to_2027():
    assert (CAL.first_year, CAL.last_year) == (2025, 2027)
    for day in (
        "2025-01-01",
        "2025-04-30",
        "2025-05-01",
        "2025-09-02",
        "2026-02-17",
        "2026-04-30",
        "2026-05-01",
        "2026-09-02",
        "2027-04-30",
        "2027-09-02",
    ):
        assert not CAL.is_working_day(date.fromisoformat(day)), day
    # Tết 2026 (Bính Ngọ): Monday 16 to Friday 20 February off.
    assert [CAL.is_working_day(date(2026, 2, d)) for d in range(16, 21)] == [False] * 5
    assert CAL.is_working_day(date(2026, 2, 23))


def test_make_up_saturday_is_a_working_day_and_the_bridge_day_is_not():
    assert CAL.is_working_day(date(2025, 4, 26))  # Saturday worked for Friday 2 May 2025
    assert not CAL.is_working_day(date(2025, 5, 2))
    assert not CAL.is_working_day(date(2025, 4, 27))  # an ordinary Sunday


def test_adding_working_days_skips_weekends_and_holidays():
    # Friday 24 April 2026 + 1 working day: not Saturday, Sunday or Monday 27 (Giỗ Tổ in lieu).
    assert CAL.add_working_days(vn("2026-04-24 17:00"), 1) == vn("2026-04-28 17:00")
    # Friday 13 February 2026 + 1: the whole of Tết passes first.
    assert CAL.add_working_days(vn("2026-02-13 10:00"), 1) == vn("2026-02-23 10:00")
    assert CAL.add_working_days(vn("2026-02-13 10:00"), 0) == vn("2026-02-13 10:00")


def test_working_days_between_counts_after_start_up_to_end():
    assert CAL.working_days_between(date(2026, 4, 24), date(2026, 4, 28)) == 1
    assert CAL.working_days_between(date(2026, 4, 28), date(2026, 4, 28)) == 0
    assert CAL.working_days_between(date(2026, 4, 28), date(2026, 5, 4)) == 2  # 29 Apr, 4 May


def test_a_bad_calendar_file_is_refused(tmp_path):
    path = tmp_path / "h.json"
    path.write_text('{"days": [{"date": "2025-13-01", "kind": "holiday"}]}', encoding="utf-8")
    with pytest.raises(ValueError):
        load_calendar(path)


def _view(*history, due=None, finished=None):
    return Clocked(
        tuple((vn(at), s) for at, s in history),
        GROUPS,
        vn(due) if due else None,
        vn(finished) if finished else None,
    )


@pytest.mark.parametrize(
    ("finished", "expected"),
    [("2025-11-21 17:00:00", "on_time"), ("2025-11-21 17:00:01", "late")],
)
def test_the_due_time_is_the_boundary(finished, expected):
    view = _view(("2025-11-20 09:00", 2), (finished, 9), due="2025-11-21 17:00", finished=finished)
    assert classify(view, CAL, vn("2025-11-30 00:00")) == expected


@pytest.mark.parametrize(
    ("finished", "expected"),
    [("2025-11-21 23:59:59", "on_time"), ("2025-11-22 00:00:00", "late")],
)
def test_a_bare_due_date_allows_the_whole_day_until_midnight(finished, expected):
    assert deadline_instant(vn("2025-11-21 00:00")) < vn("2025-11-22 00:00")
    view = _view(("2025-11-20 09:00", 2), (finished, 9), due="2025-11-21 00:00", finished=finished)
    assert classify(view, CAL, vn("2025-11-30 00:00")) == expected


def test_instants_not_utc_dates_decide():
    """06:30 on 22 Nov in Vietnam is still 21 Nov in UTC: the provincial system compared
    calendar dates and called this on time. It is late."""
    finished = "2025-11-22 06:30"
    assert vn(finished).date().isoformat() == "2025-11-21"  # UTC date equals the due date
    view = _view(("2025-11-20 09:00", 2), (finished, 9), due="2025-11-21 17:00", finished=finished)
    assert classify(view, CAL, vn("2025-11-30 00:00")) == "late"


def test_early_needs_a_working_day_to_spare():
    due = "2026-04-28 17:00"  # Tuesday after the long weekend
    friday = _view(
        ("2026-04-20 09:00", 2), ("2026-04-24 15:00", 9), due=due, finished="2026-04-24 15:00"
    )
    tuesday = _view(
        ("2026-04-20 09:00", 2), ("2026-04-28 08:00", 9), due=due, finished="2026-04-28 08:00"
    )
    assert classify(friday, CAL, vn("2026-05-10 00:00")) == "early"
    assert classify(tuesday, CAL, vn("2026-05-10 00:00")) == "on_time"
    # Finished on Friday 24 April, due Monday 27 April (a holiday): no working day between.
    holiday_due = _view(
        ("2026-04-20 09:00", 2),
        ("2026-04-24 15:00", 9),
        due="2026-04-27 17:00",
        finished="2026-04-24 15:00",
    )
    assert classify(holiday_due, CAL, vn("2026-05-10 00:00")) == "on_time"


def test_a_pause_moves_the_deadline_by_working_days():
    """Asked for a paper Thursday 23 April 2026, back Friday 24: one working day, so the
    deadline moves from Friday 24 to Tuesday 28 (weekend and the holiday on 27 skipped)."""
    history = (("2026-04-20 09:00", 2), ("2026-04-23 10:00", 5), ("2026-04-24 10:00", 4))
    due = "2026-04-24 17:00"
    deadline, added = adjusted_deadline(_view(*history, due=due), CAL, vn("2026-05-10 00:00"))
    assert (deadline, added) == (vn("2026-04-28 17:00"), 1)
    on_time = _view(*history, ("2026-04-28 16:00", 9), due=due, finished="2026-04-28 16:00")
    late = _view(*history, ("2026-04-29 09:00", 9), due=due, finished="2026-04-29 09:00")
    assert classify(on_time, CAL, vn("2026-05-10 00:00")) == "on_time"
    assert classify(late, CAL, vn("2026-05-10 00:00")) == "late"


def test_paused_after_the_deadline_is_paused_overdue_not_lost():
    view = _view(("2025-11-17 09:00", 2), ("2025-11-24 09:00", 5), due="2025-11-21 17:00")
    assert classify(view, CAL, vn("2025-11-26 00:00")) == "paused_overdue"
    within = _view(("2025-11-17 09:00", 2), ("2025-11-19 09:00", 5), due="2025-11-21 17:00")
    assert classify(within, CAL, vn("2025-11-26 00:00")) == "paused"


def test_in_progress_within_and_past_due_at_the_cut_off():
    view = _view(("2025-11-17 09:00", 2), ("2025-11-18 09:00", 4), due="2025-11-21 17:00")
    assert classify(view, CAL, vn("2025-11-21 17:00")) == "in_progress"
    assert classify(view, CAL, vn("2025-11-21 17:00:01")) == "in_progress_overdue"
    assert classify(view, CAL, vn("2025-11-17 08:00")) == "not_received"
    assert classify(_view(("2025-11-17 09:00", 2)), CAL, vn("2025-11-20 00:00")) == "no_due_date"
    refused = _view(("2025-11-17 09:00", 1), ("2025-11-17 10:00", 3), due="2025-11-21 17:00")
    assert classify(refused, CAL, vn("2025-11-20 00:00")) == "not_counted"
