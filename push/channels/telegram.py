"""Telegram Bot API client (integrations.md §4): sendMessage in HTML mode and a few bot calls.

The bot token is part of every URL, so it is scrubbed from every error text and never logged.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Sequence
from typing import Any

from api.kernel.logs import mask_text

from .base import (
    DEFAULT_TIMEOUT,
    HttpReply,
    Outcome,
    ProviderHttp,
    SendResult,
    TransportError,
    http_call,
    permanent,
    technical,
    temporary,
)
from .protocol import Outgoing, Reach, Rendered

log = logging.getLogger(__name__)

MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64  # bytes
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TAG = re.compile(r"<(/?)([a-zA-Z][\w-]*)[^>]*>")


def escape_html(text: str) -> str:
    """Escape for parse_mode=HTML: Telegram needs only &, < and > replaced."""
    return html.escape(text, quote=False)


def split_text(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split into parts of at most ``limit`` characters, on paragraph, line or word boundaries.

    Never cuts inside a tag or an entity; a tag open at a cut is closed at the end of the part
    and reopened at the start of the next, so every part parses on its own.
    """
    if limit < 32:
        raise ValueError("limit too small to split HTML safely")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        head, tail, opened = _split_once(rest, limit)
        closers = "".join(f"</{name}>" for name, _ in reversed(opened))
        if closers and len(head) + len(closers) > limit:
            head, tail, opened = _split_once(rest, limit - len(closers))
            closers = "".join(f"</{name}>" for name, _ in reversed(opened))
        openers = "".join(tag for _, tag in opened)
        if len(openers) > limit // 2:  # pathological markup: give up balancing
            openers = closers = ""
        if head:
            parts.append(head + closers)
        rest = openers + tail
    if rest.strip():
        parts.append(rest)
    return parts


def _split_once(text: str, limit: int) -> tuple[str, str, list[tuple[str, str]]]:
    cut = _cut_point(text, limit)
    head = text[:cut].rstrip()
    tail = text[cut:].lstrip()
    return head, tail, _open_tags(head)


def _cut_point(text: str, limit: int) -> int:
    window = text[: limit + 1]  # a separator right at the limit still counts
    cut = limit
    for sep in ("\n\n", "\n", " "):
        i = window.rfind(sep)
        if i > limit // 4:  # a boundary too early would make a uselessly short part
            cut = i
            break
    lt, gt = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if lt > gt:
        cut = lt  # inside a tag: cut before it
    amp, semi = text.rfind("&", 0, cut), text.rfind(";", 0, cut)
    if amp > semi and cut - amp <= 10:
        cut = amp  # inside an entity such as &amp;
    return cut if cut > 0 else limit


def _open_tags(html_text: str) -> list[tuple[str, str]]:
    stack: list[tuple[str, str]] = []
    for m in _TAG.finditer(html_text):
        closing, name = m.group(1), m.group(2).lower()
        if not closing:
            stack.append((name, m.group(0)))
            continue
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == name:
                del stack[i]
                break
    return stack


def inline_keyboard(rows: Sequence[Sequence[tuple[str, str]]]) -> dict[str, Any]:
    """[[(label, callback_data), ...], ...] → reply_markup; callback_data ≤ 64 bytes."""
    for row in rows:
        for _, data in row:
            if len(data.encode("utf-8")) > CALLBACK_DATA_LIMIT:
                raise ValueError(f"callback_data over {CALLBACK_DATA_LIMIT} bytes: {data!r}")
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


class TelegramClient:
    def __init__(
        self,
        api_base: str,
        token: str,
        session: ProviderHttp | None = None,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self._token = token
        self.session = session or ProviderHttp(self.api_base)
        self.timeout = timeout

    def __repr__(self) -> str:  # the token must not leak through a repr in a traceback
        return f"TelegramClient({self.api_base!r})"

    def send_message(
        self,
        chat_id: int | str,
        text: str,
        reply_markup: dict[str, Any] | None = None,
        reference: str | None = None,
    ) -> SendResult:
        """Send ``text`` (HTML, already escaped) in as many parts as needed, in order.

        The keyboard goes with the last part. On success the result carries the first part's
        message_id. If a later part fails, the failure is returned (with the first part's id):
        a retry then repeats the earlier parts, a duplicate we prefer to a lost message.
        """
        if not text.strip():
            raise ValueError("empty Telegram message")
        parts = split_text(text)
        first_id: str | None = None
        for i, part in enumerate(parts):
            payload: dict[str, Any] = {"chat_id": chat_id, "text": part, "parse_mode": "HTML"}
            if reply_markup is not None and i == len(parts) - 1:
                payload["reply_markup"] = reply_markup
            result = self.call("sendMessage", payload)
            if not result.ok:
                if i:
                    result.provider_message_id = first_id
                    result.detail += f" (part {i + 1} of {len(parts)})"
                self._log_failure("sendMessage", chat_id, reference, result)
                return result
            first_id = first_id or result.provider_message_id
        detail = f"{len(parts)} parts" if len(parts) > 1 else ""
        return SendResult(Outcome.ACCEPTED, provider_message_id=first_id, detail=detail)

    def answer_callback_query(self, callback_query_id: str, text: str | None = None) -> SendResult:
        payload: dict[str, Any] = {"callback_query_id": callback_query_id}
        if text:
            payload["text"] = text
        return self.call("answerCallbackQuery", payload)

    def set_webhook(
        self, url: str, secret_token: str, allowed_updates: Sequence[str] | None = None
    ) -> SendResult:
        if not _SECRET_TOKEN.match(secret_token):
            raise ValueError("secret_token must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        payload: dict[str, Any] = {"url": url, "secret_token": secret_token}
        if allowed_updates is not None:
            payload["allowed_updates"] = list(allowed_updates)
        return self.call("setWebhook", payload)

    def send_contact_request(
        self, chat_id: int | str, text: str, button_text: str = "Chia sẻ số điện thoại"
    ) -> SendResult:
        """A one-time reply keyboard whose button shares the user's phone number."""
        keyboard = {
            "keyboard": [[{"text": button_text, "request_contact": True}]],
            "resize_keyboard": True,
            "one_time_keyboard": True,
        }
        return self.send_message(chat_id, text, reply_markup=keyboard)

    def call(self, method: str, payload: dict[str, Any]) -> SendResult:
        """Any Bot API method; the result's provider_message_id is result.message_id if any."""
        url = f"{self.api_base}/bot{self._token}/{method}"
        try:
            reply = http_call(
                self.session,
                "POST",
                url,
                json=payload,
                timeout=self.timeout,
                secrets=(self._token,),
            )
        except TransportError as exc:
            return temporary(str(exc), "network")
        return _map(reply, self._token)

    def _log_failure(
        self, method: str, chat_id: int | str, reference: str | None, result: SendResult
    ) -> None:
        log.warning(
            "telegram %s failed",
            method,
            extra={
                "chat": mask_text(str(chat_id)),
                "reference": reference,
                "outcome": result.outcome.value,
                "error_code": result.error_code,
            },
        )


def _map(reply: HttpReply, token: str) -> SendResult:
    body = reply.body if isinstance(reply.body, dict) else {}
    if reply.status == 200 and body.get("ok") is True:
        result = body.get("result")
        message_id = result.get("message_id") if isinstance(result, dict) else None
        return SendResult(
            Outcome.ACCEPTED, provider_message_id=None if message_id is None else str(message_id)
        )
    try:
        code = int(body.get("error_code") or reply.status)
    except (TypeError, ValueError):
        code = reply.status
    description = str(body.get("description") or f"HTTP {reply.status}")
    description = description.replace(token, "[secret]")[:300]
    params = body.get("parameters") or {}
    if code == 429:
        retry_after = params.get("retry_after")
        retry_after = float(retry_after) if retry_after is not None else reply.retry_after()
        return temporary(description, "rate_limited", retry_after)
    if code >= 500 or reply.status >= 500:
        return temporary(description, f"http_{code}")
    if code == 403:  # blocked by the user, kicked from the group, or deactivated
        return permanent(description, "blocked")
    if code == 400 and "chat not found" in description.lower():
        return permanent(description, "chat_not_found")
    if code == 400 and "migrate_to_chat_id" in params:
        return permanent(f"{description}: now {params['migrate_to_chat_id']}", "chat_migrated")
    if code in (401, 404):  # Telegram answers 404 for a wrong token
        return technical("bot token rejected", "unauthorized")
    # Other 400s are ours (bad HTML, message too long): an operator must look.
    return technical(description, f"http_{code}")


def from_settings(settings: Any) -> TelegramClient | None:
    if not settings.telegram_bot_token:
        return None
    return TelegramClient(settings.telegram_api_base, settings.telegram_bot_token)


class TelegramChannel:
    name, name_vi, name_en = "telegram", "Telegram", "Telegram"

    def build(self, settings: Any) -> TelegramClient | None:
        return from_settings(settings)

    def address(self, reach: Reach) -> str | None:
        return reach.telegram_chat_id

    def render(self, message: Rendered) -> str:
        return f"<b>{escape_html(message.title)}</b>\n{escape_html(message.body)}"

    def send(self, client: TelegramClient, outgoing: Outgoing) -> tuple[str, SendResult]:
        to = self.address(outgoing.reach)
        text = self.render(outgoing.message)
        return "", client.send_message(to, text, reference=outgoing.reference)

    def expects_receipt(self, route: str) -> bool:
        return False
