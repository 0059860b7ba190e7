"""User support: FAQ articles and step-by-step guidance, answering questions in the app and
the chats, questions to the agency (with the portal's Q&A), and surveys.

Wiring: ``surveys.on_status_notified`` hears the notification fan-out (a finished dossier
invites to surveys); for other packages ``ask.ask`` and ``questions.ask_agency`` (bots),
``retrieval.retrieve_articles`` (the one seam for article retrieval).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.kernel import events
    from api.support import models, survey_models  # noqa: F401
    from api.support.admin_routes import blp as admin_blp
    from api.support.cli import support_cli
    from api.support.routes import blp
    from api.support.surveys import on_status_notified
    from push.notifications.announcements import STATUS_NOTIFIED

    events.subscribe(STATUS_NOTIFIED, on_status_notified)
    api.register_blueprint(blp)
    api.register_blueprint(admin_blp)
    app.cli.add_command(support_cli)
