"""``flask portal ...``: the command group for work done against the portal. The domains that use
the portal add their commands to it (the catalog adds ``refresh-catalog``)."""

from __future__ import annotations

from flask.cli import AppGroup

portal_cli = AppGroup("portal", help="National Public Service Portal commands.")
