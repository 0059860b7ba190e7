"""Two-way messages between the applicant and the officers handling a dossier: one thread per
dossier, attachments, the officer inbox, canned replies and unit digests.

Wiring: ``system.on_status_notified`` hears the notification fan-out (status 5 opens the
thread); for other packages ``digest.send_unit_digests`` (periodic),
``reading.unread_message_count`` (``/me``).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.kernel import events
    from api.messaging import models  # noqa: F401
    from api.messaging.officer_routes import blp as officer_blp
    from api.messaging.routes import blp
    from api.messaging.system import on_status_notified
    from api.portal import outbox  # noqa: F401  (the portal queue's table)
    from push.notifications.announcements import STATUS_NOTIFIED

    events.subscribe(STATUS_NOTIFIED, on_status_notified)
    api.register_blueprint(blp)
    api.register_blueprint(officer_blp)
