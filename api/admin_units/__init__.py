"""Administrative units in force since 1 July 2025: 34 provinces and 3,321 communes/wards."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.admin_units import models  # noqa: F401
    from api.admin_units.cli import units_cli
    from api.admin_units.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(units_cli)
