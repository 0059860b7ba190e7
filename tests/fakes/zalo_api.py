"""Zalo OA Open API, OAuth v4 and ZNS on one local server (the paths do not collide).

Refresh tokens are single-use, as on the real service: reusing one answers an error.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from .http_fake import FakeService, Recorded, Reply

TOKEN_PATH = "/v4/oa/access_token"
CS_PATH = "/v3.0/oa/message/cs"
ZNS_PATH = "/message/template"

_MESSAGES = {
    -216: "Access token is invalid",
    -213: "User has not followed OA",
    -230: "User has not interacted with OA in 7 days",
    -305: "Reply time expired",
    -32: "Rate limit exceeded",
    -211: "Out of quota",
}


class FakeZaloApi(FakeService):
    def __init__(
        self,
        app_id: str = "zalo-app-1",
        app_secret: str = "zalo-app-secret",
        access_token: str = "at-0",
        refresh_token: str = "rt-0",
        expires_in: int = 90000,
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.app_secret = app_secret
        self.expires_in = expires_in
        self.valid_access = {access_token}
        self.live_refresh = {refresh_token}
        self.refreshes = 0  # successful exchanges
        self.messages: list[dict[str, Any]] = []  # accepted cs messages
        self.zns: list[dict[str, Any]] = []  # accepted ZNS messages
        self._errors: dict[str, deque[int]] = {CS_PATH: deque(), ZNS_PATH: deque()}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        # Called before a refresh is processed: lets a test play a concurrent worker.
        self.before_refresh: Callable[[], None] | None = None
        self.server.route("POST", TOKEN_PATH, self._token)
        self.server.route("POST", CS_PATH, self._message)
        self.server.route("POST", ZNS_PATH, self._message)

    # behaviours ---------------------------------------------------------------------------

    def error_next(self, *codes: int, endpoint: str = CS_PATH) -> None:
        """The next sends (after the token check) answer these Zalo error codes."""
        self._errors[endpoint].extend(codes)

    def revoke(self, access_token: str) -> None:
        self.valid_access.discard(access_token)

    def issue(self) -> tuple[str, str]:
        with self._lock:
            n = next(self._ids)
            access, refresh = f"at-{n}", f"rt-{n}"
            self.valid_access.add(access)
            self.live_refresh.add(refresh)
            return access, refresh

    # handlers -----------------------------------------------------------------------------

    def _token(self, request: Recorded, _m: object) -> Reply:
        form = request.form()
        if request.header("secret_key") != self.app_secret or form.get("app_id") != self.app_id:
            return Reply(200, json={"error": -14002, "error_name": "Invalid app secret"})
        if form.get("grant_type") != "refresh_token":
            return Reply(200, json={"error": -14003, "error_name": "Invalid grant type"})
        if self.before_refresh is not None:
            self.before_refresh()
        with self._lock:
            if form.get("refresh_token") not in self.live_refresh:
                return Reply(200, json={"error": -14014, "error_name": "Invalid refresh token"})
            self.live_refresh.discard(form["refresh_token"])
            self.refreshes += 1
        access, refresh = self.issue()
        return Reply(
            200,
            json={
                "access_token": access,
                "refresh_token": refresh,
                "expires_in": str(self.expires_in),
            },
        )

    def _message(self, request: Recorded, _m: object) -> Reply:
        if request.header("access_token") not in self.valid_access:
            return Reply(200, json={"error": -216, "message": _MESSAGES[-216]})
        errors = self._errors[request.path]
        if errors:
            code = errors.popleft()
            return Reply(200, json={"error": code, "message": _MESSAGES.get(code, "error")})
        body = request.json()
        n = next(self._ids)
        if request.path == ZNS_PATH:
            self.zns.append(body)
            data = {"msg_id": f"zns-{n}", "sent_time": "1700000000000"}
        else:
            self.messages.append(body)
            data = {"message_id": f"mid-{n}", "user_id": body["recipient"]["user_id"]}
        return Reply(200, json={"error": 0, "message": "Success", "data": data})
