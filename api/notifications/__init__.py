"""Notifications: the in-app inbox, delivery records and operations views."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.notifications import models  # noqa: F401
    from api.notifications.routes import blp, hooks
    from api.notifications.subscriber import register

    register()
    api.register_blueprint(blp)
    api.register_blueprint(hooks)
