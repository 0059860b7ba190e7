"""What a helper may do for a resident, and what they may never do whatever a grant says."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from api.kernel import settings
from api.kernel.clock import VN_TZ, as_utc

# Actions a grant may allow.
FOLLOW = "follow"  # look up and follow the resident's dossiers
MESSAGE = "message"  # write to the officer handling a dossier
SUPPLEMENT = "supplement"  # answer a supplement request (message with papers)
RATE_WITH = "rate_with"  # rate the service together with the resident (flagged assisted)
SEARCH = "search"  # search procedures together
ALLOWED_ACTIONS = (FOLLOW, MESSAGE, SUPPLEMENT, RATE_WITH, SEARCH)
# How people read them (notices, the chat).
ACTION_LABELS = {
    FOLLOW: {"vi": "xem và theo dõi hồ sơ", "en": "look up and follow dossiers"},
    MESSAGE: {"vi": "nhắn cho cán bộ", "en": "write to the officer"},
    SUPPLEMENT: {"vi": "bổ sung giấy tờ", "en": "answer a request for papers"},
    RATE_WITH: {"vi": "cùng đánh giá", "en": "rate together"},
    SEARCH: {"vi": "tìm thủ tục", "en": "search procedures"},
}


def describe(actions: list[str], language: str) -> str:
    return ", ".join(ACTION_LABELS.get(a, {}).get(language, a) for a in actions)


# Never allowed to a helper or agent, whatever the grant says (a tampered grant included).
FORBIDDEN_ACTIONS = frozenset(
    {
        "change_contact",  # the resident's phone or e-mail
        "change_chat_links",
        "change_notifications",
        "withdraw_dossier",
        "payment_details",  # payment or refund details
        "manage_grants",  # creating or extending grants
        "rate_as_resident",
        "survey_as_resident",
    }
)

CODE_ATTEMPTS = 5


def session_max_hours() -> int:
    return settings.current().assist_session_max_hours


def code_ttl() -> timedelta:
    # The one-time-code SMS and Zalo wording says 5 minutes.
    return timedelta(minutes=settings.current().assist_code_minutes)


def mandate_accept_window() -> timedelta:
    return timedelta(days=settings.current().assist_mandate_accept_days)


def mandate_max_days() -> int:
    return settings.current().assist_mandate_max_days


def legal_max_days() -> int:
    # A parent's representation lasts longer than a relative's mandate; still bounded.
    return settings.current().assist_legal_max_days


def end_of_day(day: date) -> datetime:
    """A grant "until 5 March" lasts to the end of 5 March in Vietnam: 00:00 on the 6th (+07)."""
    # Stored in UTC like every time (SQLite would otherwise keep the +07 wall clock).
    return as_utc(datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=VN_TZ))


def local_today(now: datetime) -> date:
    return now.astimezone(VN_TZ).date()
