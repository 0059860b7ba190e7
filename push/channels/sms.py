"""SMS through a Vietnamese brandname gateway (integrations.md §6), with weighted failover.

Brandname SMS goes out without diacritics in GSM-7, so the text is folded to ASCII and kept
within a small number of segments. UNCONFIRMED: there is no standard gateway API; every field
name, success code and receipt shape below is a default to be overridden per gateway
(``SmsFields``), never a fact.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import unicodedata
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from api.kernel import phone as vn_phone
from api.kernel.logs import mask_number
from api.kernel.text import CharTable, strip_marks

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

SINGLE_SEGMENT = 160  # GSM-7 septets in one SMS
MULTI_SEGMENT = 153  # per part once concatenated (the UDH takes 7)
_GSM_EXTENSION = set("^{}\\[~]|")  # cost two septets (escape + char)
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\t": " ",
    "`": "'",  # not in GSM-7 at all
}


@dataclass(frozen=True)
class SmsFields:
    """Wire names of one gateway. UNCONFIRMED defaults: set them from the gateway's contract.

    Dotted names ("data.message_id") reach into nested JSON objects.
    """

    # request
    api_key: str = "api_key"
    api_key_header: str = ""  # when set, the key travels in this header instead of the body
    brandname: str = "brandname"
    phone: str = "phone"
    text: str = "message"
    request_id: str = "request_id"  # our reference: the gateway's idempotency/tracking key
    # response
    status: str = "code"
    success_values: tuple[str, ...] = ("0", "00", "success")
    permanent_values: tuple[str, ...] = ()  # codes meaning "this number will never work"
    temporary_values: tuple[str, ...] = ()
    message_id: str = "message_id"
    description: str = "message"
    # delivery-receipt callback
    receipt_reference: str = "request_id"
    receipt_status: str = "status"
    receipt_delivered_values: tuple[str, ...] = ("delivered", "delivrd", "success")
    receipt_pending_values: tuple[str, ...] = ("pending", "sent", "enroute", "accepted")
    receipt_error: str = "error_code"

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any] | None) -> SmsFields:
        if not overrides:
            return cls()
        known = {f.name for f in fields(cls)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown SMS field names: {sorted(unknown)}")
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in overrides.items()}
        return replace(cls(), **values)


DEFAULT_FIELDS = SmsFields()


def normalise_phone(raw: str) -> str:
    """ "0912345678" | "+84912345678" | "84912345678" → "84912345678" (api.kernel.phone's one form)."""
    msisdn = vn_phone.normalise_phone(raw)
    if msisdn is None:
        raise ValueError("not a Vietnamese mobile number")
    return msisdn


def _gsm_char(ch: str) -> str:
    """One character (marks already stripped) as GSM-7-safe ASCII."""
    out: list[str] = []
    # NFKD folds compatibility forms (fullwidth digits, ligatures) before the ASCII test.
    for c in unicodedata.normalize("NFKD", _PUNCTUATION.get(ch, ch)):
        if c == "\n" or " " <= c <= "~":
            out.append(c)
        elif c != "\r" and unicodedata.category(c) != "Mn":
            out.append("?")
    return "".join(out)


_GSM = CharTable(_gsm_char)


def to_gsm_ascii(text: str) -> str:
    """Vietnamese → printable ASCII (đ → d, marks dropped); anything unmappable becomes "?"."""
    # A name in an SMS keeps its capital Đ → D.
    text = unicodedata.normalize("NFC", text).replace("Đ", "D")
    folded = strip_marks(text).translate(_GSM)
    lines = (" ".join(line.split()) for line in folded.split("\n"))
    return "\n".join(lines).strip()


def septets(text: str) -> int:
    return sum(2 if ch in _GSM_EXTENSION else 1 for ch in text)


def segment_count(text: str) -> int:
    n = septets(text)
    return 1 if n <= SINGLE_SEGMENT else -(-n // MULTI_SEGMENT)


def prepare_text(text: str, max_segments: int = 2) -> tuple[str, int]:
    """Fold to GSM-7-safe ASCII and keep within ``max_segments``, cutting with "..." if over."""
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    ascii_text = to_gsm_ascii(text)
    budget = SINGLE_SEGMENT if max_segments == 1 else MULTI_SEGMENT * max_segments
    if septets(ascii_text) > budget:
        ascii_text = _truncate(ascii_text, budget - 3) + "..."
    return ascii_text, segment_count(ascii_text)


def _truncate(text: str, budget: int) -> str:
    used, cut = 0, 0
    for i, ch in enumerate(text):
        used += 2 if ch in _GSM_EXTENSION else 1
        if used > budget:
            break
        cut = i + 1
    head = text[:cut]
    # End on a word boundary when one is near, so the reader never sees half a word.
    space = head.rfind(" ")
    if cut < len(text) and text[cut] != " " and space >= cut - 20:
        head = head[:space]
    return head.rstrip()


def _dig(body: Any, dotted: str) -> Any:
    for key in dotted.split("."):
        if not isinstance(body, Mapping):
            return None
        body = body.get(key)
    return body


def _norm(value: Any) -> str:
    return str(value).strip().lower()


class SmsGateway:
    """One brandname gateway: a JSON POST to ``url``."""

    def __init__(
        self,
        url: str,
        api_key: str,
        brandname: str,
        field_names: SmsFields | Mapping[str, Any] | None = None,
        session: ProviderHttp | None = None,
        *,
        name: str = "sms",
        max_segments: int = 2,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.brandname = brandname
        self.fields = (
            field_names
            if isinstance(field_names, SmsFields)
            else SmsFields.from_mapping(field_names)
        )
        self.session = session or ProviderHttp(url)
        self.name = name
        self.max_segments = max_segments
        self.timeout = timeout

    def send(self, phone: str, text: str, reference: str) -> SendResult:
        try:
            msisdn = normalise_phone(phone)
        except ValueError:
            return permanent("not a Vietnamese mobile number", "invalid_phone")
        body_text, segments = prepare_text(text, self.max_segments)
        f = self.fields
        payload: dict[str, Any] = {
            f.brandname: self.brandname,
            f.phone: msisdn,
            f.text: body_text,
            f.request_id: reference,
        }
        headers = {}
        if f.api_key_header:
            headers[f.api_key_header] = self.api_key
        else:
            payload[f.api_key] = self.api_key
        try:
            reply = http_call(
                self.session,
                "POST",
                self.url,
                json=payload,
                headers=headers,
                timeout=self.timeout,
                secrets=(self.api_key,),
            )
        except TransportError as exc:
            result = temporary(str(exc), "network")
            result.unknown = exc.maybe_sent
        else:
            result = self._map(reply)
            result.unknown = reply.status in (500, 502, 504)  # may have been taken
        result.detail = f"{self.name}: {result.detail} (segments={segments})".strip()
        if not result.ok:
            log.warning(
                "sms send failed",
                extra={
                    "gateway": self.name,
                    "phone": mask_number(msisdn),
                    "reference": reference,
                    "outcome": result.outcome.value,
                    "error_code": result.error_code,
                },
            )
        return result

    def _map(self, reply: HttpReply) -> SendResult:
        f = self.fields
        code = _dig(reply.body, f.status)
        code_s = None if code is None else _norm(code)
        description = str(_dig(reply.body, f.description) or "")[:200]
        if reply.status == 429:
            return temporary("rate limited", "rate_limited", reply.retry_after())
        if reply.status >= 500:
            return temporary(f"HTTP {reply.status}", f"http_{reply.status}", reply.retry_after())
        if code_s is not None and code_s in map(_norm, f.permanent_values):
            return permanent(description, code_s)
        if code_s is not None and code_s in map(_norm, f.temporary_values):
            return temporary(description, code_s, reply.retry_after())
        if reply.status in (401, 403):
            return technical("gateway refused our credentials", "auth")
        if reply.status >= 400:
            return technical(f"HTTP {reply.status} {description}", code_s or f"http_{reply.status}")
        if code_s is not None and code_s in map(_norm, f.success_values):
            message_id = _dig(reply.body, f.message_id)
            return SendResult(
                Outcome.ACCEPTED,
                provider_message_id=None if message_id is None else str(message_id),
            )
        # A 2xx we cannot read means the gateway's contract changed: an operator must look.
        return technical(f"unexpected response: {description}", code_s or "unexpected_response")

    def parse_receipt(self, payload: Mapping[str, Any]) -> tuple[str, bool, str | None] | None:
        return parse_receipt(payload, self.fields)


def parse_receipt(
    payload: Mapping[str, Any], fields: SmsFields = DEFAULT_FIELDS
) -> tuple[str, bool, str | None] | None:
    """Delivery-receipt callback → (our reference, delivered, error_code).

    None for interim statuses (still pending: no news). ValueError when the payload carries no
    reference (the route answers 400). UNCONFIRMED shape: see ``SmsFields``.
    """
    reference = _dig(payload, fields.receipt_reference)
    if reference in (None, ""):
        raise ValueError("receipt without a reference")
    status = _norm(_dig(payload, fields.receipt_status))
    if status in map(_norm, fields.receipt_pending_values):
        return None
    delivered = status in map(_norm, fields.receipt_delivered_values)
    error = _dig(payload, fields.receipt_error)
    error_code = None if delivered else str(error if error not in (None, "") else status)
    return str(reference), delivered, error_code


class FailoverSms:
    """Two gateways chosen by weight, as GOV.UK Notify switches SMS providers.

    The chosen gateway is tried first; on a temporary or technical failure the other is tried
    once in the same send. Every such failure shifts ``step`` of weight away from the failing
    gateway for ``window`` seconds. The memory is in-process only: each worker learns on its
    own and forgets on restart, which is enough to steer around an outage without shared state.
    An unknown outcome (a read time-out, a reset after sending, 500/502/504) is not failed
    over: the other gateway would send the same SMS again. It is retried later with the same
    reference on the same gateway (remembered per reference in this process), which drops it
    if it already has it.
    """

    REMEMBERED = 10_000  # references of unknown outcomes kept, oldest forgotten first

    def __init__(
        self,
        primary: SmsGateway,
        fallback: SmsGateway,
        primary_weight: float = 0.9,
        *,
        step: float = 0.1,
        window: float = 300.0,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not 0.0 <= primary_weight <= 1.0:
            raise ValueError("primary_weight must be within [0, 1]")
        self.primary = primary
        self.fallback = fallback
        self.primary_weight = primary_weight
        self.step = step
        self.window = window
        self._rng = rng or random.Random()
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[int, deque[float]] = {id(primary): deque(), id(fallback): deque()}
        self._unknown: dict[str, SmsGateway] = {}  # reference → the gateway that may have it

    def _recent(self, gateway: SmsGateway, now: float) -> int:
        times = self._failures[id(gateway)]
        while times and times[0] < now - self.window:
            times.popleft()
        return len(times)

    def current_weight(self) -> float:
        """Probability of trying the primary first, after recent failures moved weight away."""
        with self._lock:
            now = self._clock()
            shift = self.step * (self._recent(self.primary, now) - self._recent(self.fallback, now))
        return min(1.0, max(0.0, self.primary_weight - shift))

    def _record_failure(self, gateway: SmsGateway) -> None:
        with self._lock:
            self._failures[id(gateway)].append(self._clock())

    def send(self, phone: str, text: str, reference: str) -> SendResult:
        first, second = (self.primary, self.fallback)
        with self._lock:
            earlier = self._unknown.pop(reference, None)
        if earlier is not None:
            first, second = earlier, (self.fallback if earlier is self.primary else self.primary)
        elif self._rng.random() >= self.current_weight():
            first, second = second, first
        result = first.send(phone, text, reference)
        if result.unknown:
            self._record_failure(first)
            with self._lock:
                self._unknown[reference] = first
                while len(self._unknown) > self.REMEMBERED:
                    self._unknown.pop(next(iter(self._unknown)))
            return result
        if result.outcome not in (Outcome.TEMPORARY_FAILURE, Outcome.TECHNICAL_FAILURE):
            return result
        self._record_failure(first)
        retry = second.send(phone, text, reference)
        if retry.outcome in (Outcome.TEMPORARY_FAILURE, Outcome.TECHNICAL_FAILURE):
            self._record_failure(second)
        retry.detail = f"{result.detail}; then {retry.detail}"
        return retry


def from_settings(settings: Any) -> SmsGateway | FailoverSms | None:
    """The SMS channel the settings describe; None when SMS_GATEWAY_URL is unset.

    Field-name overrides come from ``settings.extra["sms_fields"]``. The fallback gateway shares
    the key and brandname (the configuration contract has one of each).
    """
    if not settings.sms_gateway_url:
        return None
    fields_map = (settings.extra or {}).get("sms_fields")
    timeout = (DEFAULT_TIMEOUT[0], float(getattr(settings, "sms_timeout_seconds", 0) or 15))
    primary = SmsGateway(
        settings.sms_gateway_url,
        settings.sms_api_key,
        settings.sms_brandname,
        fields_map,
        name="primary",
        timeout=timeout,
    )
    if not settings.sms_gateway_fallback_url:
        return primary
    fallback = SmsGateway(
        settings.sms_gateway_fallback_url,
        settings.sms_api_key,
        settings.sms_brandname,
        fields_map,
        name="fallback",
        timeout=timeout,
    )
    return FailoverSms(primary, fallback)


class SmsChannel:
    name, name_vi, name_en = "sms", "Tin nhắn SMS", "SMS"

    def build(self, settings: Any) -> SmsGateway | FailoverSms | None:
        return from_settings(settings)

    def address(self, reach: Reach) -> str | None:
        return reach.phone

    def render(self, message: Rendered) -> str:
        return message.sms

    def send(self, client: SmsGateway | FailoverSms, outgoing: Outgoing) -> tuple[str, SendResult]:
        to = self.address(outgoing.reach)
        return "", client.send(to, self.render(outgoing.message), outgoing.reference)

    def expects_receipt(self, route: str) -> bool:
        return True  # the gateway's delivery report
