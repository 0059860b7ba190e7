"""The procedure catalog domain: models, import, search and the public look-up routes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.catalog import models  # noqa: F401  (registers tables)
    from api.catalog.cli import catalog_cli, refresh_catalog_command
    from api.catalog.routes import blp
    from api.portal.cli import portal_cli

    api.register_blueprint(blp)
    app.cli.add_command(catalog_cli)
    portal_cli.add_command(refresh_catalog_command)
