"""SANDBOX - not EMC. A local stand-in for the monitoring system's tracking endpoint, for the
demo (``make run`` points EMC_URL at it) and by hand: ``python -m sandbox.emc_server``.

It accepts the JSON events the EMC adapter posts (POST /TrackingMCDT), keeps them in memory
(one per dossier and Status, as EMC deduplicates), refuses a body without the required fields
with 400 and answers GET /TrackingMCDT/events with what it holds. Every answer carries
``X-Sandbox`` so nobody mistakes it for EMC.
"""

from __future__ import annotations

import argparse
import threading

from flask import Flask, jsonify, request
from werkzeug.serving import make_server

BANNER = "SANDBOX - not EMC"
PATH = "/TrackingMCDT"
REQUIRED = ("CodeProfile", "SiteId", "CodeTTHC", "Status", "FormsReception", "Level")


def create_app() -> Flask:
    app = Flask("sandbox_emc")
    events: dict[tuple[str, int], dict] = {}
    lock = threading.Lock()

    @app.post(PATH)
    def track():
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or any(name not in body for name in REQUIRED):
            return jsonify({"success": False, "message": "missing fields"}), 400
        with lock:
            events[(str(body["CodeProfile"]), int(body["Status"]))] = body
        return jsonify({"success": True, "message": BANNER})

    @app.get(PATH + "/events")
    def listing():
        with lock:
            return jsonify({"count": len(events), "events": list(events.values())})

    @app.after_request
    def mark(response):
        response.headers["X-Sandbox"] = BANNER
        return response

    return app


def serve(host: str = "127.0.0.1", port: int = 0) -> tuple[object, str]:
    """Serve on a background thread; returns (server, tracking URL)."""
    server = make_server(host, port, create_app(), threaded=True)
    threading.Thread(target=server.serve_forever, name="sandbox-emc", daemon=True).start()
    return server, f"http://{host}:{server.server_port}{PATH}"


def main() -> None:
    parser = argparse.ArgumentParser(description=BANNER)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()
    print(f"{BANNER}: set EMC_URL=http://127.0.0.1:{args.port}{PATH}")
    make_server("127.0.0.1", args.port, create_app(), threaded=True).serve_forever()


if __name__ == "__main__":
    main()
