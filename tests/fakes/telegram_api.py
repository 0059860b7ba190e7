"""Telegram Bot API: {base}/bot<token>/<method>, JSON in and out."""

from __future__ import annotations

import itertools
from collections import defaultdict, deque
from typing import Any

from .http_fake import FakeService, Recorded, Reply

TOKEN = "123456789:AAtest-token-for-the-fake-only_abcdefghij"


def rate_limited(retry_after: int = 34) -> Reply:
    return Reply(
        429,
        json={
            "ok": False,
            "error_code": 429,
            "description": f"Too Many Requests: retry after {retry_after}",
            "parameters": {"retry_after": retry_after},
        },
    )


def blocked() -> Reply:
    return Reply(
        403,
        json={
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        },
    )


def chat_not_found() -> Reply:
    return Reply(
        400, json={"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    )


def server_error(status: int = 502) -> Reply:
    return Reply(status, body=b"<html>Bad Gateway</html>")


class FakeTelegramApi(FakeService):
    def __init__(self, token: str = TOKEN) -> None:
        super().__init__()
        self.token = token
        self.calls: list[tuple[str, dict[str, Any]]] = []  # successful (method, payload)
        self._failures: dict[str, deque[Reply]] = defaultdict(deque)
        self._ids = itertools.count(100)
        self.server.route("POST", r"/bot(?P<token>[^/]+)/(?P<method>\w+)", self._call)

    def fail_next(self, method: str, *replies: Reply) -> None:
        self._failures[method].extend(replies)

    def sent_messages(self) -> list[dict[str, Any]]:
        return [payload for method, payload in self.calls if method == "sendMessage"]

    def _call(self, request: Recorded, m: Any) -> Reply:
        if m.group("token") != self.token:
            return Reply(404, json={"ok": False, "error_code": 404, "description": "Not Found"})
        method = m.group("method")
        if self._failures[method]:
            return self._failures[method].popleft()
        payload = request.json() or {}
        self.calls.append((method, payload))
        if method == "sendMessage":
            result: Any = {
                "message_id": next(self._ids),
                "chat": {"id": payload.get("chat_id")},
                "text": payload.get("text"),
            }
        else:
            result = True
        return Reply(200, json={"ok": True, "result": result})
