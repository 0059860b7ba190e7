"""The contract every channel adapter answers with, and the HTTP plumbing they share.

A channel never raises for provider trouble: it returns a ``SendResult`` whose ``outcome`` tells
the notification pipeline what to do next (wait for a receipt, retry later, move on to the next
channel, or alert an operator). Exceptions are kept for programming errors.
"""

from __future__ import annotations

import email.utils
import os
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from api.logs import mask_text

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
    """The provider could not be reached or answered garbage; the message is already masked."""


@dataclass
class HttpReply:
    status: int
    body: Any  # parsed JSON, or None when the body is not JSON
    headers: requests.structures.CaseInsensitiveDict

    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("Retry-After"))


def provider_session(url: str, pool_size: int = 16) -> requests.Session:
    """A keep-alive session to one provider, with the environment's proxy and CA bundle read
    once, here. requests otherwise re-reads the whole environment on every request, which cost
    about a fifth of each send's CPU. The pool holds a connection per concurrent sender."""
    session = requests.Session()
    session.proxies.update(requests.utils.get_environ_proxies(url))  # honours NO_PROXY
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        session.verify = bundle
    session.trust_env = False
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def http_call(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    secrets: tuple[str, ...] = (),
    **kwargs: Any,
) -> HttpReply:
    """One HTTP exchange; network errors become ``TransportError`` with secrets scrubbed.

    ``secrets`` are removed from error text because requests puts the URL (and so a Telegram
    token) into its exception messages.
    """
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise TransportError(scrub(f"{type(exc).__name__}: {exc}", secrets)) from None
    try:
        body = response.json() if response.content else None
    except ValueError:
        body = None
    return HttpReply(response.status_code, body, response.headers)


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
    """mask_text plus e-mail addresses, which api.logs does not know about."""
    return mask_text(_EMAIL.sub(lambda m: mask_email(m.group(0)), text))
