"""``flask --app wsgi serve``: the API on Werkzeug, with the embedded worker thread when on the
stand-ins (the `make run` demo). An entry point like ``workers.__main__``: wsgi.py adds it."""

from __future__ import annotations

# The demo is imported only when `flask serve` starts it (SANDBOX=1).
import dataclasses
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from api.kernel.database import db
from api.kernel.unit_of_work import unit_of_work
from workers.tasks.runner import start_worker_thread


@click.command("serve")
@click.option("--host", default=None, help="Defaults to HOST or 127.0.0.1")
@click.option("--port", default=None, type=int, help="Defaults to PORT or 8000")
@with_appcontext
def serve_command(host: str | None, port: int | None) -> None:
    """Start the API; on the embedded default also a worker thread. Prints the URLs."""
    settings = current_app.extensions["settings"]
    host = host or settings.host
    port = port or settings.port
    app = current_app._get_current_object()
    base = f"http://{host}:{port}"
    if not os.environ.get("APP_BASE_URL") and (host, port) != (settings.host, settings.port):
        # --host/--port moved the server: links (QR codes) follow it unless set explicitly.
        settings = dataclasses.replace(settings, app_base_url=base)
        app.extensions["settings"] = settings
    extra_lines: list[str] = []
    if settings.sandbox:
        from sandbox.demo import register_sandbox_pages, start_demo_services

        register_sandbox_pages(app)
        with unit_of_work():  # the demo's own writes, committed before the server starts
            extra_lines = start_demo_services(app, base)
        db.session.remove()
    if settings.embedded_worker:
        start_worker_thread(app)
    mode = (
        "embedded (SQLite, in-process Redis stand-in, worker thread)"
        if settings.embedded
        else ("PostgreSQL/Redis as configured")
    )
    click.echo(
        "\n".join(
            [
                "",
                f"  dvc-connect is running — {mode}",
                f"  API:            {base}/api/v1/procedures?q=dang%20ky%20khai%20sinh",
                f"  API docs:       {base}/docs",
                f"  OpenAPI:        {base}/openapi.json",
                f"  Health / ready: {base}/health  {base}/ready",
                f"  Metrics:        {base}/metrics",
                *(
                    [f"  Try the bot:    {base}/sandbox/chat  (or: make chat)"]
                    if settings.sandbox
                    else []
                ),
                *extra_lines,
                "  Stop with Ctrl+C.",
                "",
            ]
        )
    )
    from werkzeug.serving import run_simple

    # Werkzeug's server is enough for the demo; production runs gunicorn (see README).
    run_simple(host, port, app, threaded=True, use_reloader=False)
