"""Authenticating portal pushes: HMAC-SHA256 over "timestamp.body", within a 5-minute window,
and ``PORTAL_SIGNED``, the web kit's access kind in front of the routes that receive them."""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from flask import current_app, g, request

from api.kernel.digits import is_digits
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.web.blueprint import Access

log = logging.getLogger(__name__)

WINDOW_SECONDS = 300

register_messages(
    {
        "portal_signature_invalid": {
            "vi": "Chữ ký của yêu cầu đồng bộ không hợp lệ hoặc đã quá thời gian cho phép (5 phút).",
            "en": "The sync request's signature is not valid or is older than 5 minutes.",
        }
    }
)


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


def check_portal_signature() -> None:
    """Check X-Portal-Signature over the raw body before anything parses it; the signed moment
    is left in ``g.portal_signed_at``."""
    body = request.get_data(cache=True)
    try:
        g.portal_signed_at = verify(
            current_app.extensions["settings"].portal_push_secret,
            request.headers.get("X-Portal-Timestamp"),
            request.headers.get("X-Portal-Signature"),
            body,
        )
    except PushRejected as exc:
        # Logged without the body: it holds personal data.
        log.warning("portal_push_rejected", extra={"reason": exc.reason, "bytes": len(body)})
        raise ApiError(401, "portal_signature_invalid") from None


# The routes that receive portal pushes declare ``blp.access(PORTAL_SIGNED)``.
PORTAL_SIGNED = Access(
    "portal-signed", check=check_portal_signature, refusals=((401, "Bad signature or replay"),)
)
