"""Per-chat conversation state in Redis, forgotten after a quiet time-out.

What a chat is in the middle of (waiting for a dossier code, the last 4 digits, a one-time
code, talking to the officer, rating) lives here, not in the database: it is short-lived by
nature, and a forgotten state only means the citizen starts the step again.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields

import redis
from flask import current_app

from api.kernel import settings

KEY = "bot:state:{channel}:{chat_id}"

# Modes: what the next message is taken as.
IDLE = ""
AWAIT_CODE = "await_code"  # a dossier code, for ``action``
AWAIT_DIGITS = "await_digits"  # the last 4 digits for ``code``, for ``action``
AWAIT_LINK_CODE = "await_link_code"
AWAIT_OTP = "await_otp"  # the one-time code sent to ``phone``
# Messages go to ``code``'s thread with the officer. The value is stored in live chats' state.
THREAD = "talk"
RATE = "rate"  # answering rating questions for ``code``
SUPPORT = "support"  # the next message is a question for the support answering
ASK_AGENCY = "ask_agency"  # the next message is a question for an officer
SURVEY = "survey"  # answering survey ``action`` (its slug) one question at a time
MANDATE = "mandate"  # making a standing mandate step by step (``mandate``)


@dataclass
class ChatState:
    lang: str = "vi"
    mode: str = IDLE
    action: str = ""
    code: str = ""
    verified: list[str] = field(default_factory=list)  # codes whose second factor was given
    results: list[str] = field(default_factory=list)  # procedure codes offered last
    phone: str = ""  # waiting for its one-time code (linking by phone)
    rating: dict = field(default_factory=dict)  # answers so far, question index
    support: dict = field(default_factory=dict)  # last question, checklist, survey answers
    mandate: dict = field(default_factory=dict)  # the mandate being made: phone, actions, day

    def reset(self) -> None:
        """Leave whatever step the chat was in; the language and proofs given stay."""
        self.mode, self.action, self.code, self.phone, self.rating = IDLE, "", "", "", {}
        self.support, self.mandate = {}, {}

    def expect(self, mode: str, action: str = "", code: str = "") -> None:
        self.mode, self.action, self.code = mode, action, code

    def remember_verified(self, code: str) -> None:
        if code not in self.verified:
            self.verified = [*self.verified[-4:], code]


def _key(channel: str, chat_id: str) -> str:
    return KEY.format(channel=channel, chat_id=chat_id)


def _conn() -> redis.Redis:
    return current_app.extensions["redis"]


def load(channel: str, chat_id: str) -> ChatState | None:
    """The chat's state, or None when it has none (new, or timed out)."""
    raw = _conn().get(_key(channel, chat_id))
    if not raw:
        return None
    data = json.loads(raw)
    known = {f.name for f in fields(ChatState)}
    return ChatState(**{k: v for k, v in data.items() if k in known})


def save(channel: str, chat_id: str, state: ChatState) -> None:
    ttl = (
        settings.current().bot_thread_ttl_seconds
        if state.mode == THREAD
        else settings.current().bot_state_ttl_seconds
    )
    _conn().set(_key(channel, chat_id), json.dumps(asdict(state)), ex=ttl)


def clear(channel: str, chat_id: str) -> None:
    _conn().delete(_key(channel, chat_id))
