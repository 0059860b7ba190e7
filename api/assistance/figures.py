"""What the commune sees of a team: residents helped, sessions, consents refused, usage, and
unusual patterns (one device serving many residents in an hour; far more sessions than the
member's own previous period). Days are Vietnam days."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import select

from api.assistance.models import REJECTED, SESSION, Grant, Team, TeamMember, UsageRecord
from api.assistance.rules import end_of_day, local_today
from api.assistance.teams import check_admin_scope, get_team, members
from api.auth.guard import Principal
from api.kernel import clock, settings
from api.kernel.clock import to_local
from api.kernel.database import db
from api.kernel.errors import ApiError

MAX_DAYS = 366


def _start(day: date):  # noqa: ANN202
    return end_of_day(day - timedelta(days=1))


def team_activity(
    admin: Principal, team_id: str, date_from: date | None, date_to: date | None
) -> dict:
    team: Team = get_team(team_id)
    check_admin_scope(admin, team)
    date_to = date_to or local_today(clock.utcnow())
    date_from = date_from or date_to - timedelta(days=29)
    if date_from > date_to or (date_to - date_from).days >= MAX_DAYS:
        raise ApiError(422, "validation_failed", errors={"from": ["A range of up to a year."]})
    start, end = _start(date_from), end_of_day(date_to)
    length = end - start
    people = members(team)
    ids = [account.id for _, account in people]
    stats = {i: _member_figures(i, start, end) for i in ids}
    unusual = []
    many = settings.current().assist_unusual_residents_per_device_hour
    for device, hour, helper_id, residents in _device_hours(ids, start, end):
        if residents >= many:
            unusual.append(
                {
                    "kind": "many_residents_one_device",
                    "staff_id": _public(people, helper_id),
                    "device": device[:8],
                    "hour": hour,
                    "residents": residents,
                }
            )
    for helper_id in ids:
        before = _member_figures(helper_id, start - length, start)["sessions"]
        now = stats[helper_id]["sessions"]
        if now >= settings.current().assist_unusual_min_sessions and now > 3 * max(before, 1):
            unusual.append(
                {
                    "kind": "far_more_sessions",
                    "staff_id": _public(people, helper_id),
                    "sessions": now,
                    "previous_period": before,
                }
            )
    rows = [
        {"staff_id": account.public_id, "name": account.full_name, "status": member.status}
        | stats[account.id]
        for member, account in people
    ]
    totals = {
        key: sum(r[key] for r in rows)
        for key in ("sessions", "consents_refused", "reads", "writes", "disputed")
    }
    totals["residents_helped"] = len(
        set().union(*(stats[i].pop("_residents") for i in ids)) if ids else set()
    )
    for r in rows:
        r.pop("_residents", None)
    return {
        "team": team.public_id,
        "date_from": date_from,
        "date_to": date_to,
        "totals": totals,
        "members": rows,
        "unusual": unusual,
    }


def _public(people: list[tuple[TeamMember, object]], account_id: int) -> str:
    return next((a.public_id for _, a in people if a.id == account_id), "")


def _member_figures(helper_id: int, start, end) -> dict:  # noqa: ANN001
    created = list(
        db.session.execute(
            select(Grant.kind, Grant.state, Grant.resident_id, Grant.started_at).where(
                Grant.helper_id == helper_id, Grant.created_at >= start, Grant.created_at < end
            )
        )
    )
    residents = {resident for _, _, resident, started in created if started is not None}
    usage = list(
        db.session.execute(
            select(UsageRecord.access, UsageRecord.disputed_at).where(
                UsageRecord.actor_id == helper_id, UsageRecord.at >= start, UsageRecord.at < end
            )
        )
    )
    accesses = [access for access, _ in usage]
    return {
        "sessions": sum(1 for kind, *_ in created if kind == SESSION),
        "residents_helped": len(residents),
        "consents_refused": sum(1 for _, state, *_ in created if state == REJECTED),
        "reads": accesses.count("read"),
        "writes": accesses.count("write"),
        # Entries the resident said were not agreed: the commune looks at these.
        "disputed": sum(1 for _, disputed_at in usage if disputed_at is not None),
        "_residents": residents,
    }


def _device_hours(ids: list[int], start, end):  # noqa: ANN001, ANN202
    if not ids:
        return []
    seen: dict[tuple[str, str, int], set[int]] = defaultdict(set)
    for device, at, actor, resident in db.session.execute(
        select(UsageRecord.device, UsageRecord.at, UsageRecord.actor_id, UsageRecord.resident_id)
        .where(UsageRecord.actor_id.in_(ids), UsageRecord.at >= start, UsageRecord.at < end)
        .where(UsageRecord.device != "")
    ):
        hour = to_local(at).strftime("%Y-%m-%dT%H:00%z")
        seen[(device, hour, actor)].add(resident)
    return [(d, h, a, len(r)) for (d, h, a), r in sorted(seen.items())]
