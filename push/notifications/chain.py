"""Which channels to try, in which order, for one person and one event."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from api.kernel.clock import VN_TZ, as_utc
from push.channels import registry
from push.channels.protocol import Reach

# Status changes must always reach one of in-app (the inbox, always there), SMS or email.
GUARANTEED_EVENTS = {"status_changed", "supplement_requested", "payment_requested", "result_ready"}


def choose_chain(preferred: list[str], reach: Reach, event: str, wanted: bool) -> list[str]:
    if not wanted:
        return []  # the inbox keeps it; nothing is pushed
    chain = [c for c in preferred if registry.can_use(c, reach)]
    if event in GUARANTEED_EVENTS and not {"sms", "email"} & set(chain):
        chain += [c for c in ("sms", "email") if registry.can_use(c, reach)][:1]
    return chain


def quiet_until(now: datetime, start: str | None, end: str | None) -> datetime | None:
    """If ``now`` falls in the quiet hours (Vietnam time), when they end; else None."""
    if not start or not end:
        return None
    local = as_utc(now).astimezone(VN_TZ)
    begin, finish = time.fromisoformat(start), time.fromisoformat(end)
    current = local.time()
    inside = begin <= current < finish if begin < finish else (current >= begin or current < finish)
    if not inside:
        return None
    day = local.date() if current < finish else local.date() + timedelta(days=1)
    return datetime.combine(day, finish, tzinfo=VN_TZ)
