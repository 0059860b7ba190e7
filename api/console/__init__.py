"""The staff console: server-rendered pages under ``/console`` on the same services as the
JSON API (the console only presents), with htmx as a progressive enhancement.

Security: a signed, HttpOnly, SameSite=Lax cookie holding the server-side session's id (Secure
when ``APP_BASE_URL`` is https), a CSRF token on every form, a strict Content-Security-Policy
(scripts and styles from the app only, no inline code), no personal data in URLs.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, request

from api.console import sections

# One line per section: a module of api.console.pages with ``blp`` and ``SECTION``.
PAGES = ("inbox", "helping", "articles", "figures", "staff", "teams", "units", "audit")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
SESSION_HOURS = 12


def init_app(app: Flask, api=None) -> None:  # noqa: ANN001, ARG001
    import importlib

    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.console import views

    settings = app.extensions["settings"]
    app.config.update(
        SESSION_COOKIE_NAME="dvc_console",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.app_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
    )
    app.register_blueprint(views.blp)
    for name in PAGES:
        module = importlib.import_module(f"api.console.pages.{name}")
        sections.register(app, module.SECTION)
        views.handle_errors(module.blp)
        app.register_blueprint(module.blp)
    _guard(app)


def _is_console() -> bool:
    return request.blueprint is not None and request.blueprint.startswith("console")


def _guard(app: Flask) -> None:
    # Imported as the app is composed (docs/architecture.md, "Late imports").
    from api.console.session import check_csrf

    @app.before_request
    def _csrf():
        if _is_console() and request.method not in ("GET", "HEAD", "OPTIONS"):
            check_csrf()

    @app.after_request
    def _headers(response):
        if request.path.startswith("/console"):
            response.headers["Content-Security-Policy"] = CSP
            response.headers["X-Frame-Options"] = "DENY"
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = "same-origin"
            response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
            if not request.path.startswith("/console/static/"):
                response.headers["Cache-Control"] = "no-store"
        return response
