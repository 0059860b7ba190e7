"""The National Public Service Portal adapter: gateway client, record mapping, inbound pushes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    from api.portal.cli import portal_cli
    from api.portal.routes import blp

    api.register_blueprint(blp)
    app.cli.add_command(portal_cli)
