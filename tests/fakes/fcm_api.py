"""FCM HTTP v1 ``POST /v1/projects/{id}/messages:send``, one message per request.

firebase-admin 7.7.0's send_each / send_each_for_multicast post one request per token from a
thread pool (no batch endpoint), so this fake only needs the single-message call. Errors use
Google's error body with an FcmError detail, which the library maps to its exception types.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from .http_fake import FakeService, Recorded, Reply

_FCM_ERROR = "type.googleapis.com/google.firebase.fcm.v1.FcmError"


def fcm_error(
    status: int, rpc_status: str, message: str, fcm_code: str | None = None, **headers: str
) -> Reply:
    error: dict[str, Any] = {"code": status, "message": message, "status": rpc_status}
    if fcm_code:
        error["details"] = [{"@type": _FCM_ERROR, "errorCode": fcm_code}]
    return Reply(status, json={"error": error}, headers=dict(headers))


class FakeFcmApi(FakeService):
    def __init__(self, project_id: str = "dvc-test") -> None:
        super().__init__()
        self.project_id = project_id
        self.unregistered: set[str] = set()
        self.invalid: set[str] = set()
        self.sender_mismatch: set[str] = set()
        self.unavailable: set[str] = set()
        self.quota_exceeded: set[str] = set()
        self.accepted: list[dict[str, Any]] = []  # the "message" objects delivered
        self.authorizations: list[str | None] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server.route("POST", rf"/v1/projects/{project_id}/messages:send", self._send)

    def _send(self, request: Recorded, _m: object) -> Reply:
        auth = request.header("authorization")
        with self._lock:
            self.authorizations.append(auth)
        if not auth or not auth.startswith("Bearer "):
            return fcm_error(401, "UNAUTHENTICATED", "Request is missing required authentication")
        message = (request.json() or {}).get("message") or {}
        token = message.get("token") or message.get("fid")
        if token in self.unregistered:
            return fcm_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
        if token in self.invalid:
            return fcm_error(
                400,
                "INVALID_ARGUMENT",
                "The registration token is not a valid FCM registration token",
                "INVALID_ARGUMENT",
            )
        if token in self.sender_mismatch:
            return fcm_error(403, "PERMISSION_DENIED", "SenderId mismatch", "SENDER_ID_MISMATCH")
        if token in self.unavailable:
            return fcm_error(503, "UNAVAILABLE", "The service is currently unavailable.")
        if token in self.quota_exceeded:
            return fcm_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded",
                "QUOTA_EXCEEDED",
                **{"Retry-After": "7"},
            )
        with self._lock:
            self.accepted.append(message)
            n = next(self._ids)
        return Reply(200, json={"name": f"projects/{self.project_id}/messages/{n}"})
