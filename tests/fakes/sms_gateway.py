"""A brandname SMS gateway speaking the default (unconfirmed) field names of push.channels.sms.

With ``keep_alive`` (benchmarks.notify, faults) it is served on asyncio (see http_fake) and
answers after ``hold`` without blocking; what arrived is in ``arrived`` and ``by_phone``.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from typing import Any

from .http_fake import FakeService, Recorded, Reply

SEND_PATH = "/sms/send"


class FakeSmsGateway(FakeService):
    def __init__(
        self, api_key: str = "sms-test-key", brandname: str = "DVC-TEST", keep_alive: bool = False
    ) -> None:
        super().__init__(keep_alive)
        self.api_key = api_key
        self.brandname = brandname
        self.sent: list[dict[str, Any]] = []
        # Like a gateway with an idempotency key: the same request_id is accepted once.
        self._by_request: dict[str, str] = {}
        self.duplicates = 0
        self.refused = 0  # wrong api key
        self.arrived: dict[str, float] = {}  # request_id → when it first came (time.time())
        self.by_phone: Counter[str] = Counter()  # distinct messages per recipient
        self._ids = itertools.count(1)
        # Requests in flight, to see what a client sends at once: set ``hold`` to keep each
        # request open that long; the peaks say how many were open together.
        self.hold = 0.0
        self.hold_for: dict[str, float] = {}  # per phone, instead of ``hold``
        self.peak_in_flight = 0
        self.peak_in_flight_per_phone = 0
        self._in_flight: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.server.route("POST", SEND_PATH, self._at_once if keep_alive else self._held)

    @property
    def send_url(self) -> str:
        return self.url + SEND_PATH

    def _held(self, request: Recorded, match: object) -> Reply:
        phone = str((request.json() or {}).get("phone"))
        with self._lock:
            self._in_flight[phone] += 1
            self.peak_in_flight = max(self.peak_in_flight, sum(self._in_flight.values()))
            self.peak_in_flight_per_phone = max(
                self.peak_in_flight_per_phone, self._in_flight[phone]
            )
        try:
            time.sleep(self.hold_for.get(phone, self.hold))
            with self._lock:
                return self._send(request, match)
        finally:
            with self._lock:
                self._in_flight[phone] -= 1

    def _at_once(self, request: Recorded, match: object) -> Reply:
        """The keep-alive handler: taken at once, answered after ``hold`` (or ``hold_for``)."""
        with self._lock:
            reply = self._send(request, match)
        reply.delay = self.hold_for.get(str((request.json() or {}).get("phone")), self.hold)
        return reply

    def delivered(self) -> dict[str, float]:
        """When each request_id first came (a copy)."""
        with self._lock:
            return dict(self.arrived)

    def messages_to(self, phones: list[str]) -> list[int]:
        """Distinct messages each of ``phones`` got."""
        with self._lock:
            return [self.by_phone[p] for p in phones]

    def _send(self, request: Recorded, _m: object) -> Reply:
        body = request.json() or {}
        if body.get("api_key") != self.api_key:
            self.refused += 1
            return Reply(401, json={"code": "401", "message": "invalid api key"})
        if body.get("brandname") != self.brandname:
            return Reply(200, json={"code": "BRAND", "message": "brandname not registered"})
        request_id = body.get("request_id")
        if request_id and request_id in self._by_request:
            self.duplicates += 1
            message_id = self._by_request[request_id]
        else:
            self.sent.append(body)
            self.arrived[str(request_id)] = time.time()
            self.by_phone[str(body.get("phone"))] += 1
            message_id = f"gw-{next(self._ids)}"
            if request_id:
                self._by_request[request_id] = message_id
        return Reply(200, json={"code": "0", "message": "ok", "message_id": message_id})

    # scripted behaviours ------------------------------------------------------------------

    def fail(self, times: int, status: int = 503, delay: float = 0.0) -> None:
        reply = Reply(status, json={"code": str(status), "message": "unavailable"}, delay=delay)
        self.server.script("POST", SEND_PATH, *[reply] * times)

    def answer(self, *replies: Reply) -> None:
        self.server.script("POST", SEND_PATH, *replies)

    @staticmethod
    def receipt(reference: str, status: str = "DELIVERED", error_code: str = "") -> dict:
        return {"request_id": reference, "status": status, "error_code": error_code}
