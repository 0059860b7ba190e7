"""Assisted use: community digital technology teams help residents with consent, in the open."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.assistance import acting_routes, models, routes, team_routes, texts  # noqa: F401

    texts.register()
    api.register_blueprint(routes.blp)
    api.register_blueprint(acting_routes.blp)
    api.register_blueprint(team_routes.blp)
