"""The console's frame: sign in and out, the language switch, the home page, error pages,
and what every template can use."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from api.console import session as staff_session
from api.console.sections import visible_to
from api.console.words import action_label, word
from api.kernel.clock import to_local
from api.kernel.errors import ApiError
from api.kernel.i18n import message, translate_errors

blp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


def t(key: str, **params: object) -> str:
    return word(key, staff_session.language(), **params)


def local_time(value) -> str:  # noqa: ANN001
    return to_local(value).strftime("%d/%m/%Y %H:%M") if value else ""


@blp.app_context_processor
def _frame() -> dict:
    if not (request.blueprint or "").startswith("console"):
        return {}
    principal = staff_session.current()
    return {
        "t": t,
        "lang": staff_session.language(),
        "me": principal,
        "nav": visible_to(principal),
        "csrf_token": staff_session.csrf_token,
        "local_time": local_time,
        "action_label": lambda a: action_label(a, staff_session.language()),
        "new_id": lambda: uuid.uuid4().hex,
    }


def api_error_text(error: ApiError) -> tuple[str, dict]:
    """The service's own words for a refusal, in the console's language."""
    lang = staff_session.language()
    errors = translate_errors(error.errors, lang) if error.errors else {}
    return message(error.slug, lang, **error.params), errors


def render_error(error: ApiError):  # noqa: ANN201
    if error.status == 401:
        return redirect(url_for("console.login"), 303)
    text, errors = api_error_text(error)
    return render_template("console/error.html", message=text, errors=errors), error.status


def handle_errors(bp: Blueprint) -> None:
    """Refusals as pages in the console's language (the JSON API keeps its error body)."""
    if getattr(bp, "console_errors", False):  # the module's blueprint, shared by test apps
        return
    bp.console_errors = True
    bp.register_error_handler(ApiError, render_error)
    bp.register_error_handler(400, _bad_request)
    bp.register_error_handler(404, _not_found)


def _bad_request(_error):  # noqa: ANN001, ANN202
    return render_template("console/error.html", message=t("session_expired"), errors={}), 400


def _not_found(_error):  # noqa: ANN001, ANN202
    return render_template(
        "console/error.html", message=message("not_found", staff_session.language()), errors={}
    ), 404


handle_errors(blp)


@blp.get("/")
def home():
    principal = staff_session.current()
    if principal is None:
        return redirect(url_for("console.login"), 303)
    sections = visible_to(principal)
    if sections:
        return redirect(url_for(sections[0].endpoint), 303)
    return render_template("console/home.html")


@blp.get("/account")
def account():
    if staff_session.current() is None:
        return redirect(url_for("console.login"), 303)
    return render_template("console/home.html")


@blp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if staff_session.current() is not None:
            return redirect(url_for("console.home"), 303)
        return render_template("console/login.html")
    username = request.form.get("username", "")[:64]
    password = request.form.get("password", "")[:256]
    try:
        staff_session.sign_in(username, password)
    except ApiError as error:
        text, _ = api_error_text(error)
        status = error.status if error.status in (401, 429) else 400
        return render_template("console/login.html", error=text, username=username), status
    return redirect(url_for("console.home"), 303)


@blp.post("/logout")
def logout():
    staff_session.sign_out()
    flash(t("signed_out"))
    return redirect(url_for("console.login"), 303)


@blp.post("/language")
def language():
    chosen = request.form.get("lang", "")
    if chosen not in ("vi", "en"):
        abort(400)
    from flask import session

    session["lang"] = chosen
    return redirect(staff_session.safe_next(request.form.get("next")), 303)
