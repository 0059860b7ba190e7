"""POST /webhooks/zalo and /webhooks/telegram: check who sent it, store the raw update once,
answer 200 at once. The answer to the citizen is worked out by an rq job (bots.jobs), so a
slow reply never makes the platform retry. Bad signatures: 401, logged without the body."""

from __future__ import annotations

import hmac
import json
import logging
import time

from flask import current_app, request
from flask.views import MethodView

from api.kernel.digits import is_digits
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.kernel.web.blueprint import Access, Blueprint
from bots import inbox
from bots.schemas import AckSchema
from bots.shapes import telegram_problem, zalo_problem
from bots.telegram import adapter as telegram
from bots.zalo import adapter as zalo
from push.channels.zalo import verify_signature

log = logging.getLogger(__name__)

register_messages(
    {
        "bot_webhook_unauthorized": {
            "vi": "Yêu cầu không được xác thực là từ nền tảng nhắn tin.",
            "en": "The request is not authenticated as coming from the messaging platform.",
        }
    }
)

# A signed Zalo event older than this (or this far ahead) is a replay, not news: refused.
ZALO_EVENT_MAX_AGE_SECONDS = 900

blp = Blueprint(
    "bot_webhooks", __name__, url_prefix="/webhooks", description="Zalo and Telegram bot updates"
)


def _rejected(channel: str, reason: str) -> ApiError:
    log.warning(
        "bot_webhook_rejected",
        extra={"channel": channel, "reason": reason, "bytes": request.content_length or 0},
    )
    return ApiError(401, "bot_webhook_unauthorized")


def _malformed(channel: str, field: str) -> ApiError:
    log.warning("bot_webhook_malformed", extra={"channel": channel, "field": field[:80]})
    return ApiError(422, "validation_failed", errors={field[:80]: ["Invalid input type."]})


def zalo_event_fresh(timestamp: str, now: float | None = None) -> bool:
    """Zalo's ``timestamp`` (milliseconds; seconds accepted too) within the window."""
    if not is_digits(timestamp) or len(timestamp) > 16:
        return False
    moment = int(timestamp) / (1000 if len(timestamp) > 11 else 1)
    return abs((time.time() if now is None else now) - moment) <= ZALO_EVENT_MAX_AGE_SECONDS


def _json(raw: bytes) -> dict:
    try:
        body = json.loads(raw)
    except ValueError:
        raise ApiError(400, "bad_request") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request")
    return body


def _accept(channel: str, external_id: str, chat_id: str, kind: str, payload: dict) -> dict:
    update_id = inbox.store(channel, external_id, chat_id, kind, payload)
    if update_id is None:
        return {"ok": True, "duplicate": True}
    inbox.enqueue(update_id)  # after the commit: the job always finds its row
    return {"ok": True, "duplicate": False}


def _check_telegram_secret() -> None:
    secret = current_app.extensions["settings"].telegram_webhook_secret
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret:
        raise _rejected("telegram", "not_configured")
    if not hmac.compare_digest(given.encode(), secret.encode()):
        raise _rejected("telegram", "bad_secret")


def _check_zalo_signature() -> None:
    """The signature covers the raw body and its own ``timestamp``; a stale event is a replay."""
    settings = current_app.extensions["settings"]
    raw = request.get_data(cache=True)
    if not settings.zalo_app_id or not settings.zalo_oa_secret_key:
        raise _rejected("zalo", "not_configured")
    try:
        timestamp = str(json.loads(raw).get("timestamp", ""))
    except (ValueError, AttributeError):
        raise _rejected("zalo", "unreadable") from None
    signature = request.headers.get("X-ZEvent-Signature", "")
    if not verify_signature(
        settings.zalo_app_id, raw, timestamp, settings.zalo_oa_secret_key, signature
    ):
        raise _rejected("zalo", "bad_signature")
    if not zalo_event_fresh(timestamp):
        raise _rejected("zalo", "stale")


TELEGRAM_SIGNED = Access(
    "telegram-secret",
    check=_check_telegram_secret,
    refusals=((401, "Secret token missing or wrong"),),
)
ZALO_SIGNED = Access(
    "zalo-signed", check=_check_zalo_signature, refusals=((401, "Signature missing or wrong"),)
)


@blp.route("/telegram")
class TelegramWebhook(MethodView):
    @blp.access(TELEGRAM_SIGNED)
    @blp.response(200, AckSchema)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "X-Telegram-Bot-Api-Secret-Token",
                "required": True,
                "schema": {"type": "string"},
            }
        ]
    )
    def post(self):
        """An update from the Telegram Bot API (setWebhook with our secret token)."""
        update = _json(request.get_data(cache=True))
        if not isinstance(update.get("update_id"), int) or isinstance(update["update_id"], bool):
            raise ApiError(400, "bad_request")
        if field := telegram_problem(update):
            raise _malformed("telegram", field)
        return _accept(
            "telegram",
            str(update["update_id"]),
            telegram.chat_of(update),
            telegram.kind_of(update),
            update,
        )


@blp.route("/zalo")
class ZaloWebhook(MethodView):
    @blp.access(ZALO_SIGNED)
    @blp.response(200, AckSchema)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "X-ZEvent-Signature",
                "required": True,
                "schema": {"type": "string"},
                "description": "mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>",
            }
        ]
    )
    def post(self):
        """An event from the Zalo Official Account webhook."""
        raw = request.get_data(cache=True)
        event = json.loads(raw)  # readable: the signature check parsed it
        if field := zalo_problem(event):
            raise _malformed("zalo", field)
        return _accept(
            "zalo",
            zalo.external_id(event, raw),
            zalo.chat_of(event),
            str(event.get("event_name", "")),
            event,
        )
