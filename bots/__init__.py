"""The Zalo and Telegram bots: one conversation engine (bots.engine), two channel adapters
(bots.zalo, bots.telegram), webhooks that store updates and hand them to rq jobs.

Their periodic jobs (``bots.jobs.PERIODIC``) join the workers' schedule here.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask, api) -> None:  # noqa: ANN001
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.kernel import events
    from api.kernel.jobs import add_periodic
    from bots import jobs, models  # noqa: F401
    from bots.cli import bot_cli
    from bots.engine.identity import languages_of
    from bots.webhooks import blp
    from push.notifications.announcements import CHAT_LANGUAGES

    events.subscribe(CHAT_LANGUAGES, languages_of)  # the fan-out speaks each chat's language
    api.register_blueprint(blp)
    app.cli.add_command(bot_cli)
    add_periodic(app, jobs.PERIODIC)
    if app.extensions["settings"].sandbox:
        from bots.sandbox import register_chat_page

        register_chat_page(app)
