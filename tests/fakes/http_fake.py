"""A tiny threaded HTTP server on 127.0.0.1:0 that records requests and answers from handlers.

Routes map (method, path regex) to a handler; scripted replies queued on a route are served
first, in order, before its handler takes over ("fail twice with 503, then behave").

``FakeHttpServer(keep_alive=True)`` serves HTTP/1.1 with keep-alive on asyncio in one thread
instead of one HTTP/1.0 connection per request on a thread of its own: a fraction of the CPU a
request, for load (benchmarks.notify). Its handlers run on that thread and must not block; a
Reply's ``delay`` does not.

    with FakeHttpServer() as srv:
        srv.route("POST", r"/send", lambda req, m: Reply(json={"ok": True}))
        srv.script("POST", r"/send", Reply(503), Reply(503))
        requests.post(srv.url + "/send", json={...})
        assert srv.requests[-1].json() == {...}
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import responses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> Any:
        return jsonlib.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering ("slow provider")


Handler = Callable[[Recorded, re.Match[str]], Reply]


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    script: deque[Reply] = field(default_factory=deque)


class FakeHttpServer:
    def __init__(self, keep_alive: bool = False) -> None:
        self.requests: list[Recorded] = []
        self.keep_alive = keep_alive
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._address: tuple[str, int] | None = None

    # configuration ---------------------------------------------------------------------

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        with self._lock:
            self._routes.append(_Route(method.upper(), re.compile(pattern), handler))

    def script(self, method: str, pattern: str, *replies: Reply) -> None:
        """Queue replies on an existing route; they are served before its handler."""
        with self._lock:
            for r in self._routes:
                if r.method == method.upper() and r.pattern.pattern == pattern:
                    r.script.extend(replies)
                    return
        raise KeyError(f"no route {method} {pattern}")

    def received(self, pattern: str | None = None) -> list[Recorded]:
        with self._lock:
            items = list(self.requests)
        if pattern is None:
            return items
        return [r for r in items if re.fullmatch(pattern, r.path)]

    # lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None or self._address is not None, "server not started"
        host, port = self._address or self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHttpServer:
        if self.keep_alive:
            return self._start_asyncio()
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers

            def _handle(self) -> None:
                fake._dispatch(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a slow reply must not hold up stop()
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._loop is not None:
            asyncio.run_coroutine_threadsafe(self._close(), self._loop)
            self._thread.join(5)
            self._loop = self._address = None

    def __enter__(self) -> FakeHttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # serving ---------------------------------------------------------------------------

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        headers = {k.lower(): v for k, v in h.headers.items()}
        reply = self._answer(h.command, h.path, headers, h.rfile.read(length) if length else b"")
        if reply.delay:
            time.sleep(reply.delay)
        body, headers = self._encode(reply)
        try:
            h.send_response(reply.status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.end_headers()
            h.wfile.write(body)
        except OSError:  # the client gave up (timeout test): nothing to answer
            pass

    def _answer(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Reply:
        """The request recorded, and the reply of its route (404 without one)."""
        split = urlsplit(target)
        request = Recorded(method, split.path, parse_qs(split.query), headers, body)
        with self._lock:
            self.requests.append(request)
            found = None
            for r in self._routes:
                m = r.pattern.fullmatch(request.path)
                if m and r.method == request.method:
                    found = (r, m, r.script.popleft() if r.script else None)
                    break
        if found is None:
            reply = Reply(404, json={"error": "no such route in fake"})
        else:
            route, match, scripted = found
            try:
                reply = scripted or route.handler(request, match)
            except Exception as exc:  # a broken fake should show up as a 500, not a hang
                reply = Reply(500, json={"error": f"fake handler crashed: {exc!r}"})
        return reply

    @staticmethod
    def _encode(reply: Reply) -> tuple[bytes, dict[str, str]]:
        body = reply.body
        headers = dict(reply.headers)
        if reply.json is not None:
            body = jsonlib.dumps(reply.json, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        headers["Content-Length"] = str(len(body))
        return body, headers

    # keep-alive serving (asyncio) ------------------------------------------------------------

    def _start_asyncio(self) -> FakeHttpServer:
        ready = threading.Event()

        def serve() -> None:
            self._loop = loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
            self._address = server.sockets[0].getsockname()[:2]
            ready.set()
            try:
                loop.run_forever()
            finally:
                server.close()
                loop.close()

        self._thread = threading.Thread(target=serve, name="fake-http", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("fake HTTP server did not start")
        return self

    async def _close(self) -> None:
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        asyncio.get_running_loop().stop()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:  # the requests of one keep-alive connection
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                line, _, rest = head.partition("\r\n")
                method, target = (line.split(" ") + ["", ""])[:2]
                headers = {
                    k.strip().lower(): v.strip()
                    for k, _, v in (h.partition(":") for h in rest.split("\r\n") if h)
                }
                body = await reader.readexactly(int(headers.get("content-length") or 0))
                reply = self._answer(method, target, headers, body)
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                payload, reply_headers = self._encode(reply)
                status = f"HTTP/1.1 {reply.status} {responses.get(reply.status, '')}\r\n"
                lines = "".join(f"{k}: {v}\r\n" for k, v in reply_headers.items())
                writer.write(f"{status}{lines}\r\n".encode("latin-1") + payload)
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            pass
        finally:
            writer.close()


class FakeService:
    """Base for a fake external system served by its own FakeHttpServer."""

    def __init__(self, keep_alive: bool = False) -> None:
        self.server = FakeHttpServer(keep_alive)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def requests(self) -> list[Recorded]:
        return self.server.received()

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
