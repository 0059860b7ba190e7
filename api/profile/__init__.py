"""What a citizen sets up for themselves: push devices, chat links, notification preferences."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.profile import models  # noqa: F401
    from api.profile.routes import blp

    api.register_blueprint(blp)
