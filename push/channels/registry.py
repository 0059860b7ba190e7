"""The one registry of channels, and the provider clients built from settings, one set per app.

Adding a channel is one module (a class answering ``push.channels.protocol.Channel``) and one
``register`` line below; chains, preferences, the catalog, reaching, receipts and metrics read
the registry. An unconfigured channel answers TECHNICAL_FAILURE "not_configured": the
notification moves to the next channel and the attempt says why (never silently dropped).
"""

from __future__ import annotations

import json
import threading
from typing import Any

from flask import current_app

from push.channels import email, fcm, sms, telegram, zalo, zalo_tokens
from push.channels.base import Outcome, SendResult
from push.channels.protocol import Channel, Outgoing, Reach, Rendered

_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    if channel.name in _registry:
        raise ValueError(f"channel {channel.name!r} is already registered")
    _registry[channel.name] = channel
    return channel


def unregister(name: str) -> None:
    _registry.pop(name, None)


def get(name: str) -> Channel | None:
    return _registry.get(name)


def names() -> list[str]:
    return list(_registry)


def all_channels() -> list[Channel]:
    return list(_registry.values())


def can_use(name: str, reach: Reach) -> bool:
    channel = _registry.get(name)
    return bool(channel is not None and channel.address(reach))


def expects_receipt(name: str, route: str) -> bool:
    channel = _registry.get(name)
    return bool(channel is not None and channel.expects_receipt(route))


register(fcm.AppChannel())
register(zalo.ZaloChannel(zalo_tokens.DatabaseTokenStore))
register(telegram.TelegramChannel())
register(sms.SmsChannel())
register(email.EmailChannel())


class Channels:
    """One app's provider clients by channel name (None: not configured), and the ZNS template
    of each event. Tests build one pointed at local fakes: ``Channels(sms=..., telegram=...)``."""

    def __init__(self, zns_templates: dict[str, str] | None = None, **clients: Any) -> None:
        self.__dict__["clients"] = dict(clients)
        self.__dict__["zns_templates"] = dict(zns_templates or {})

    def __getattr__(self, name: str) -> Any:
        return self.__dict__["clients"].get(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "zns_templates":
            self.__dict__[name] = value
        else:
            self.__dict__["clients"][name] = value

    def client(self, name: str) -> Any:
        return self.__dict__["clients"].get(name)


_lock = threading.Lock()


def channels() -> Channels:
    existing = current_app.extensions.get("push_channels")
    if existing is not None:
        return existing
    with _lock:
        if "push_channels" not in current_app.extensions:
            settings = current_app.extensions["settings"]
            templates = settings.extra.get("zns_templates") or json.loads(
                settings.zalo_zns_templates or "{}"
            )
            current_app.extensions["push_channels"] = Channels(
                zns_templates=templates,
                **{c.name: c.build(settings) for c in _registry.values()},
            )
        return current_app.extensions["push_channels"]


def not_configured(channel: str) -> SendResult:
    return SendResult(
        Outcome.TECHNICAL_FAILURE,
        error_code="not_configured",
        detail=f"{channel} is not configured",
    )


def send(
    channel: str,
    reach: Reach,
    message: Rendered,
    event: str,
    reference: str,
    data: dict | None = None,
) -> tuple[str, SendResult]:
    """Send on one channel; returns (route, result). No database connection is held here."""
    entry = _registry.get(channel)
    if entry is None:
        return "", SendResult(
            Outcome.TECHNICAL_FAILURE, error_code="unknown_channel", detail=channel
        )
    adapters = channels()
    client = adapters.client(channel)
    if client is None:
        return "", not_configured(channel)
    outgoing = Outgoing(
        reach, message, event, reference, data or {}, {"zns_templates": adapters.zns_templates}
    )
    return entry.send(client, outgoing)
