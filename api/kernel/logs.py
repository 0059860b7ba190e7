"""Structured JSON logs with the request id, and masking of personal numbers and tokens.

Never log a full phone number, ID number or token: the masking filter runs on every record,
so a careless ``log.info("... %s", phone)`` still comes out masked.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

# 9-15 digit runs (phone numbers, 12-digit personal ID numbers, 9-digit old ID cards),
# optionally with a leading +.
_DIGITS = re.compile(r"(?<![\w.])\+?\d{9,15}(?![\w])")
# Bearer tokens, JWTs and long hex/base64 secrets.
# (a long run must contain a digit, so snake_case event names are not taken for tokens)
_TOKEN = re.compile(
    r"(?:Bearer\s+)?\b(?:eyJ[\w-]+\.[\w-]+\.[\w-]+|(?=[A-Za-z_\-]*\d)[A-Za-z0-9_\-]{32,})\b"
)
_STANDARD = set(vars(logging.makeLogRecord({})))


def mask_number(value: str) -> str:
    """Keep the last 3 digits so support staff can tell records apart: 0912345678 → *******678."""
    digits = value.lstrip("+")
    return "*" * (len(digits) - 3) + digits[-3:]


def mask_text(text: str) -> str:
    text = _TOKEN.sub("[token]", text)
    return _DIGITS.sub(lambda m: mask_number(m.group(0)), text)


def _mask_value(value: object) -> object:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: _mask_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_mask_value(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": mask_text(record.getMessage()),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in entry:
                entry[key] = _mask_value(value)
        if record.exc_info:
            entry["exc"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        root.setLevel(level.upper())
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root.handlers = [handler]
    root.setLevel(level.upper())
    # werkzeug's own access log duplicates ours and prints raw query strings.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    # urllib3's debug lines print request paths, and a Telegram path carries the bot token.
    logging.getLogger("urllib3").setLevel(logging.WARNING)
