"""A small, fast fake SMS gateway for the notify part, on 127.0.0.1.

It answers like tests/fakes/sms_gateway.py (the default field names of push.channels.sms:
JSON ``{"code": "0", "message": "ok", "message_id": ...}``, 401 for a wrong key, one message
per ``request_id``) and records the wall-clock arrival time of every request_id. HTTP/1.1
with keep-alive on asyncio in one thread: well under a millisecond of CPU a request, so the
provider is never what the benchmark measures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

HOST = "127.0.0.1"
SEND_PATH = "/sms/send"
API_KEY = "bench-sms-key"
BRANDNAME = "DVC-BENCH"


@dataclass
class Arrivals:
    """First arrival time (time.time()) per request_id, and what else came."""

    first: dict[str, float] = field(default_factory=dict)
    by_phone: Counter = field(default_factory=Counter)  # distinct messages per recipient
    duplicates: int = 0
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.first)

    def snapshot(self) -> dict[str, float]:
        with self.lock:
            return dict(self.first)


class FakeSms:
    """``with FakeSms() as sms: ... sms.send_url ... sms.arrivals``."""

    def __init__(self) -> None:
        self.arrivals = Arrivals()
        self.latency = 0.0  # seconds before each answer, as a real gateway takes
        self.port = 0
        self._ids = itertools.count(1)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def send_url(self) -> str:
        return f"http://{HOST}:{self.port}{SEND_PATH}"

    def __enter__(self) -> FakeSms:
        self._thread = threading.Thread(target=self._serve, name="fake-sms", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("fake SMS gateway did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        if self._thread is not None:
            self._thread.join(5)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.get_running_loop().stop()

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._server = loop.run_until_complete(asyncio.start_server(self._client, HOST, 0))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for _ in range(1_000_000):  # bounded: one keep-alive connection's requests
                head = await reader.readuntil(b"\r\n\r\n")
                arrived = time.time()
                request_line, _, rest = head.decode("latin-1").partition("\r\n")
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (line.partition(":") for line in rest.split("\r\n") if line)
                }
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                status, reply = self._answer(request_line, body, arrived)
                if self.latency:
                    await asyncio.sleep(self.latency)  # a provider's think time, no CPU
                payload = json.dumps(reply).encode()
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            asyncio.CancelledError,  # shutting down
            ConnectionError,
        ):
            pass
        finally:
            writer.close()

    def _answer(self, request_line: str, body: bytes, arrived: float) -> tuple[int, dict]:
        method, path = (request_line.split(" ") + ["", ""])[:2]
        if method != "POST" or path != SEND_PATH:
            return 404, {"code": "404", "message": "no such route"}
        try:
            data = json.loads(body or b"null") or {}
        except ValueError:
            data = {}
        if data.get("api_key") != API_KEY or data.get("brandname") != BRANDNAME:
            with self.arrivals.lock:
                self.arrivals.refused += 1
            return 401, {"code": "401", "message": "invalid api key"}
        request_id = str(data.get("request_id") or "")
        with self.arrivals.lock:
            if request_id in self.arrivals.first:
                self.arrivals.duplicates += 1
            else:
                self.arrivals.first[request_id] = arrived
                self.arrivals.by_phone[str(data.get("phone"))] += 1
        return 200, {"code": "0", "message": "ok", "message_id": f"gw-{next(self._ids)}"}
