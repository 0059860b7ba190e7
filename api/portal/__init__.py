"""The National Public Service Portal adapter: gateway client, record mapping, push signatures.

The domains own what they do with the portal: the catalog refresh (api.catalog.portal_refresh)
and the inbound pushes (api.dossiers.portal_webhook)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.portal.cli import portal_cli

    app.cli.add_command(portal_cli)
