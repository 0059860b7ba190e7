"""The notification catalog (event kinds from events.json, channels from the registry) and each
account's preferences: one merge of the stored choices over the defaults, used by the
preference routes and by delivery planning alike."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.profile.models import NotificationPreference
from push.channels import registry as channel_registry

EVENTS_FILE = Path(__file__).resolve().parent / "events.json"
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@lru_cache(maxsize=1)
def _events_file() -> dict:
    return json.loads(EVENTS_FILE.read_text(encoding="utf-8"))


def notification_catalog() -> dict:
    """The event kinds (from the file) and the channels (from the registry, in its order)."""
    channels = [
        {"code": c.name, "name_vi": c.name_vi, "name_en": c.name_en}
        for c in channel_registry.all_channels()
    ]
    return {**_events_file(), "channels": channels}


def is_urgent(event: str) -> bool:
    return any(e["code"] == event and e.get("urgent") for e in notification_catalog()["events"])


def default_preferences() -> dict:
    catalog = notification_catalog()
    return {
        "channels": list(catalog["default_channels"]),
        "events": {e["code"]: e["default"] for e in catalog["events"]},
        "quiet_hours": None,
        "language": "vi",
    }


def merged(stored: NotificationPreference | None) -> dict[str, Any]:
    """The account's preferences: its stored choices over the defaults (events it never chose
    keep their default, so a new kind of notification reaches people who chose before it)."""
    defaults = default_preferences()
    if stored is None:
        return defaults
    return {
        "channels": stored.channels,
        "events": {**defaults["events"], **(stored.events or {})},
        "quiet_hours": (
            {"start": stored.quiet_start, "end": stored.quiet_end} if stored.quiet_start else None
        ),
        "language": stored.language,
    }


def put_channel_first(account_id: int, channel: str) -> None:
    """A chat just linked is where the person wants news, as the bot tells them: it goes first
    in their notification channels (they can reorder them later). In the caller's session."""
    stored = db.session.get(NotificationPreference, account_id)
    if stored is None:
        defaults = default_preferences()
        stored = NotificationPreference(
            account_id=account_id,
            channels=defaults["channels"],
            events=defaults["events"],
            language=defaults["language"],
        )
        db.session.add(stored)
    stored.channels = [channel, *(c for c in stored.channels if c != channel)]
    stored.updated_at = utcnow()


def get_preferences(principal: Principal) -> dict:
    return merged(db.session.get(NotificationPreference, principal.account_id))


def put_preferences(principal: Principal, data: dict, origin: Origin) -> dict:
    catalog = notification_catalog()
    known_channels = [c["code"] for c in catalog["channels"]]
    known_events = {e["code"]: e for e in catalog["events"]}
    errors: dict[str, list[str]] = {}
    channels = data["channels"]
    if (
        not channels
        or len(set(channels)) != len(channels)
        or not set(channels) <= set(known_channels)
    ):
        errors["channels"] = [f"An ordered list without repeats of: {', '.join(known_channels)}."]
    events = data.get("events") or {}
    unknown = set(events) - set(known_events)
    if unknown:
        errors["events"] = [f"Unknown event(s): {', '.join(sorted(unknown))}."]
    elif any(not events.get(code, True) for code, e in known_events.items() if e.get("mandatory")):
        errors["events"] = ["One-time codes cannot be turned off."]
    quiet = data.get("quiet_hours")
    if quiet is not None and not (
        _TIME.match(quiet.get("start", "")) and _TIME.match(quiet.get("end", ""))
    ):
        errors["quiet_hours"] = ["start and end as HH:MM (Vietnam time), e.g. 21:00 and 07:00."]
    if errors:
        raise ApiError(422, "validation_failed", errors=errors)
    stored = db.session.get(NotificationPreference, principal.account_id) or NotificationPreference(
        account_id=principal.account_id
    )
    stored.channels = channels
    stored.events = {**default_preferences()["events"], **events}
    stored.quiet_start = quiet["start"] if quiet else None
    stored.quiet_end = quiet["end"] if quiet else None
    stored.language = data.get("language", "vi")
    stored.updated_at = utcnow()
    db.session.add(stored)
    record("preferences_changed", origin, actor_id=principal.account_id, object_type="preferences")
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return get_preferences(principal)
