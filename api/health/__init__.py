"""Liveness and readiness: /health answers while the process lives, /ready checks its backends."""

from __future__ import annotations

from flask import Flask

from api.health.routes import blp


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    api.register_blueprint(blp)
