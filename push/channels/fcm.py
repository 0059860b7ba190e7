"""App push through Firebase Cloud Messaging with firebase-admin (integrations.md §5).

Pointing firebase-admin 7.7.0 at a local fake (``fcm_url``): the library has no endpoint
option. ``messaging._MessagingService`` computes ``self._fcm_url`` once, in its constructor,
from the class constant ``FCM_URL``, and ``send_each`` posts one request per token to it (a
thread pool, no batch endpoint). So we create the app's messaging service up front and replace
that instance attribute; the class constant, and so every other app, is untouched. This relies
on private names: ``_point_at`` checks them and fails loudly if an upgrade renames them. With
``fcm_url`` set the app also gets ``StaticTokenCredential``, a ``credentials.Base`` returning a
google.oauth2 credential with a fixed token and no expiry, so google-auth never refreshes it
and no Google OAuth call is made.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import firebase_admin
import google.oauth2.credentials
import requests.adapters
from firebase_admin import credentials as fb_credentials
from firebase_admin import exceptions as fb_exceptions
from firebase_admin import messaging
from urllib3.util.retry import Retry

from .base import Outcome, SendResult, permanent, scrub, technical, temporary
from .protocol import Outgoing, Reach, Rendered

log = logging.getLogger(__name__)

MAX_TOKENS_PER_CALL = 500  # send_each_for_multicast's limit
PAYLOAD_LIMIT = 4096  # bytes of notification + data
PRODUCTION_BASE = "https://fcm.googleapis.com"


class StaticTokenCredential(fb_credentials.Base):
    """A fixed bearer token for a local FCM fake: no Google OAuth round trip, ever."""

    def __init__(self, token: str = "local-fcm-fake-token") -> None:
        self._credential = google.oauth2.credentials.Credentials(token=token)

    def get_credential(self) -> google.oauth2.credentials.Credentials:
        return self._credential


def _credential(credentials: Any, fcm_url: str | None) -> Any:
    if fcm_url:
        return StaticTokenCredential()
    if credentials is None:
        return fb_credentials.ApplicationDefault()
    if isinstance(credentials, str | dict):
        return fb_credentials.Certificate(credentials)  # service-account file or its JSON
    return credentials


class FcmChannel:
    def __init__(
        self,
        project_id: str,
        credentials: Any = None,
        fcm_url: str | None = None,
        *,
        timeout: float = 10.0,
        retries: Retry | None = None,
        app_name: str | None = None,
        target: Literal["token", "fid"] = "token",
    ) -> None:
        """``credentials``: a service-account path or dict, a firebase credential, or None
        (application default). ``retries`` replaces firebase-admin's HTTP retry policy (which
        retries 500/503 four times with backoff) for the FCM endpoint; None keeps it.
        ``target``: what the apps register. firebase-admin 7.7.0 deprecates registration
        tokens ("token", still what the mobile SDKs hand out, and our default: it warns) in
        favour of Firebase Installation IDs ("fid").
        """
        if not project_id:
            raise ValueError("FCM needs a project id")
        if target not in ("token", "fid"):
            raise ValueError("target must be 'token' or 'fid'")
        self.project_id = project_id
        self.target = target
        self.app = firebase_admin.initialize_app(
            _credential(credentials, fcm_url),
            {"projectId": project_id, "httpTimeout": timeout},
            name=app_name or f"dvc-connect-fcm-{uuid.uuid4().hex[:12]}",
        )
        if fcm_url or retries is not None:
            self._point_at((fcm_url or PRODUCTION_BASE).rstrip("/"), retries)

    def _point_at(self, base: str, retries: Retry | None) -> None:
        service = messaging._get_messaging_service(self.app)
        if not hasattr(service, "_fcm_url") or not hasattr(service, "_client"):
            raise RuntimeError("firebase-admin internals changed: cannot redirect FCM")
        service._fcm_url = f"{base}/v1/projects/{self.project_id}/messages:send"
        if retries is not None:
            adapter = requests.adapters.HTTPAdapter(
                pool_connections=100, pool_maxsize=100, max_retries=retries
            )
            service._client.session.mount(base, adapter)

    @property
    def endpoint(self) -> str:
        return messaging._get_messaging_service(self.app)._fcm_url

    def close(self) -> None:
        firebase_admin.delete_app(self.app)

    def send(
        self,
        tokens: Iterable[str],
        title: str,
        body: str,
        data: Mapping[str, Any] | None,
        reference: str,
    ) -> SendResult:
        unique = list(dict.fromkeys(t for t in tokens if t))
        if not unique:
            return permanent("no device tokens", "no_tokens")
        title, body, payload_data = fit_payload(title, body, data, reference)
        notification = messaging.Notification(title=title, body=body)
        accepted: list[str] = []
        invalid: list[str] = []
        temporary_errors: list[Exception] = []
        technical_errors: list[Exception] = []
        for start in range(0, len(unique), MAX_TOKENS_PER_CALL):
            chunk = unique[start : start + MAX_TOKENS_PER_CALL]
            addressing = {"tokens" if self.target == "token" else "fids": chunk}
            message = messaging.MulticastMessage(
                notification=notification, data=payload_data, **addressing
            )
            try:
                batch = messaging.send_each_for_multicast(message, app=self.app)
            except fb_exceptions.FirebaseError as exc:  # the whole call failed
                (temporary_errors if _kind(exc) != "technical" else technical_errors).extend(
                    [exc] * len(chunk)
                )
                continue
            for token, response in zip(chunk, batch.responses, strict=True):
                if response.success:
                    accepted.append(response.message_id)
                    continue
                kind = _kind(response.exception)
                if kind == "invalid":
                    invalid.append(token)
                elif kind == "temporary":
                    temporary_errors.append(response.exception)
                else:
                    technical_errors.append(response.exception)
        result = _aggregate(len(unique), accepted, invalid, temporary_errors, technical_errors)
        if invalid or not result.ok:
            log.warning(
                "fcm send: some tokens failed",
                extra={
                    "reference": reference,
                    "outcome": result.outcome.value,
                    "invalid": len(invalid),
                    "temporary": len(temporary_errors),
                    "technical": len(technical_errors),
                },
            )
        return result


def _kind(exc: Exception | None) -> str:
    if isinstance(exc, messaging.UnregisteredError | messaging.SenderIdMismatchError):
        return "invalid"
    if (
        isinstance(exc, fb_exceptions.InvalidArgumentError)
        and "registration token" in str(exc).lower()
    ):
        return "invalid"
    if isinstance(
        exc,
        fb_exceptions.UnavailableError
        | fb_exceptions.InternalError
        | fb_exceptions.ResourceExhaustedError  # includes QuotaExceededError
        | fb_exceptions.DeadlineExceededError
        | fb_exceptions.UnknownError,
    ):
        return "temporary"
    # ThirdPartyAuthError (APNs), Unauthenticated, PermissionDenied, a bad payload: ours.
    return "technical"


def _retry_after(errors: Sequence[Exception]) -> float | None:
    for exc in errors:
        response = getattr(exc, "http_response", None)
        value = response.headers.get("Retry-After") if response is not None else None
        if value:
            try:
                return float(value)
            except ValueError:
                continue
    return None


def _aggregate(
    total: int,
    accepted: list[str],
    invalid: list[str],
    temporary_errors: list[Exception],
    technical_errors: list[Exception],
) -> SendResult:
    detail = (
        f"{len(accepted)} of {total} accepted, {len(invalid)} invalid, "
        f"{len(temporary_errors)} temporary, {len(technical_errors)} technical"
    )
    if accepted:
        result = SendResult(Outcome.ACCEPTED, provider_message_id=accepted[0], detail=detail)
    elif temporary_errors:
        first = temporary_errors[0]
        result = temporary(
            f"{detail}: {scrub(str(first))}", _code(first), _retry_after(temporary_errors)
        )
    elif technical_errors:
        first = technical_errors[0]
        result = technical(f"{detail}: {scrub(str(first))}", _code(first))
    else:
        result = permanent(detail, "unregistered")
    result.invalid_targets = invalid
    return result


def _code(exc: Exception) -> str:
    code = getattr(exc, "code", None)
    return str(code) if code else type(exc).__name__


def _payload_size(title: str, body: str, data: Mapping[str, str]) -> int:
    doc = {"notification": {"title": title, "body": body}, "data": data}
    return len(json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def fit_payload(
    title: str, body: str, data: Mapping[str, Any] | None, reference: str
) -> tuple[str, str, dict[str, str]]:
    """FCM data values must be strings; our reference rides in data["reference"].

    Over 4 KB, the body is shortened (with "…"); data too large for any body is a bug.
    """
    payload_data = {str(k): str(v) for k, v in (data or {}).items()}
    payload_data["reference"] = reference
    overflow = _payload_size(title, body, payload_data) - PAYLOAD_LIMIT
    while overflow > 0 and body:
        body = body[: max(0, len(body) - overflow - 1)].rstrip() + "…"
        if body == "…":
            body = ""
        overflow = _payload_size(title, body, payload_data) - PAYLOAD_LIMIT
    if overflow > 0:
        raise ValueError("FCM payload over 4 KB even with an empty body")
    return title, body, payload_data


def from_settings(settings: Any) -> FcmChannel | None:
    if not settings.firebase_project_id:
        return None
    return FcmChannel(
        settings.firebase_project_id,
        settings.firebase_credentials or None,
        settings.fcm_url or None,
    )


class AppChannel:
    """Push to the person's app installs (FCM)."""

    name, name_vi, name_en = "app", "Thông báo trên ứng dụng", "App notification"

    def build(self, settings: Any) -> FcmChannel | None:
        return from_settings(settings)

    def address(self, reach: Reach) -> list[str]:
        return reach.device_tokens

    def render(self, message: Rendered) -> tuple[str, str]:
        return message.title, message.body

    def send(self, client: FcmChannel, outgoing: Outgoing) -> tuple[str, SendResult]:
        title, body = self.render(outgoing.message)
        tokens = self.address(outgoing.reach)
        return "", client.send(tokens, title, body, outgoing.data, outgoing.reference)

    def expects_receipt(self, route: str) -> bool:
        return False
