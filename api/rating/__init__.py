"""Satisfaction rating of the service (one per dossier, official indicators as seeded data)
and satisfaction statistics.

Wiring: ``invitation.on_status_notified`` hears the notification fan-out (status 9/10 invites
to rate); for other packages ``service.record_chat_answers`` (bots' short path).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.kernel import events
    from api.portal import outbox  # noqa: F401  (the portal queue's table)
    from api.rating import models  # noqa: F401
    from api.rating.invitation import on_status_notified
    from api.rating.routes import blp
    from push.notifications.announcements import STATUS_NOTIFIED

    events.subscribe(STATUS_NOTIFIED, on_status_notified)
    api.register_blueprint(blp)
