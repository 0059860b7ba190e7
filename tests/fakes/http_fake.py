"""A tiny threaded HTTP server on 127.0.0.1:0 that records requests and answers from handlers.

Routes map (method, path regex) to a handler; scripted replies queued on a route are served
first, in order, before its handler takes over ("fail twice with 503, then behave").

    with FakeHttpServer() as srv:
        srv.route("POST", r"/send", lambda req, m: Reply(json={"ok": True}))
        srv.script("POST", r"/send", Reply(503), Reply(503))
        requests.post(srv.url + "/send", json={...})
        assert srv.requests[-1].json() == {...}
"""

from __future__ import annotations

import json as jsonlib
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
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
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

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
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHttpServer:
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

    def __enter__(self) -> FakeHttpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # serving ---------------------------------------------------------------------------

    def _dispatch(self, h: BaseHTTPRequestHandler) -> None:
        split = urlsplit(h.path)
        length = int(h.headers.get("Content-Length") or 0)
        request = Recorded(
            method=h.command,
            path=split.path,
            query=parse_qs(split.query),
            headers={k.lower(): v for k, v in h.headers.items()},
            body=h.rfile.read(length) if length else b"",
        )
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
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.body
        headers = dict(reply.headers)
        if reply.json is not None:
            body = jsonlib.dumps(reply.json, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        try:
            h.send_response(reply.status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        except OSError:  # the client gave up (timeout test): nothing to answer
            pass


class FakeService:
    """Base for a fake external system served by its own FakeHttpServer."""

    def __init__(self) -> None:
        self.server = FakeHttpServer()

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
