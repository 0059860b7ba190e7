"""From our channel names to the channel adapters, configured from settings, one set per app.

An unconfigured channel answers TECHNICAL_FAILURE "not_configured": the notification moves to
the next channel and the attempt says why (never silently dropped)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from api.kernel.clock import utcnow
from push.chain import Reach
from push.channels import email as email_channel
from push.channels import fcm as fcm_channel
from push.channels import sms as sms_channel
from push.channels import telegram as telegram_channel
from push.channels import zalo as zalo_channel
from push.channels.base import Outcome, SendResult
from push.templates import Rendered

# Channels whose acceptance is followed by a delivery receipt we wait for.
RECEIPT_ROUTES = {("sms", ""), ("zalo", "zns")}


def not_configured(channel: str) -> SendResult:
    return SendResult(
        Outcome.TECHNICAL_FAILURE,
        error_code="not_configured",
        detail=f"{channel} is not configured",
    )


@dataclass
class Channels:
    """The adapters; tests build one pointed at local fakes."""

    app: Any = None
    sms: Any = None
    email: Any = None
    zalo: Any = None
    telegram: Any = None
    zns_templates: dict[str, str] = field(default_factory=dict)


_lock = threading.Lock()


def channels() -> Channels:
    existing = current_app.extensions.get("push_channels")
    if existing is not None:
        return existing
    with _lock:
        if "push_channels" not in current_app.extensions:
            from push.zalo_tokens import DatabaseTokenStore

            settings = current_app.extensions["settings"]
            templates = settings.extra.get("zns_templates") or json.loads(
                settings.zalo_zns_templates or "{}"
            )
            current_app.extensions["push_channels"] = Channels(
                app=fcm_channel.from_settings(settings),
                sms=sms_channel.from_settings(settings),
                email=email_channel.from_settings(settings),
                zalo=zalo_channel.from_settings(
                    settings, DatabaseTokenStore(settings.zalo_refresh_token)
                ),
                telegram=telegram_channel.from_settings(settings),
                zns_templates=templates,
            )
        return current_app.extensions["push_channels"]


def send(
    channel: str,
    reach: Reach,
    message: Rendered,
    event: str,
    reference: str,
    data: dict | None = None,
) -> tuple[str, SendResult]:
    """Send on one channel; returns (route, result). No database connection is held here."""
    adapters = channels()
    if channel == "app":
        if adapters.app is None:
            return "", not_configured(channel)
        return "", adapters.app.send(
            reach.device_tokens, message.title, message.body, data or {}, reference
        )
    if channel == "sms":
        if adapters.sms is None:
            return "", not_configured(channel)
        return "", adapters.sms.send(reach.phone, message.sms, reference)
    if channel == "email":
        if adapters.email is None:
            return "", not_configured(channel)
        return "", adapters.email.send(
            reach.email, message.email_subject, message.text, message.email_html(), reference
        )
    if channel == "telegram":
        if adapters.telegram is None:
            return "", not_configured(channel)
        text = f"<b>{telegram_channel.escape_html(message.title)}</b>\n{telegram_channel.escape_html(message.body)}"
        return "", adapters.telegram.send_message(reach.telegram_chat_id, text, reference=reference)
    if channel == "zalo":
        return _send_zalo(adapters, reach, message, event, reference)
    return "", SendResult(Outcome.TECHNICAL_FAILURE, error_code="unknown_channel", detail=channel)


def _send_zalo(
    adapters: Channels, reach: Reach, message: Rendered, event: str, reference: str
) -> tuple[str, SendResult]:
    if adapters.zalo is None:
        return "", not_configured("zalo")
    if reach.zalo_in_window(utcnow()):
        result = adapters.zalo.send_text(reach.zalo_user_id, message.text, reference)
        if result.outcome != Outcome.PERMANENT_FAILURE or not reach.phone:
            return "oa", result
        # Outside the customer-service window after all (-230/-305): a ZNS template instead.
    if not reach.phone:
        return "oa", SendResult(
            Outcome.PERMANENT_FAILURE,
            error_code="no_zalo_route",
            detail="not in the OA window and no phone for ZNS",
        )
    template_id = adapters.zns_templates.get(event)
    if not template_id:
        return "zns", SendResult(
            Outcome.TECHNICAL_FAILURE,
            error_code="zns_template_missing",
            detail=f"no ZNS template configured for {event}",
        )
    phone = sms_channel.normalise_phone(reach.phone)
    return "zns", adapters.zalo.send_zns(phone, template_id, message.zns_params, reference)
