"""Serving the portal simulator on 127.0.0.1: a background-thread server that can stop and
resume listening (to play an outage), and ``python -m sandbox.portal_server`` for the demo."""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

import requests
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from sandbox.portal_simulator import BANNER, PortalSimulator

# --- serving -------------------------------------------------------------------------------


class _Handler(WSGIRequestHandler):
    # HTTP/1.0, so no keep-alive: "refuse" mode must not be outlived by pooled connections.
    protocol_version = "HTTP/1.0"


class _QuietHandler(_Handler):
    # Access lines would print dossier codes; tests don't need them.
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class SimulatorServer:
    """A simulator served on a background thread; can stop and resume listening on its port."""

    def __init__(self, simulator: PortalSimulator, host: str, port: int, quiet: bool = True):
        self.simulator = simulator
        self.host = host
        self._handler = _QuietHandler if quiet else _Handler
        self._lock = threading.Lock()
        self._server: BaseWSGIServer | None = None
        self._start(port)
        self.port = self._server.server_port  # type: ignore[union-attr]
        self.base_url = f"http://{host}:{self.port}"
        simulator._server = self

    def _start(self, port: int) -> None:
        server = make_server(
            self.host, port, self.simulator, threaded=True, request_handler=self._handler
        )
        # A short poll interval keeps shutdown (and "refuse" mode) quick in tests.
        threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        self._server = server

    def stop_listening(self) -> None:
        """Close the listening socket: new connections are refused until resume_listening()."""
        with self._lock:
            if self._server is not None:
                self._server.shutdown()
                self._server.server_close()
                self._server = None

    def resume_listening(self) -> None:
        with self._lock:
            if self._server is None:
                self._start(self.port)

    def shutdown(self) -> None:
        self.stop_listening()
        self.simulator._server = None

    def __enter__(self) -> SimulatorServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()


def serve(
    host: str = "127.0.0.1",
    port: int = 0,
    simulator: PortalSimulator | None = None,
    **options: Any,
) -> tuple[SimulatorServer, str]:
    """Run a simulator (a new one built from ``options`` unless given) in a background thread.
    Stop it with ``server.shutdown()``."""
    server = SimulatorServer(simulator or PortalSimulator(**options), host, port)
    return server, server.base_url


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=f"{BANNER}: local portal gateway simulator.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--username", default="dvc-connect")
    parser.add_argument("--password", default="sandbox-password")
    parser.add_argument("--unit-code", default="000.00.15.H12")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--dossiers", type=int, default=60)
    parser.add_argument("--session-ttl", type=float, default=1800.0, help="seconds")
    parser.add_argument(
        "--advance-every", type=float, default=0.0, help="seconds between advance() (0: never)"
    )
    parser.add_argument("--push-dossiers-url", default="", help="push changed dossiers here")
    parser.add_argument("--push-progress-url", default="", help="push new progress here")
    parser.add_argument("--push-secret", default="", help="PORTAL_PUSH_SECRET of the app")
    args = parser.parse_args(argv)
    simulator = PortalSimulator(
        username=args.username,
        password=args.password,
        unit_code=args.unit_code,
        seed=args.seed,
        dossier_count=args.dossiers,
        session_ttl=args.session_ttl,
    )
    server = SimulatorServer(simulator, args.host, args.port, quiet=False)
    print(f"{BANNER}\n  PORTAL_BASE_URL={server.base_url}")
    print(f"  PORTAL_USERNAME={args.username}\n  PORTAL_PASSWORD={args.password}")
    print(f"  PORTAL_UNIT_CODE={args.unit_code}")
    print("  sample dossiers:", ", ".join(simulator.dossier_codes()[:5]))
    print(
        f"  state: GET {server.base_url}/_sim/state  advance: POST {server.base_url}/_sim/advance"
    )
    try:
        while True:
            if args.advance_every <= 0:
                threading.Event().wait()
            time.sleep(args.advance_every)
            changes = simulator.advance()
            print(f"advance: {len(changes)} status changes")
            _push_pending(simulator, args)
    except KeyboardInterrupt:
        server.shutdown()


def _push_pending(simulator: PortalSimulator, args: argparse.Namespace) -> None:
    for kind, url in (("dossiers", args.push_dossiers_url), ("progress", args.push_progress_url)):
        if not url or not args.push_secret:
            continue
        try:
            response = simulator.push_to(url, args.push_secret, kind)
            print(f"push {kind}: HTTP {response.status_code}")
        except requests.RequestException as exc:
            print(f"push {kind} failed: {type(exc).__name__}")


if __name__ == "__main__":
    main()
