"""Core CLI commands: ``flask serve`` runs the API (and the embedded worker when on the stand-ins)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


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
    if settings.embedded_worker:
        from workers.runner import start_worker_thread

        start_worker_thread(app)
    base = f"http://{host}:{port}"
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
                "  Stop with Ctrl+C.",
                "",
            ]
        )
    )
    app.run(host=host, port=port, threaded=True, use_reloader=False)
