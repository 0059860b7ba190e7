"""Staff sessions for the console: the same password sign-in (rules, lockout, audit) as
``POST /auth/staff/login``, kept as the server-side session's id in a signed cookie, so signing
out, a suspension or a password reset ends it at once. Plus the CSRF token and the language.
"""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Blueprint, abort, g, redirect, request, session, url_for

from api.audit.service import Origin
from api.auth import service as auth_service
from api.auth.guard import Principal, principal_of_session
from api.auth.models import STAFF_ROLES
from api.auth.tokens import decode_access_token
from api.kernel.errors import ApiError
from api.kernel.i18n import normalise_language

CSRF_FIELD = "csrf_token"


def origin() -> Origin:
    return Origin(
        ip=request.remote_addr or "",
        user_agent=(request.user_agent.string or "")[:200],
        channel="console",
    )


def language() -> str:
    return normalise_language(session.get("lang"))


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Every POST carries the session's token (a form field, or a header from htmx), and
    comes from our own pages when the browser says where it comes from."""
    sent = request.form.get(CSRF_FIELD) or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    source = request.headers.get("Origin")
    if source and source != "null" and urlsplit(source).netloc != request.host:
        abort(400)
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400)


def sign_in(username: str, password: str) -> Principal:
    tokens = auth_service.sign_in_staff(username, password, origin())
    claims = decode_access_token(tokens.access_token)
    lang = session.get("lang")
    session.clear()  # a new session id and CSRF token after sign-in (no fixation)
    session.permanent = True
    session["sid"] = claims["sid"]
    session["lang"] = lang or "vi"
    csrf_token()
    return principal_of_session(claims["sid"])


def sign_out() -> None:
    principal = current()
    if principal is not None:
        auth_service.logout(principal, False, origin())
    lang = session.get("lang")
    session.clear()
    session["lang"] = lang or "vi"


def current() -> Principal | None:
    """The signed-in staff member, or None (no cookie, or the session has ended)."""
    if "console_principal" in g:
        return g.console_principal
    principal = None
    sid = session.get("sid")
    if sid:
        try:
            principal = principal_of_session(sid)
        except ApiError:
            session.pop("sid", None)
        if principal is not None and principal.role not in STAFF_ROLES:
            principal = None
    g.console_principal = principal
    return principal


def safe_next(target: str | None) -> str:
    """Only our own console paths (no open redirect)."""
    target = target or ""
    if target.startswith("/console") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("console.home")


def staff_page(section=None) -> Callable:  # noqa: ANN001
    """Require a signed-in staff member (allowed in ``section``, if given)."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            principal = current()
            if principal is None:
                return redirect(url_for("console.login"), 303)
            if section is not None and not section.allows(principal):
                raise ApiError(403, "role_required")
            return view(principal, *args, **kwargs)

        return wrapper

    return decorator


class SectionPages:
    """Pages of a section written in a second module. They are recorded here and added to the
    section's blueprint by the section's own module, so the two modules do not import each
    other (endpoint names stay those of the section: ``console_inbox.question``)."""

    def __init__(self) -> None:
        self._routes: list[tuple[str, tuple[str, ...], Callable]] = []

    def get(self, rule: str) -> Callable:
        return self._record(rule, ("GET",))

    def post(self, rule: str) -> Callable:
        return self._record(rule, ("POST",))

    def _record(self, rule: str, methods: tuple[str, ...]) -> Callable:
        def record(view: Callable) -> Callable:
            self._routes.append((rule, methods, view))
            return view

        return record

    def attach(self, blp: Blueprint, section) -> None:  # noqa: ANN001
        """Every recorded page on ``blp``, each behind ``staff_page(section)``."""
        for rule, methods, view in self._routes:
            blp.add_url_rule(rule, view_func=staff_page(section)(view), methods=list(methods))
