"""``/me``: the signed-in person's page, composed in the web layer from several domains (the
account from identity, unread counts from messaging and notifications). An interface: no
domain imports it."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.me.routes import blp

    api.register_blueprint(blp)
