"""Service-quality figures: per-dossier facts, the Decision 766 indicators as versioned data,
immutable weekly and monthly snapshots with the dossiers behind each figure, the public monthly
report, and the events for the national monitoring system (EMC).

Wiring: facts and EMC events react to dossier changes through api.dossiers.status_hooks.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.quality import models, texts  # noqa: F401
    from api.quality.cli import quality_cli
    from api.quality.routes import blp, public_pages
    from api.quality.subscriber import register

    register()
    api.register_blueprint(blp)
    app.register_blueprint(public_pages)
    app.cli.add_command(quality_cli)
