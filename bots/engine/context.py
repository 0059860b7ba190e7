"""One turn of a conversation: the event, the chat's state, and the replies being built."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.audit.service import Origin
from api.auth.guard import Principal
from api.kernel.errors import ApiError
from api.kernel.i18n import message
from api.profile.models import CHAT_CHANNELS
from bots.engine import identity, texts  # noqa: F401  (texts: registers the words)
from bots.engine.state import ChatState
from bots.engine.types import Button, Incoming, Reply

_UNSET = object()


@dataclass
class Turn:
    incoming: Incoming
    state: ChatState
    replies: list[Reply] = field(default_factory=list)
    _principal: object = _UNSET

    @property
    def channel(self) -> str:
        return self.incoming.channel

    @property
    def chat_id(self) -> str:
        return self.incoming.chat_id

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def can_push(self) -> bool:
        """Whether the notification pipeline can reach this chat later (not the web demo)."""
        return self.channel in CHAT_CHANNELS

    @property
    def origin(self) -> Origin:
        return Origin(channel=self.channel)

    @property
    def limit_key(self) -> str:
        """Per-chat subject for rate limits (where the API would use the caller's address)."""
        return f"bot:{self.channel}:{self.chat_id}"

    def principal(self) -> Principal | None:
        if self._principal is _UNSET:
            self._principal = identity.principal_for_chat(self.channel, self.chat_id)
        return self._principal  # type: ignore[return-value]

    def forget_principal(self) -> None:
        self._principal = _UNSET

    def t(self, slug: str, **params: object) -> str:
        return message(slug, self.lang, **params)

    def error_text(self, error: ApiError) -> str:
        """A refusal in the chat's language; a rate limit also says when to try again."""
        text = self.t(error.slug, **error.params)
        wait = error.headers.get("Retry-After", "")
        if error.status == 429 and error.slug == "too_many_requests" and wait.isdigit():
            seconds = int(wait)
            text += " " + (
                self.t("retry_in_seconds", seconds=max(seconds, 1))
                if seconds < 60
                else self.t("retry_in_minutes", minutes=(seconds + 59) // 60)
            )
        return text

    def button(self, slug: str, data: str) -> Button:
        return Button(self.t(slug), data)

    def say(
        self,
        text: str,
        buttons: list[list[Button]] | None = None,
        ask_contact: str = "",
    ) -> Reply:
        reply = Reply(text, buttons or [], ask_contact)
        self.replies.append(reply)
        return reply

    @property
    def other_lang(self) -> str:
        """The language the chat is not in (there are two): what "đổi ngôn ngữ" switches to."""
        return "en" if self.lang == "vi" else "vi"

    def menu_buttons(self) -> list[list[Button]]:
        other = (
            ("bot_btn_english", "lang:en")
            if self.other_lang == "en"
            else ("bot_btn_vietnamese", "lang:vi")
        )
        return [
            [self.button("bot_btn_find", "f"), self.button("bot_btn_check", "c")],
            [self.button("bot_btn_follow", "w"), self.button("bot_btn_thread", "t")],
            [self.button("bot_btn_rate", "r"), self.button("bot_btn_link", "l")],
            [self.button("bot_btn_support", "s"), self.button("bot_btn_assist_who", "ag")],
            [self.button(*other)],
        ]

    def back_buttons(self) -> list[list[Button]]:
        return [[self.button("bot_btn_menu", "m")]]
