"""Which channels to try, in which order, for one person and one event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from api.kernel.clock import VN_TZ, as_utc

# Status changes must always reach one of in-app (the inbox, always there), SMS or email.
GUARANTEED_EVENTS = {"status_changed", "supplement_requested", "payment_requested", "result_ready"}
ZALO_WINDOW = timedelta(days=7)  # OA free-form messages need an interaction in the last 7 days


@dataclass
class Reach:
    """What we can reach a person on (gathered before any provider is called)."""

    phone: str | None = None
    email: str | None = None
    device_tokens: list[str] = field(default_factory=list)
    zalo_user_id: str | None = None
    zalo_last_interaction: datetime | None = None
    telegram_chat_id: str | None = None

    def zalo_in_window(self, now: datetime) -> bool:
        return bool(
            self.zalo_user_id
            and self.zalo_last_interaction
            and now - as_utc(self.zalo_last_interaction) < ZALO_WINDOW
        )

    def can_use(self, channel: str) -> bool:
        return {
            "app": bool(self.device_tokens),
            "zalo": bool(self.zalo_user_id or self.phone),  # OA message, or ZNS to the phone
            "telegram": bool(self.telegram_chat_id),
            "sms": bool(self.phone),
            "email": bool(self.email),
        }.get(channel, False)


def choose_chain(preferred: list[str], reach: Reach, event: str, wanted: bool) -> list[str]:
    if not wanted:
        return []  # the inbox keeps it; nothing is pushed
    chain = [c for c in preferred if reach.can_use(c)]
    if event in GUARANTEED_EVENTS and not {"sms", "email"} & set(chain):
        chain += [c for c in ("sms", "email") if reach.can_use(c)][:1]
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
