"""Staff accounts: officers (bound to a unit), community technology team members (bound to a
commune) and administrators. Created by an administrator through the API or the CLI."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.staff import models  # noqa: F401
    from api.staff.cli import staff_cli
    from api.staff.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(staff_cli)
