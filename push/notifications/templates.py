"""Notification wording, from api/data/notification_templates.json (reviewed plain language)."""

from __future__ import annotations

import json
import string
from functools import lru_cache
from pathlib import Path

from api.kernel.text import strip_marks
from push.channels.protocol import Rendered

TEMPLATES_FILE = (
    Path(__file__).resolve().parents[2] / "api" / "data" / "notification_templates.json"
)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


@lru_cache(maxsize=1)
def templates() -> dict:
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))


class UnknownNotificationEvent(LookupError):
    """A notification of a kind that has no words. Raised where the notification is planned,
    inside the transaction that would mark its domain event processed: that event stays
    unprocessed (and the sweeper keeps failing loudly) until a template is added."""


def require(event: str) -> None:
    if event not in templates()["events"]:
        raise UnknownNotificationEvent(f"no template for notification event {event!r}")


def events() -> list[str]:
    return list(templates()["events"])


def _fill(text: str, params: dict) -> str:
    return string.Formatter().vformat(text, (), _Blank(params)).strip()


def render(event: str, language: str, params: dict) -> Rendered:
    require(event)
    entry = templates()["events"][event]
    words = entry.get(language) or entry["vi"]
    values = {k: "" if v is None else str(v) for k, v in params.items()}
    values.setdefault("status_ascii", strip_marks(values.get("status", "")))
    zns_names = templates()["zns"].get(event, [])
    zns_source = {
        "ma_ho_so": values.get("code", ""),
        "trang_thai": values.get("status", ""),
        "ten_thu_tuc": values.get("procedure", "")[:100],
        "otp": values.get("code", ""),
    }
    return Rendered(
        title=_fill(words["title"], values),
        body=_fill(words["body"], values),
        sms=strip_marks(_fill(words["sms"], values)),
        zns_params={name: zns_source.get(name, "") for name in zns_names},
    )
