"""Commune and province admins: the community technology teams of their area, beside the staff
pages: set up a team, add members, suspend, reinstate or retire them, and each team's activity.
The same services as ``/api/v1/admin/assistance/...``; the API's schemas check the forms."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from api.admin_units.models import Commune
from api.assistance import figures, teams
from api.assistance import schemas as assist_schemas
from api.assistance.models import MEMBER_STATES
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN, ROLE_COMMUNITY
from api.console.forms import checked, page_number
from api.console.pages.staff import area_choices
from api.console.sections import Section
from api.console.session import origin, staff_page
from api.console.views import api_error_text, t
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page
from api.staff import service as staff_service
from api.staff.area import area_of

SECTION = Section(
    "teams", "console_teams.index", "Tổ cộng đồng", "Community teams", (ROLE_ADMIN,), 25
)
blp = Blueprint("console_teams", __name__, url_prefix="/console/teams")
PAGE_SIZE = 25


def _communes(codes: set[int]) -> dict[int, str]:
    if not codes:
        return {}
    rows = db.session.execute(db.select(Commune.code, Commune.name).where(Commune.code.in_(codes)))
    return {code: name for code, name in rows}


@blp.route("/", methods=["GET", "POST"])
@staff_page(SECTION)
def index(principal: Principal):
    error, field_errors, status = "", {}, 200
    form = request.form
    if request.method == "POST":
        try:
            body = checked(
                assist_schemas.TeamSchema(),
                {
                    "commune_code": form.get("commune_code", "")[:9],
                    "village": form.get("village", "")[:200],
                    "decision_number": form.get("decision_number", "")[:64],
                    "decision_date": form.get("decision_date", "")[:10],
                },
            )
            made = teams.create_team(principal, **body, origin=origin())
            flash(t("team_created"))
            return redirect(url_for("console_teams.team", team_id=made.public_id), 303)
        except ApiError as refused:
            db.session.rollback()
            (error, field_errors), status = api_error_text(refused), refused.status
    page = Page(page_number(request.args.get("page")), PAGE_SIZE)
    items, total = teams.list_teams(principal, None, page)
    counts = {team.id: len(teams.members(team)) for team in items}
    return render_template(
        "console/teams.html",
        items=items,
        counts=counts,
        names=_communes({team.commune_code for team in items}),
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        communes=area_choices(principal)["communes"],
        error=error,
        field_errors=field_errors,
        form=form,
    ), status


def _team_page(principal: Principal, team_id: str, error=None, status: int = 200):  # noqa: ANN001, ANN202
    team = teams.team_for_admin(principal, team_id[:32])
    people = teams.members(team)
    present = {account.id for _, account in people}
    candidates, _ = staff_service.list_staff(Page(1, 100), ROLE_COMMUNITY, area_of(principal))
    candidates = [
        a for a in candidates if a.commune_code == team.commune_code and a.id not in present
    ]
    args = {k: request.args[k][:10] for k in ("from", "to") if request.args.get(k)}
    activity, text, fields = None, "", {}
    try:
        chosen = checked(assist_schemas.ActivityArgs(), args)
        activity = figures.team_activity(
            principal, team.public_id, chosen["date_from"], chosen["date_to"]
        )
    except ApiError as refused:
        (text, fields), status = api_error_text(refused), refused.status
    if error is not None:
        text, fields = api_error_text(error)
    return render_template(
        "console/team.html",
        team=team,
        commune=db.session.get(Commune, team.commune_code),
        people=people,
        candidates=candidates,
        activity=activity,
        states=MEMBER_STATES,
        error=text,
        field_errors=fields,
    ), status


@blp.get("/<string:team_id>")
@staff_page(SECTION)
def team(principal: Principal, team_id: str):
    return _team_page(principal, team_id)


@blp.post("/<string:team_id>/members")
@staff_page(SECTION)
def add_member(principal: Principal, team_id: str):
    try:
        teams.add_member(principal, team_id[:32], request.form.get("staff_id", "")[:32], origin())
    except ApiError as refused:
        db.session.rollback()
        if refused.status in (403, 404):
            raise
        return _team_page(principal, team_id, refused, refused.status)
    flash(t("team_member_added"))
    return redirect(url_for("console_teams.team", team_id=team_id[:32]), 303)


@blp.post("/<string:team_id>/members/<string:staff_id>")
@staff_page(SECTION)
def member_status(principal: Principal, team_id: str, staff_id: str):
    status = request.form.get("status", "")[:16]
    try:
        teams.set_member_status(principal, team_id[:32], staff_id[:32], status, origin())
    except ApiError as refused:
        db.session.rollback()
        if refused.status in (403, 404):
            raise
        return _team_page(principal, team_id, refused, refused.status)
    flash(t("team_member_" + status))
    return redirect(url_for("console_teams.team", team_id=team_id[:32]), 303)
