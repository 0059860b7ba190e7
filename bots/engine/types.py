"""What the engine receives from a channel adapter and what it answers, channel-agnostic."""

from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of incoming event the engine understands.
TEXT, BUTTON, CONTACT, PHOTO, START = "text", "button", "contact", "photo", "start"


@dataclass(frozen=True)
class Incoming:
    """One thing the citizen did in the chat.

    ``data`` is a button's payload (BUTTON) or a deep-link argument (START); ``phone`` the
    number shared with the platform's own button (CONTACT); ``photo`` fetches a photo's bytes
    on demand, so nothing is downloaded unless a flow keeps it.
    """

    channel: str
    chat_id: str
    kind: str = TEXT
    text: str = ""
    data: str = ""
    phone: str | None = None
    message_id: str | None = None
    display_name: str = ""
    photo: object | None = None  # a zero-argument callable returning bytes


@dataclass(frozen=True)
class Button:
    label: str
    data: str  # ≤ 64 bytes (Telegram callback_data); adapters check it


@dataclass
class Reply:
    """One message back: plain text (adapters escape it) and optional rows of buttons.

    ``ask_contact``: the label of the platform's own "share my phone number" control to show
    with this message (empty: none).
    """

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    ask_contact: str = ""

    def button_list(self) -> list[Button]:
        return [button for row in self.buttons for button in row]
