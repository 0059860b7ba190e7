"""The dvc-connect API: ``create_app()`` builds the Flask app from settings."""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, g, request

from api.kernel import unit_of_work
from api.kernel.database import connect_redis, db, migrate
from api.kernel.errors import register_error_handlers
from api.kernel.ids import DatabaseIdConverter
from api.kernel.logs import configure_logging, request_id_var
from api.kernel.settings import Settings
from api.kernel.web.docs_assets import register_docs_assets
from api.kernel.web.input_guard import init_input_guard
from api.kernel.web.openapi import OPENAPI_CONFIG, DvcApi
from api.metrics import init_metrics

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
access_log = logging.getLogger("api.access")


def create_app(settings: Settings | None = None, **overrides: object) -> Flask:
    settings = settings or Settings.from_env(**overrides)
    configure_logging(settings.log_level)

    app = Flask(__name__)
    app.url_map.converters["int"] = DatabaseIdConverter
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        **OPENAPI_CONFIG,
    )
    if settings.trusted_proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["settings"] = settings
    app.extensions["redis"] = connect_redis(settings.redis_url)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()))
    api = DvcApi(app)
    register_docs_assets(app)
    api.register_converter(DatabaseIdConverter, DatabaseIdConverter.parameter_schema)
    register_error_handlers(app)
    _init_request_context(app)
    unit_of_work.init_app(app)  # after the request context: runs before its logging hook
    init_input_guard(app)
    init_metrics(app)
    _register_domains(app, api)
    return app


def _engine_options(settings: Settings) -> dict:
    # hide_parameters: an error's text (logged) never holds applicants' names, emails or
    # summaries from the statement's values.
    if settings.is_sqlite:
        return {
            "connect_args": {"check_same_thread": False, "timeout": 15},
            "hide_parameters": True,
        }
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10, "hide_parameters": True}


def _migrations_dir():
    from pathlib import Path

    return Path(__file__).resolve().parent.parent / "migrations"


def _register_domains(app: Flask, api: DvcApi) -> None:
    # Imported here so that models register on db.metadata only once the app exists.
    import bots
    from api import (  # noqa: I001
        admin_units,
        assistance,
        auth,
        catalog,
        console,
        dossiers,
        health,
        me,
        messaging,
        portal,
        profile,
        quality,
        rating,
        staff,
        support,
    )
    from push import notifications
    from sandbox import seed as demo_seed

    health.init_app(app, api)
    catalog.init_app(app, api)
    admin_units.init_app(app, api)
    auth.init_app(app, api)
    me.init_app(app, api)  # /me composes several domains: an interface, above them
    staff.init_app(app, api)
    profile.init_app(app, api)
    dossiers.init_app(app, api)
    portal.init_app(app, api)
    notifications.init_app(app, api)
    # messaging, rating, support: the order their additions to a status change reach a citizen
    # (supplement thread, rating invitation, survey), as they subscribe to the fan-out.
    messaging.init_app(app, api)
    rating.init_app(app, api)
    assistance.init_app(app, api)
    support.init_app(app, api)
    bots.init_app(app, api)
    quality.init_app(app, api)
    console.init_app(app, api)
    demo_seed.init_app(app)  # the demo's seed-demo commands, into the groups registered above


def _init_request_context(app: Flask) -> None:
    @app.before_request
    def _bind_request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        g.request_started = time.perf_counter()
        request_id_var.set(g.request_id)

    @app.after_request
    def _log_and_tag(response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        started = g.get("request_started")
        if started is not None and request.path != "/metrics":
            access_log.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
        return response

    @app.teardown_request
    def _clear_request_id(_exc):
        request_id_var.set("")
