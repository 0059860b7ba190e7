"""The contract every channel adapter answers with, and the HTTP plumbing they share.

A channel never raises for provider trouble: it returns a ``SendResult`` whose ``outcome`` tells
the notification pipeline what to do next (wait for a receipt, retry later, move on to the next
channel, or alert an operator). Exceptions are kept for programming errors.
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urlsplit

import certifi
import requests
import urllib3

from api.kernel.logs import mask_text

USER_AGENT = "dvc-connect"
# (connect, read) seconds: a slow provider must never hold a worker for long.
DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 15.0)


class Outcome(StrEnum):  # a str Enum: compares and serialises as its value
    ACCEPTED = "accepted"  # provider took it; a delivery receipt may follow
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary_failure"  # retry later (see retry_after)
    PERMANENT_FAILURE = "permanent_failure"  # this address will not work: next channel
    TECHNICAL_FAILURE = "technical_failure"  # our configuration or the provider is broken


@dataclass
class SendResult:
    outcome: Outcome
    provider_message_id: str | None = None
    error_code: str | None = None
    detail: str = ""
    retry_after: float | None = None
    # Addresses the provider says are dead (FCM tokens): the caller removes them.
    invalid_targets: list[str] = field(default_factory=list)
    # The provider may have the message (no answer in time, connection lost after sending):
    # a retry must carry the same reference, to the same provider.
    unknown: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome in (Outcome.ACCEPTED, Outcome.DELIVERED)


def temporary(
    detail: str, error_code: str | None = None, retry_after: float | None = None
) -> SendResult:
    return SendResult(
        Outcome.TEMPORARY_FAILURE, error_code=error_code, detail=detail, retry_after=retry_after
    )


def permanent(detail: str, error_code: str | None = None) -> SendResult:
    return SendResult(Outcome.PERMANENT_FAILURE, error_code=error_code, detail=detail)


def technical(detail: str, error_code: str | None = None) -> SendResult:
    return SendResult(Outcome.TECHNICAL_FAILURE, error_code=error_code, detail=detail)


class TransportError(Exception):
    """The provider could not be reached or answered garbage; the message is already masked.
    ``maybe_sent`` unless the connection itself failed (then the request never left)."""

    def __init__(self, message: str, maybe_sent: bool = True) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


@dataclass
class HttpReply:
    status: int
    body: Any  # parsed JSON, or None when the body is not JSON
    headers: Mapping[str, str]  # case-insensitive

    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("Retry-After"))


class ProviderHttp:
    """Keep-alive HTTP to one provider, straight on urllib3's connection pool.

    The environment's proxy (honouring NO_PROXY) and CA bundle are read once, here: requests
    re-read the whole environment and rebuilt its settings on every call, which was about half
    of a send's CPU at hundreds of messages a second. The pool keeps a connection per
    concurrent sender. No retries or redirects: the pipeline decides what a failure means.
    """

    def __init__(self, url: str, pool_size: int = 100) -> None:
        proxy = requests.utils.get_environ_proxies(url).get(urlsplit(url).scheme)
        options: dict[str, Any] = {
            "num_pools": 4,
            "maxsize": pool_size,
            "retries": False,
            "cert_reqs": "CERT_REQUIRED",
            "ca_certs": os.environ.get("REQUESTS_CA_BUNDLE")
            or os.environ.get("SSL_CERT_FILE")
            or certifi.where(),
        }
        self.pool = (
            urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
        )
        self.proxy = proxy

    def request(
        self,
        method: str,
        url: str,
        *,
        timeout: float | tuple[float, float],
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> urllib3.BaseHTTPResponse:
        sent_headers = {"User-Agent": USER_AGENT, **(headers or {})}
        body = None
        if json is not None:
            body = jsonlib.dumps(json, allow_nan=False).encode()
            sent_headers.setdefault("Content-Type", "application/json")
        elif data is not None:
            body = urlencode(data).encode()
            sent_headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        connect, read = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        return self.pool.request(
            method,
            url,
            body=body,
            headers=sent_headers,
            timeout=urllib3.Timeout(connect=connect, read=read),
            redirect=False,
        )


def http_call(
    http: ProviderHttp,
    method: str,
    url: str,
    *,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    secrets: tuple[str, ...] = (),
    **kwargs: Any,
) -> HttpReply:
    """One HTTP exchange; network errors become ``TransportError`` with secrets scrubbed.

    ``secrets`` are removed from error text because the URL (and so a Telegram token) ends up
    in the exception messages.
    """
    try:
        response = http.request(method, url, timeout=timeout, **kwargs)
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        where = f"{method} {urlsplit(url).path}"
        never_left = isinstance(
            exc, urllib3.exceptions.ConnectTimeoutError | ConnectionRefusedError
        )
        raise TransportError(
            scrub(f"{type(exc).__name__}: {exc} ({where})", secrets), maybe_sent=not never_left
        ) from None
    try:
        body = jsonlib.loads(response.data) if response.data else None
    except ValueError:
        body = None
    return HttpReply(response.status, body, response.headers)


def scrub(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Remove known secrets, then mask phone numbers, tokens and e-mail addresses."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[secret]")
    return mask_log(text)[:500]


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After as seconds (the HTTP-date form is rare from these providers: ignored)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


_EMAIL = re.compile(r"[\w.+-]+@([\w-]+\.)+[\w-]+")


def mask_email(address: str) -> str:
    """ "nguyen.van.a@gmail.com" → "n***@gmail.com": enough to tell records apart in logs."""
    _, addr = email.utils.parseaddr(address)
    local, _, domain = (addr or address).rpartition("@")
    if not local:
        return "***"
    return f"{local[0]}***@{domain}"


def mask_log(text: str) -> str:
    """mask_text plus e-mail addresses, which api.kernel.logs does not know about."""
    return mask_text(_EMAIL.sub(lambda m: mask_email(m.group(0)), text))
