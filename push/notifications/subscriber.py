"""The notifications domain's reactions to lower domains' announcements (registered from
``push.notifications.init_app``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from api.auth import announcements as identity
from api.kernel import events
from api.profile.service import CHAT_LINKED
from push.notifications.preferences import put_channel_first
from push.notifications.queueing import enqueue_delivery
from push.notifications.service import notify_chat


def send_code(phone: str, code: str, purpose: str, language: str) -> list[Callable[[], None]]:
    """A one-time code as an urgent SMS: the notification is staged in the caller's session,
    the returned hand-over enqueues it once the caller committed."""
    notification = notify_chat(
        "sms",
        phone,
        "one_time_code",
        {"code": code},
        f"otp:{phone}:{secrets.token_hex(8)}",
        language=language,
    )
    if notification is None:  # a random key seen before: nothing new to deliver
        return []
    return [lambda: enqueue_delivery([notification.id], urgent=True)]


def register() -> None:
    events.subscribe(identity.CODE_TO_SEND, send_code)
    events.subscribe(CHAT_LINKED, put_channel_first)
