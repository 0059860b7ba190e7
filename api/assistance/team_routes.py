"""Teams for commune and province admins: set up teams, add, suspend and retire members,
record cross-commune exceptions, and see each team's activity."""

from __future__ import annotations

from flask.views import MethodView

from api.assistance import consent, figures, teams
from api.assistance import schemas as s
from api.assistance.consent import PersonRef
from api.assistance.models import Team
from api.assistance.views import TeamView
from api.audit.origin import request_origin
from api.auth.guard import current_principal, role
from api.auth.models import ROLE_ADMIN
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema

blp = Blueprint(
    "assistance_teams",
    __name__,
    url_prefix="/api/v1/admin/assistance",
    description="Community digital technology teams (admins)",
)
ADMINS = (ROLE_ADMIN,)


def _with_members(team: Team) -> TeamView:
    return TeamView(
        team,
        member_list=[
            {"staff_id": account.public_id, "name": account.full_name, "status": member.status}
            for member, account in teams.members(team)
        ],
    )


@blp.route("/teams")
class Teams(MethodView):
    @blp.access(role(*ADMINS))
    @blp.paged(s.TeamListArgs, s.TeamPageSchema)
    def get(self, args):
        """Teams, by commune and village."""
        page = Page(args["page"], args["page_size"])
        items, total = teams.list_teams(current_principal(), args.get("commune_code"), page)
        return page_envelope([_with_members(t) for t in items], total, page)

    @blp.access(role(*ADMINS))
    @blp.arguments(s.TeamSchema)
    @blp.response(201, s.TeamSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="The village has a team")
    def post(self, body):
        """A team set up by the commune chairman's decision (number and date)."""
        return _with_members(
            teams.create_team(current_principal(), **body, origin=request_origin())
        )


@blp.route("/teams/<string:team_id>")
class TeamDetail(MethodView):
    @blp.access(role(*ADMINS))
    @blp.response(200, s.TeamSchema)
    def get(self, team_id: str):
        """One team and its members (a commune admin sees their own commune's only)."""
        return _with_members(teams.team_for_admin(current_principal(), team_id))


@blp.route("/teams/<string:team_id>/members")
class Members(MethodView):
    @blp.access(role(*ADMINS))
    @blp.arguments(s.MemberAddSchema)
    @blp.response(201, s.TeamSchema)
    def post(self, body, team_id: str):
        """Add a community-role staff account of the team's commune."""
        teams.add_member(current_principal(), team_id, body["staff_id"], request_origin())
        return _with_members(teams.get_team(team_id))


@blp.route("/teams/<string:team_id>/members/<string:staff_id>")
class Member(MethodView):
    @blp.access(role(*ADMINS))
    @blp.arguments(s.MemberStatusSchema)
    @blp.response(200, s.TeamSchema)
    def patch(self, body, team_id: str, staff_id: str):
        """Suspend, reinstate or retire a member; their open grants end when they stop."""
        teams.set_member_status(
            current_principal(), team_id, staff_id, body["status"], request_origin()
        )
        return _with_members(teams.get_team(team_id))


@blp.route("/teams/<string:team_id>/activity")
class Activity(MethodView):
    @blp.access(role(*ADMINS))
    @blp.arguments(s.ActivityArgs, location="query")
    @blp.response(200, s.ActivitySchema)
    def get(self, args, team_id: str):
        """Residents helped, sessions, consents refused, reads and writes per member, and
        unusual patterns, over Vietnam days ``from``–``to`` (default the last 30)."""
        return figures.team_activity(
            current_principal(), team_id, args["date_from"], args["date_to"]
        )


@blp.route("/exceptions")
class Exceptions(MethodView):
    @blp.access(role(*ADMINS))
    @blp.arguments(s.ExceptionSchema)
    @blp.response(201, s.ExceptionCreatedSchema)
    def post(self, body):
        """Let one helper help one resident of another commune for a few days (audited)."""
        resident = consent.find_person(
            PersonRef(body["resident"].get("personal_id"), body["resident"].get("phone"))
        )
        return teams.grant_exception(
            current_principal(),
            body["helper_id"],
            resident,
            body["reason"],
            body["days"],
            request_origin(),
        )
