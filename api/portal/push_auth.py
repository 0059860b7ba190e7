"""Authenticating portal pushes: HMAC-SHA256 over "timestamp.body", within a 5-minute window."""

from __future__ import annotations

import hashlib
import hmac
import time

from api.kernel.digits import is_digits

WINDOW_SECONDS = 300


class PushRejected(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str | None, signature: str | None, body: bytes, now: float | None = None
) -> int:
    """Returns the signed timestamp (Unix seconds) or raises PushRejected."""
    if not secret:
        raise PushRejected("not_configured")
    if not timestamp or not signature or not is_digits(timestamp):
        raise PushRejected("missing_signature")
    expected = sign(secret, timestamp, body)
    # Constant-time comparison: the answer time reveals nothing about the right signature.
    if not hmac.compare_digest(expected.encode(), signature.strip().encode()):
        raise PushRejected("bad_signature")
    moment = int(timestamp)
    if abs((now if now is not None else time.time()) - moment) > WINDOW_SECONDS:
        raise PushRejected("outside_window")
    return moment
