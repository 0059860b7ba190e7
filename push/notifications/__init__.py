"""The notifications domain: the catalog and preferences, planning and fan-out, the inbox,
delivery (state, dispatch, receipts, sweeper) and operations views; channels in push.channels."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from push.notifications import models  # noqa: F401
    from push.notifications.routes import blp, hooks, preferences_blp
    from push.notifications.subscriber import register

    register()
    api.register_blueprint(blp)
    api.register_blueprint(hooks)
    api.register_blueprint(preferences_blp)
