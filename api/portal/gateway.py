"""The one adapter for the portal's integration gateway (LGSP/NDXP), over ``requests``.

Wire protocol (integrations.md §1): log in once (``{"username","password"}`` → ``session``),
then POST every operation to one endpoint with ``{"session","madonvi","service",...fields}``;
answers carry ``error_code`` (0, "0" or "00" mean success), ``message`` and ``result``.

Failure policy, so callers (workers) can decide what to do:
- connection errors, timeouts and HTTP 5xx are retried with exponential backoff and jitter,
  then raise ``PortalUnavailable`` (retryable);
- an expired session is answered by one new login and one retry of the call;
- HTTP 4xx and business errors are never retried: ``PortalError(retryable=False)``.

Never log the session token, the password or record contents: only service names, attempt
counts and the portal's (masked) messages.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping

import requests

from api.kernel.logs import mask_text
from api.kernel.settings import Settings
from api.kernel.text import fold

log = logging.getLogger(__name__)

SUCCESS_CODES = frozenset({"0", "00"})

# How the gateway says "your session is no longer valid". *Unconfirmed*: no public spec names
# the code or wording, so both are configurable per PortalGateway. Messages are compared
# folded (no diacritics, lower case) as substrings. HTTP 401 on a call always counts too.
SESSION_EXPIRED_CODES: tuple[str, ...] = ("401",)
SESSION_EXPIRED_MESSAGES: tuple[str, ...] = (
    "phien lam viec",
    "phien dang nhap",
    "session",
    "token",
)

# Body keys the gateway itself sets; a caller's field must not silently replace them.
_RESERVED_FIELDS = frozenset({"session", "madonvi", "service"})


class PortalError(Exception):
    """The portal refused or could not serve a request.

    ``code`` is the portal's error_code (a string), or ``http_<status>`` / a short slug for
    failures outside the protocol; ``retryable`` says whether trying later may succeed.
    """

    def __init__(
        self, code: str, message: str, retryable: bool = False, *, http_status: int | None = None
    ) -> None:
        super().__init__(f"portal error {code}: {message}")
        self.code = code
        self.message = message
        self.retryable = retryable
        self.http_status = http_status


class PortalUnavailable(PortalError):
    """Network failure, timeout or HTTP 5xx that outlasted the retries."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__("unavailable", message, True, http_status=http_status)


class PortalGateway:
    """Client of the portal gateway; safe to share between threads (one session token)."""

    def __init__(
        self,
        settings: Settings,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 3,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        session_expired_codes: tuple[str, ...] = SESSION_EXPIRED_CODES,
        session_expired_messages: tuple[str, ...] = SESSION_EXPIRED_MESSAGES,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self._settings = settings
        self._owns_http = session is None
        self._http = session or requests.Session()
        self._sleep = sleep
        self._timeout = (connect_timeout, read_timeout)
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._expired_codes = tuple(str(code) for code in session_expired_codes)
        self._expired_messages = tuple(fold(m) for m in session_expired_messages)
        self._jitter = jitter
        self._token: str | None = None
        self._lock = threading.Lock()
        base = settings.portal_base_url.rstrip("/")
        self._auth_url = base + _path(settings.portal_auth_path)
        self._integration_url = base + _path(settings.portal_integration_path)

    # --- generic call ------------------------------------------------------------------

    def call(self, service: str, **fields: object) -> list[dict]:
        """Run one gateway service and return its ``result`` list (empty when none)."""
        clash = _RESERVED_FIELDS & fields.keys()
        if clash:
            raise ValueError(f"Fields set by the gateway itself: {sorted(clash)}")
        relogged = False
        while True:
            token = self._session_token()
            payload = {
                "session": token,
                "madonvi": self._settings.portal_unit_code,
                "service": service,
                **fields,
            }
            try:
                return _result(service, self._post(self._integration_url, payload, service))
            except PortalError as exc:
                if relogged or not self._means_session_expired(exc):
                    raise
                # Log in again once; a second refusal is a real error, not a loop.
                relogged = True
                log.info("portal session expired, logging in again", extra={"service": service})
                self._drop_session(token)

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    # --- typed helpers -----------------------------------------------------------------

    def lookup_dossier(self, code: str) -> dict | None:
        """The portal's HoSo record for a dossier code, or None when the portal has none."""
        result = self.call("TraCuuHoSo", mahoso=code)
        return result[0] if result else None

    def list_procedures(self) -> list[dict]:
        """All procedures as ``{"MATTHC", "TENTTHC", ...}`` items."""
        return self.call("LayDanhSachTTHC")

    def get_procedure(self, code: str) -> dict | None:
        """One procedure's full LayThuTuc record (see records.procedure_record_from_laythutuc)."""
        result = self.call("LayThuTuc", maTTHC=code)
        return result[0] if result else None

    def push_dossiers(self, records: Iterable[Mapping], updating: bool) -> list[dict]:
        """Create (updating=False) or update dossiers on the portal (DongBoHoSoMC)."""
        data = [dict(record) for record in records]
        if not data:
            return []
        return self.call("DongBoHoSoMC", isUpdating="True" if updating else "False", data=data)

    def push_progress(self, records: Iterable[Mapping]) -> list[dict]:
        """Send processing-progress entries (TienDo) to the portal (CapNhatTienDoHoSoMC)."""
        data = [dict(record) for record in records]
        if not data:
            return []
        return self.call("CapNhatTienDoHoSoMC", data=data)

    # --- session -----------------------------------------------------------------------

    def _session_token(self) -> str:
        # The lock makes concurrent callers share one login instead of racing several.
        with self._lock:
            if self._token is None:
                self._token = self._login()
            return self._token

    def _drop_session(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None

    def _login(self) -> str:
        body = self._post(
            self._auth_url,
            {
                "username": self._settings.portal_username,
                "password": self._settings.portal_password,
            },
            "login",
        )
        code = _code(body.get("error_code"))
        if code not in SUCCESS_CODES:
            raise PortalError(code or "login_failed", _message(body), retryable=False)
        token = body.get("session")
        if not isinstance(token, str) or not token:
            raise PortalError("login_failed", "Login answer carries no session", retryable=False)
        log.info("portal login succeeded")
        return token

    def _means_session_expired(self, exc: PortalError) -> bool:
        if isinstance(exc, PortalUnavailable):
            return False
        if exc.http_status == 401 or exc.code in self._expired_codes:
            return True
        message = fold(exc.message)
        return any(m and m in message for m in self._expired_messages)

    # --- transport ---------------------------------------------------------------------

    def _post(self, url: str, payload: dict, what: str) -> dict:
        if not self._settings.portal_base_url:
            raise PortalError("not_configured", "PORTAL_BASE_URL is not set", retryable=False)
        failure = ""
        status: int | None = None
        for attempt in range(1, self._max_attempts + 1):
            if attempt > 1:
                self._sleep(self._backoff(attempt - 1))
            try:
                response = self._http.post(url, json=payload, timeout=self._timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failure, status = type(exc).__name__, None
                log.warning(
                    "portal %s attempt %d/%d failed: %s", what, attempt, self._max_attempts, failure
                )
                continue
            status = response.status_code
            if status >= 500:
                response.close()
                failure = f"HTTP {status}"
                log.warning(
                    "portal %s attempt %d/%d failed: %s", what, attempt, self._max_attempts, failure
                )
                continue
            if status >= 400:
                raise PortalError(
                    f"http_{status}",
                    mask_text(response.text[:200]),
                    retryable=False,
                    http_status=status,
                )
            try:
                body = response.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                raise PortalError(
                    "invalid_response", f"{what}: answer is not a JSON object", http_status=status
                )
            return body
        raise PortalUnavailable(
            f"{what}: portal unreachable after {self._max_attempts} attempts ({failure})",
            http_status=status,
        )

    def _backoff(self, retry: int) -> float:
        """Exponential delay with "equal jitter": half fixed, half random, capped."""
        delay = min(self._backoff_max, self._backoff_base * 2 ** (retry - 1))
        return delay / 2 + self._jitter() * delay / 2


def _path(path: str) -> str:
    return path if path.startswith("/") else "/" + path


def _code(value: object) -> str:
    if value is None or isinstance(value, bool):
        return ""
    return str(value).strip()


def _message(body: Mapping) -> str:
    return mask_text(str(body.get("message") or ""))[:500]


def _result(service: str, body: Mapping) -> list[dict]:
    code = _code(body.get("error_code"))
    if code not in SUCCESS_CODES:
        raise PortalError(code or "missing_error_code", _message(body), retryable=False)
    result = body.get("result")
    if result is None:
        return []
    if isinstance(result, Mapping):  # a lone object instead of a one-item list
        return [dict(result)]
    if isinstance(result, list):
        return [dict(item) for item in result if isinstance(item, Mapping)]
    raise PortalError("invalid_response", f"{service}: result is not a list")
