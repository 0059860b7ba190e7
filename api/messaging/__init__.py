"""Two-way messages between the applicant and the officers handling a dossier: one thread per
dossier, attachments, the officer inbox, canned replies and unit digests.

Wiring for other packages: ``system.open_supplement_thread`` (status 5),
``digest.send_unit_digests`` (periodic), ``reading.unread_message_count`` (``/me``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    from api.messaging import models  # noqa: F401
    from api.messaging.officer_routes import blp as officer_blp
    from api.messaging.routes import blp
    from api.portal import outbox  # noqa: F401  (the portal queue's table)

    api.register_blueprint(blp)
    api.register_blueprint(officer_blp)
