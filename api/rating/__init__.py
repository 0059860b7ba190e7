"""Satisfaction rating of the service (one per dossier, official indicators as seeded data)
and satisfaction statistics.

Wiring for other packages: ``invitation.invite_to_rate`` (status 9/10) and
``service.record_chat_answers`` (bots' short path).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    from api.portal import outbox  # noqa: F401  (the portal queue's table)
    from api.rating import models  # noqa: F401
    from api.rating.routes import blp

    api.register_blueprint(blp)
