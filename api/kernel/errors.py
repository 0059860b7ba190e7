"""The one error format for every 4xx/5xx answer (DESIGN.md §5).

Body: flask-smorest's ``code``, ``status``, ``message`` and ``errors``, plus a stable
machine-readable ``error`` slug. ``message`` is in Vietnamese unless the client asks for English.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify, request
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from api.kernel.i18n import message, normalise_language, translate_errors

log = logging.getLogger("api.kernel.errors")

_SLUG_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    428: "precondition_failed",
    429: "too_many_requests",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """A domain refusal with a slug from the message catalog.

    Services raise it without knowing about HTTP requests; the handler renders it.
    """

    def __init__(
        self,
        status: int,
        slug: str,
        *,
        errors: dict | None = None,
        headers: dict[str, str] | None = None,
        **params: object,
    ) -> None:
        super().__init__(slug)
        self.status = status
        self.slug = slug
        self.errors = errors
        self.headers = headers or {}
        self.params = params


def request_language() -> str:
    """Vietnamese unless the Accept-Language header prefers English."""
    try:
        best = request.accept_languages.best_match(["vi", "en"], default="vi")
    except RuntimeError:  # outside a request (CLI, worker)
        return "vi"
    return normalise_language(best)


def error_body(status: int, slug: str, lang: str, errors: Any = None, **params: object) -> dict:
    body: dict[str, Any] = {
        "code": status,
        "status": _status_name(status),
        "error": slug,
        "message": message(slug, lang, **params),
    }
    if errors:
        body["errors"] = translate_errors(errors, lang)
    return body


def _status_name(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _when_to_retry(seconds: str, lang: str) -> str:
    """ "Please try again in about 3 minutes." from a Retry-After in seconds."""
    wait = int(seconds) if str(seconds).isdigit() else 60
    if wait < 60:
        return message("retry_in_seconds", lang, seconds=max(wait, 1))
    return message("retry_in_minutes", lang, minutes=(wait + 59) // 60)


def _render(status: int, slug: str, errors: Any = None, headers: dict | None = None, **params):
    lang = request_language()
    body = error_body(status, slug, lang, errors, **params)
    if status == 429 and slug == "too_many_requests" and "Retry-After" in (headers or {}):
        # Say when, not only "later": the same time as the Retry-After header.
        body["message"] += " " + _when_to_retry(headers["Retry-After"], lang)
    response = jsonify(body)
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_api_error(error: ApiError):
    return _render(error.status, error.slug, error.errors, error.headers, **error.params)


def handle_http_exception(error: HTTPException):
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    errors = data.get("messages") or data.get("errors")
    headers = dict(data.get("headers") or {})
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    locations = {"json", "query", "form", "files", "headers", "json_or_multipart"}
    # webargs groups errors by location; flatten that level when there is only one (and it
    # names fields: "errors" is always an object, e.g. {"json": ["Invalid JSON body."]}).
    if (
        isinstance(errors, dict)
        and len(errors) == 1
        and set(errors) <= locations
        and isinstance(next(iter(errors.values())), dict)
    ):
        errors = next(iter(errors.values()))
    if isinstance(errors, list | tuple):
        errors = {"_schema": list(errors)}
    slug = data.get("error") or _SLUG_BY_STATUS.get(
        status, "bad_request" if status < 500 else "internal_error"
    )
    if status >= 500:
        log.error("http_error", extra={"status": status})
    return _render(status, slug, errors, headers)


_UNAVAILABLE_SQLSTATES = ("57P01", "57P02", "57P03")  # shut down, crashed, starting up


def database_unavailable(error: Exception) -> bool:
    """The database is away for a moment (a dropped connection, a restart, a fail-over) or
    the embedded SQLite file is held by another writer: worth trying again shortly."""
    orig = getattr(error, "orig", None)
    if "database is locked" in str(orig) or getattr(error, "connection_invalidated", False):
        return True
    if isinstance(error, InterfaceError):
        return True
    # psycopg: no SQLSTATE means the connection itself failed; class 08 is a connection fault.
    sqlstate = getattr(orig, "sqlstate", "none")
    return sqlstate is None or str(sqlstate).startswith("08") or sqlstate in _UNAVAILABLE_SQLSTATES


def handle_database_busy(error: OperationalError | InterfaceError):
    """503 with Retry-After when :func:`database_unavailable`; any other fault is a 500.
    Logged without the statement's values."""
    if not database_unavailable(error):
        return handle_unexpected(error)
    locked = "database is locked" in str(getattr(error, "orig", ""))
    log.warning(
        "database_busy" if locked else "database_unavailable",
        extra={"exception": type(getattr(error, "orig", error)).__name__},
    )
    return _render(503, "service_unavailable", headers={"Retry-After": "2" if locked else "5"})


def handle_data_error(error: DataError):
    """A value the database cannot take slipped past validation (out of range, too long):
    the caller's input, so 422 and a one-line warning, not a 500 and a traceback."""
    log.warning("database_refused_value", extra={"exception": type(error.orig).__name__})
    return _render(422, "validation_failed")


def handle_unexpected(error: Exception):
    log.exception("unhandled_exception", extra={"exception": type(error).__name__})
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, handle_api_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(OperationalError, handle_database_busy)
    app.register_error_handler(InterfaceError, handle_database_busy)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(Exception, handle_unexpected)
