"""Dossiers mirrored from the portal: statuses, timeline, views, following and QR checks."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.dossiers import models  # noqa: F401
    from api.dossiers.cli import dossiers_cli
    from api.dossiers.portal_webhook import blp as portal_blp
    from api.dossiers.routes import blp, verify_blp
    from api.dossiers.subscriber import register

    register()
    api.register_blueprint(blp)
    api.register_blueprint(verify_blp)
    api.register_blueprint(portal_blp)
    app.cli.add_command(dossiers_cli)
