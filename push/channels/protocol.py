"""What the notification pipeline knows of a channel: the ``Channel`` protocol, the ``Reach``
(every address a person or chat has) and the ``Rendered`` message it renders from.

A channel is one object: its name and labels, the address it needs from a ``Reach``, how it
renders a message, how it sends one with our reference, and after which routes a delivery
receipt follows. ``push.channels.registry`` holds one of each; nothing else names channels.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from api.kernel.clock import as_utc
from push.channels.base import SendResult

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
    # Chat ids on any channel, by channel name (a channel added later reads its own here).
    chats: dict[str, str] = field(default_factory=dict)

    def zalo_in_window(self, now: datetime) -> bool:
        return bool(
            self.zalo_user_id
            and self.zalo_last_interaction
            and now - as_utc(self.zalo_last_interaction) < ZALO_WINDOW
        )

    def key(self) -> tuple:
        """Who this is, for keeping one address's messages in order."""
        return (
            self.phone,
            self.email,
            self.zalo_user_id,
            self.telegram_chat_id,
            tuple(sorted(self.chats.items())),
        )


@dataclass(frozen=True)
class Rendered:
    """A notification's words, before a channel shapes them."""

    title: str
    body: str
    sms: str
    zns_params: dict[str, str]

    @property
    def email_subject(self) -> str:
        return self.title

    @property
    def text(self) -> str:
        return f"{self.title}\n\n{self.body}"

    def email_html(self) -> str:
        return (
            '<!doctype html><html><body style="font-family:sans-serif;font-size:16px">'
            f"<h2>{html.escape(self.title)}</h2><p>{html.escape(self.body)}</p>"
            "</body></html>"
        )


@dataclass(frozen=True)
class Outgoing:
    """One message to send: to whom, what, for which event, under which reference."""

    reach: Reach
    message: Rendered
    event: str
    reference: str  # our attempt id: providers that can drop a duplicate use it
    data: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)  # per-app channel settings


class Channel(Protocol):
    name: str  # our name for it, stored in chains, attempts and preferences
    name_vi: str
    name_en: str

    def build(self, settings: Any) -> Any | None:
        """The provider client from settings, or None when the channel is not configured."""

    def address(self, reach: Reach) -> Any:
        """What this channel needs from the reach (falsy: it cannot reach this person)."""

    def render(self, message: Rendered) -> Any:
        """The message shaped for this channel."""

    def send(self, client: Any, outgoing: Outgoing) -> tuple[str, SendResult]:
        """Send (never raising for provider trouble); returns (route, result)."""

    def expects_receipt(self, route: str) -> bool:
        """Whether an accepted send on this route is followed by a delivery receipt."""
