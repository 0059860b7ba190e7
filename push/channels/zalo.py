"""Zalo Official Account Open API and ZNS (integrations.md §3).

Tokens: access tokens last about 25 hours and refresh tokens are single-use, so the pair lives
in a shared store with optimistic locking (``TokenStore``). Refresh happens ahead of expiry;
when two workers refresh at once, the loser reloads and uses the winner's token.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from api.kernel.clock import VN_TZ, utcnow

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
from .sms import normalise_phone

log = logging.getLogger(__name__)

# Error codes of the OA message API (integrations.md §3).
TOKEN_INVALID = frozenset({-216, -220, -124})
_TOKEN_INVALID_CODES = frozenset(str(c) for c in TOKEN_INVALID)
PERMANENT_CODES: dict[int, str] = {
    -213: "user is not following the OA",
    -230: "no interaction from the user in 7 days",
    -305: "customer-service reply window (48 h) has passed",
    # ZNS (UNCONFIRMED codes, from Zalo's ZNS error table; override via error_overrides):
    -108: "invalid phone number",
    -118: "no Zalo account for this phone, or it is disabled",
    -119: "this account cannot receive ZNS",
    -139: "the user declined ZNS messages",
}
TEMPORARY_CODES: dict[int, str] = {-32: "rate limited"}
# Quota: TECHNICAL, not TEMPORARY. The OA's daily quota is account-wide; retrying in minutes
# cannot help, and the citizen should not wait until tomorrow, so the pipeline should move to
# the next channel now and an operator should know. retry_after hints at the reset, which we
# take to be midnight in Vietnam (UNCONFIRMED).
QUOTA_CODES = frozenset({-211, -218})
BUTTON_TYPES = frozenset(
    {"oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone", "oa.open.sms"}
)


@dataclass(frozen=True)
class ZaloTokens:
    access_token: str
    refresh_token: str
    expires_at: datetime  # timezone-aware UTC
    version: int


class TokenStore(Protocol):
    def load(self) -> ZaloTokens: ...

    def save(self, new: ZaloTokens, expected_version: int) -> bool:
        """Store ``new`` only if the stored version is still ``expected_version``."""
        ...


class InMemoryTokenStore:
    """TokenStore for tests and the demo; the real one lives in the database."""

    def __init__(self, initial: ZaloTokens) -> None:
        self._tokens = initial
        self._lock = threading.Lock()
        self.saves = 0

    def load(self) -> ZaloTokens:
        with self._lock:
            return self._tokens

    def save(self, new: ZaloTokens, expected_version: int) -> bool:
        with self._lock:
            if self._tokens.version != expected_version:
                return False
            self._tokens = new
            self.saves += 1
            return True


class ZaloAuthError(Exception):
    def __init__(self, detail: str, temporary: bool) -> None:
        super().__init__(detail)
        self.temporary = temporary

    def result(self) -> SendResult:
        if self.temporary:
            return temporary(f"token refresh: {self}", "token_refresh")
        return technical(f"token refresh: {self}", "token_refresh")


@dataclass(frozen=True)
class ZaloReceipt:
    tracking_id: str | None
    msg_id: str | None
    delivered_at: datetime | None


class ZaloClient:
    def __init__(
        self,
        openapi_base: str,
        oauth_base: str,
        zns_base: str,
        app_id: str,
        app_secret: str,
        token_store: TokenStore,
        session: ProviderHttp | None = None,
        *,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
        refresh_ahead: timedelta = timedelta(minutes=5),
        clock: Callable[[], datetime] = utcnow,
        error_overrides: Mapping[int, Outcome] | None = None,
        race_wait: float = 1.0,
    ) -> None:
        self.openapi_base = openapi_base.rstrip("/")
        self.oauth_base = oauth_base.rstrip("/")
        self.zns_base = zns_base.rstrip("/")
        self.app_id = app_id
        self._app_secret = app_secret
        self.store = token_store
        self.session = session or ProviderHttp(self.openapi_base)
        self.timeout = timeout
        self.refresh_ahead = refresh_ahead
        self.clock = clock
        self.error_overrides = dict(error_overrides or {})
        self.race_wait = race_wait  # seconds to wait for a concurrent refresh to be saved
        self._lock = threading.Lock()  # one refresh at a time in this process

    def __repr__(self) -> str:
        return f"ZaloClient(app_id={self.app_id!r})"

    # tokens -------------------------------------------------------------------------------

    def access_token(self) -> str:
        """A valid access token, refreshed first if it expires within ``refresh_ahead``.

        Raises ZaloAuthError when none can be had (``.temporary`` says whether to retry).
        """
        return self._tokens().access_token

    def _tokens(self) -> ZaloTokens:
        tokens = self.store.load()
        if self._due(tokens):
            tokens = self._refresh(tokens, force=False)
        return tokens

    def _due(self, tokens: ZaloTokens) -> bool:
        return tokens.expires_at - self.clock() <= self.refresh_ahead

    def _refresh(self, seen: ZaloTokens, *, force: bool) -> ZaloTokens:
        with self._lock:
            current = self.store.load()
            if current.version != seen.version and (force or not self._due(current)):
                return current  # someone else refreshed while we waited
            try:
                new = self._exchange(current)
            except ZaloAuthError as exc:
                # A refused refresh token is what a concurrent winner leaves behind: give the
                # winner a moment to save its pair.
                latest = self.store.load() if exc.temporary else self._await_winner(current)
                if latest.version != current.version:
                    return latest
                if not force and latest.expires_at > self.clock():
                    log.warning("zalo token refresh failed; current token still valid")
                    return latest
                raise
            if self.store.save(new, expected_version=current.version):
                log.info("zalo access token refreshed", extra={"version": new.version})
                return new
            # Lost the optimistic-lock race: the stored pair is the one that counts.
            log.info("zalo token refresh lost the race; using the winner's token")
            return self.store.load()

    def _await_winner(self, current: ZaloTokens) -> ZaloTokens:
        deadline = time.monotonic() + self.race_wait
        while True:
            latest = self.store.load()
            if latest.version != current.version or time.monotonic() >= deadline:
                return latest
            time.sleep(0.05)

    def _exchange(self, current: ZaloTokens) -> ZaloTokens:
        try:
            reply = http_call(
                self.session,
                "POST",
                f"{self.oauth_base}/v4/oa/access_token",
                headers={"secret_key": self._app_secret},
                data={
                    "app_id": self.app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": current.refresh_token,
                },
                timeout=self.timeout,
                secrets=(self._app_secret, current.refresh_token),
            )
        except TransportError as exc:
            raise ZaloAuthError(str(exc), temporary=True) from None
        body = reply.body if isinstance(reply.body, dict) else {}
        if reply.status >= 500:
            raise ZaloAuthError(f"HTTP {reply.status}", temporary=True)
        try:
            expires_in = float(body["expires_in"])  # Zalo sends it as a string
            access, refresh = str(body["access_token"]), str(body["refresh_token"])
        except (KeyError, TypeError, ValueError):
            error = body.get("error_name") or body.get("error") or f"HTTP {reply.status}"
            raise ZaloAuthError(f"refresh refused: {error}", temporary=False) from None
        return ZaloTokens(
            access_token=access,
            refresh_token=refresh,
            expires_at=self.clock() + timedelta(seconds=expires_in),
            version=current.version + 1,
        )

    # sending ------------------------------------------------------------------------------

    def send_text(self, user_id: str, text: str, reference: str | None = None) -> SendResult:
        """Customer-service message: only inside the 48-hour window after the user wrote."""
        return self.send_message(user_id, {"text": text}, reference)

    def send_message(
        self, user_id: str, message: Mapping[str, Any], reference: str | None = None
    ) -> SendResult:
        """Any customer-service message body (text, template attachment such as
        request_user_info), with token refresh and error mapping as for text."""
        body = {"recipient": {"user_id": user_id}, "message": dict(message)}
        return self._send(f"{self.openapi_base}/v3.0/oa/message/cs", body, reference)

    def send_buttons(
        self,
        user_id: str,
        text: str,
        buttons: Sequence[Mapping[str, Any]],
        reference: str | None = None,
    ) -> SendResult:
        """Text with buttons, each {"title", "type", "payload"}; type is one of BUTTON_TYPES.

        UNCONFIRMED: the text-plus-template-buttons layout is the v2 shape, assumed for v3.
        """
        for button in buttons:
            if button.get("type") not in BUTTON_TYPES or not button.get("title"):
                raise ValueError(f"bad Zalo button: {button!r}")
        message = {
            "text": text,
            "attachment": {"type": "template", "payload": {"buttons": [dict(b) for b in buttons]}},
        }
        return self.send_message(user_id, message, reference)

    def send_zns(
        self,
        phone84: str,
        template_id: str,
        template_data: Mapping[str, Any],
        tracking_id: str,
    ) -> SendResult:
        """Template message to a phone number (no follow needed); tracking_id = our reference."""
        try:
            phone = normalise_phone(phone84)
        except ValueError:
            return permanent("not a Vietnamese mobile number", "invalid_phone")
        body = {
            "phone": phone,
            "template_id": template_id,
            "template_data": dict(template_data),
            "tracking_id": tracking_id,
        }
        return self._send(f"{self.zns_base}/message/template", body, tracking_id)

    def _send(self, url: str, body: dict[str, Any], reference: str | None) -> SendResult:
        try:
            tokens = self._tokens()
            result = self._post(url, body, tokens.access_token)
            if result.error_code in _TOKEN_INVALID_CODES:
                # Revoked or expired early: refresh once and retry once.
                tokens = self._refresh(tokens, force=True)
                result = self._post(url, body, tokens.access_token)
        except ZaloAuthError as exc:
            result = exc.result()
        if not result.ok:
            log.warning(
                "zalo send failed",
                extra={
                    "reference": reference,
                    "outcome": result.outcome.value,
                    "error_code": result.error_code,
                },
            )
        return result

    def _post(self, url: str, body: dict[str, Any], access_token: str) -> SendResult:
        try:
            reply = http_call(
                self.session,
                "POST",
                url,
                json=body,
                headers={"access_token": access_token},
                timeout=self.timeout,
                secrets=(access_token,),
            )
        except TransportError as exc:
            return dataclasses.replace(temporary(str(exc), "network"), unknown=exc.maybe_sent)
        return self._map(reply)

    def _map(self, reply: HttpReply) -> SendResult:
        if reply.status >= 500 or reply.status == 429:
            return temporary(f"HTTP {reply.status}", f"http_{reply.status}", reply.retry_after())
        body = reply.body if isinstance(reply.body, dict) else None
        if body is None or "error" not in body:
            return technical(f"unexpected response (HTTP {reply.status})", "unexpected_response")
        try:
            code = int(body["error"])
        except (TypeError, ValueError):
            return technical(f"unexpected error field {body['error']!r}", "unexpected_response")
        message = str(body.get("message") or "")[:200]
        if code == 0:
            data = body.get("data") or {}
            message_id = data.get("message_id") or data.get("msg_id")
            return SendResult(
                Outcome.ACCEPTED,
                provider_message_id=None if message_id is None else str(message_id),
            )
        error_code = str(code)
        override = self.error_overrides.get(code)
        if override is not None:
            return SendResult(override, error_code=error_code, detail=message)
        if code in TOKEN_INVALID:
            return technical(f"access token invalid: {message}", error_code)
        if code in PERMANENT_CODES:
            return permanent(f"{PERMANENT_CODES[code]}: {message}", error_code)
        if code in TEMPORARY_CODES:
            return temporary(f"{TEMPORARY_CODES[code]}: {message}", error_code)
        if code in QUOTA_CODES:
            result = technical(f"quota exhausted: {message}", error_code)
            result.retry_after = _seconds_to_vn_midnight(self.clock())
            return result
        return technical(message or "Zalo error", error_code)


def _seconds_to_vn_midnight(now: datetime) -> float:
    local = now.astimezone(VN_TZ)
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - local).total_seconds()


def signature(app_id: str, raw_body: bytes, timestamp: str | int, oa_secret_key: str) -> str:
    """hex sha256(app_id + raw_body + timestamp + oa_secret_key).

    UNCONFIRMED: some write-ups use the OA id instead of the app id; callers pass whichever
    the OA is configured with, and this is the one place the formula lives.
    """
    payload = app_id.encode() + raw_body + str(timestamp).encode() + oa_secret_key.encode()
    return hashlib.sha256(payload).hexdigest()


def verify_signature(
    app_id: str, raw_body: bytes, timestamp: str | int, oa_secret_key: str, header_value: str
) -> bool:
    """Check X-ZEvent-Signature ("mac=<hex>") over the raw request bytes, in constant time."""
    if not header_value or not oa_secret_key:
        return False
    value = header_value.strip()
    if not value.lower().startswith("mac="):
        return False
    given = value[4:].strip().lower()
    expected = signature(app_id, raw_body, timestamp, oa_secret_key)
    return hmac.compare_digest(given.encode(), expected.encode())


def parse_received_receipt(event: Mapping[str, Any]) -> ZaloReceipt | None:
    """A ``user_received_message`` webhook → the message's tracking_id / msg_id; else None.

    UNCONFIRMED: tracking_id and delivery_time (ms since epoch) are read from ``message`` and,
    failing that, from the top level.
    """
    if event.get("event_name") != "user_received_message":
        return None
    message = event.get("message") or {}
    tracking_id = message.get("tracking_id") or event.get("tracking_id")
    msg_id = message.get("msg_id") or event.get("msg_id")
    delivered_at = None
    raw_time = message.get("delivery_time") or event.get("timestamp")
    if raw_time:
        try:
            delivered_at = datetime.fromtimestamp(int(raw_time) / 1000, tz=UTC)
        except (TypeError, ValueError, OverflowError):
            delivered_at = None
    return ZaloReceipt(
        tracking_id=None if tracking_id is None else str(tracking_id),
        msg_id=None if msg_id is None else str(msg_id),
        delivered_at=delivered_at,
    )


def initial_tokens(refresh_token: str) -> ZaloTokens:
    """Seed for a store from ZALO_REFRESH_TOKEN: already expired, so the first use refreshes."""
    return ZaloTokens("", refresh_token, datetime.fromtimestamp(0, tz=UTC), 0)


def from_settings(settings: Any, token_store: TokenStore) -> ZaloClient | None:
    if not settings.zalo_app_id:
        return None
    return ZaloClient(
        settings.zalo_openapi_base,
        settings.zalo_oauth_base,
        settings.zalo_zns_base,
        settings.zalo_app_id,
        settings.zalo_app_secret,
        token_store,
    )


class ZaloChannel:
    """A free-form OA message inside the customer-service window, else a ZNS template to the
    phone (``options["zns_templates"]``: event → template id); only ZNS sends a receipt."""

    name, name_vi, name_en = "zalo", "Zalo", "Zalo"

    def __init__(self, token_store: Callable[[str], TokenStore]) -> None:
        self.token_store = token_store  # the refresh-token seed → where the pair is kept

    def build(self, settings: Any) -> ZaloClient | None:
        return from_settings(settings, self.token_store(settings.zalo_refresh_token))

    def address(self, reach: Reach) -> str | None:
        return reach.zalo_user_id or reach.phone  # OA message, or ZNS to the phone

    def render(self, message: Rendered) -> str:
        return message.text

    def send(self, client: ZaloClient, outgoing: Outgoing) -> tuple[str, SendResult]:
        reach = outgoing.reach
        if reach.zalo_in_window(utcnow()):
            result = client.send_text(
                reach.zalo_user_id, self.render(outgoing.message), outgoing.reference
            )
            if result.outcome != Outcome.PERMANENT_FAILURE or not reach.phone:
                return "oa", result
            # Outside the customer-service window after all (-230/-305): a ZNS template instead.
        if not reach.phone:
            return "oa", SendResult(
                Outcome.PERMANENT_FAILURE,
                error_code="no_zalo_route",
                detail="not in the OA window and no phone for ZNS",
            )
        template_id = (outgoing.options.get("zns_templates") or {}).get(outgoing.event)
        if not template_id:
            return "zns", SendResult(
                Outcome.TECHNICAL_FAILURE,
                error_code="zns_template_missing",
                detail=f"no ZNS template configured for {outgoing.event}",
            )
        phone = normalise_phone(reach.phone)
        return "zns", client.send_zns(
            phone, template_id, outgoing.message.zns_params, outgoing.reference
        )

    def expects_receipt(self, route: str) -> bool:
        return route == "zns"


__all__ = [
    "InMemoryTokenStore",
    "TokenStore",
    "ZaloAuthError",
    "ZaloChannel",
    "ZaloClient",
    "ZaloReceipt",
    "ZaloTokens",
    "initial_tokens",
    "parse_received_receipt",
    "signature",
    "verify_signature",
]
