"""Community team members: start a help session for a resident (the consent code goes to the
phone on the resident's record), type the code the resident reads out, see the session and end
it, and the residents they helped. The same services as ``/api/v1/assistance/...``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from api.assistance import consent, grants, lists
from api.assistance.consent import PersonRef
from api.assistance.models import ACTIVE, PENDING, Grant
from api.assistance.rules import ALLOWED_ACTIONS, describe, session_max_hours
from api.assistance.texts import STATE_WORDS
from api.auth.guard import Principal
from api.auth.models import ROLE_COMMUNITY, Account
from api.console.forms import int_or_none, page_number
from api.console.sections import Section
from api.console.session import language, origin, staff_page
from api.console.views import api_error_text, t
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page

SECTION = Section(
    "help", "console_help.index", "Giúp người dân", "Help a resident", (ROLE_COMMUNITY,), 12
)
blp = Blueprint("console_help", __name__, url_prefix="/console/help")
PAGE_SIZE = 20


def _names(items: list[Grant]) -> dict[int, str]:
    ids = {g.resident_id for g in items}
    if not ids:
        return {}
    rows = db.session.execute(select(Account.id, Account.full_name).where(Account.id.in_(ids)))
    return {i: name or "" for i, name in rows}


def _state(state: str) -> str:
    vi, en = STATE_WORDS.get(state, (state, state))
    return en if language() == "en" else vi


def _index(principal: Principal, error: str = "", field_errors: dict | None = None, status=200):  # noqa: ANN001, ANN202
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    open_items, _ = lists.for_helper(principal, Page(1, 50))
    helped, total = lists.helped_by(principal, page)
    return render_template(
        "console/help.html",
        open_items=open_items,
        helped=helped,
        names=_names(open_items + helped),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        actions=[(a, describe([a], language())) for a in ALLOWED_ACTIONS],
        max_hours=session_max_hours(),
        state=_state,
        describe=lambda acts: describe(acts, language()),
        error=error,
        field_errors=field_errors or {},
        form=request.form,
    ), status


@blp.get("/")
@staff_page(SECTION)
def index(principal: Principal):
    return _index(principal)


@blp.post("/start")
@staff_page(SECTION)
def start(principal: Principal):
    form = request.form
    who = form.get("who", "")[:20].strip()
    # Twelve digits: the ID number off the card; anything else is taken as a phone on record.
    ref = PersonRef(personal_id=who) if who.isdigit() and len(who) == 12 else PersonRef(phone=who)
    codes = [c for c in form.get("dossiers", "")[:1000].replace(",", " ").split() if c][:20]
    hours = int_or_none(form.get("hours")) or 0
    try:
        if not who:
            raise ApiError(404, "assist_resident_not_found")
        grant, sent_to = consent.request_session(
            principal,
            ref,
            form.getlist("actions")[:10],
            codes,
            form.get("purpose", "")[:500],
            hours,
            origin(),
            "zalo" if form.get("via") == "zalo" else "sms",
        )
    except ApiError as error:
        db.session.rollback()
        text, fields = api_error_text(error)
        return _index(principal, text, fields, error.status)
    flash(t("help_code_sent", to=sent_to))
    return redirect(url_for("console_help.session", grant_id=grant.public_id), 303)


def _session_page(principal: Principal, grant_id: str, error: str = "", status: int = 200):  # noqa: ANN202
    grant = grants.visible_to(principal, grant_id)
    if grant.helper_id != principal.account_id:
        raise ApiError(404, "assist_grant_not_found")
    grants.expire_if_due(grant)  # the request's unit of work commits it
    return render_template(
        "console/help_session.html",
        grant=grant,
        resident=_names([grant]).get(grant.resident_id, ""),
        state=_state(grant.state),
        what=describe(grant.actions or [], language()),
        pending=grant.state == PENDING,
        active=grant.state == ACTIVE,
        error=error,
    ), status


@blp.get("/<string:grant_id>")
@staff_page(SECTION)
def session(principal: Principal, grant_id: str):
    return _session_page(principal, grant_id[:64])


@blp.post("/<string:grant_id>/confirm")
@staff_page(SECTION)
def confirm(principal: Principal, grant_id: str):
    code = "".join(ch for ch in request.form.get("code", "")[:20] if ch.isdigit())
    try:
        consent.confirm_session(principal, grant_id[:64], code, origin())
    except ApiError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        return _session_page(principal, grant_id[:64], api_error_text(error)[0], error.status)
    flash(t("help_started"))
    return redirect(url_for("console_help.session", grant_id=grant_id[:64]), 303)


@blp.post("/<string:grant_id>/end")
@staff_page(SECTION)
def end(principal: Principal, grant_id: str):
    try:
        consent.end_by_helper(principal, grant_id[:64])
    except ApiError as error:
        db.session.rollback()
        if error.status == 404:
            raise
        return _session_page(principal, grant_id[:64], api_error_text(error)[0], error.status)
    flash(t("help_ended"))
    return redirect(url_for("console_help.index"), 303)
