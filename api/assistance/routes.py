"""Assisted use over HTTP: helpers ask consent and act, residents see and stop it, officers
witness consent at the desk. Thin: each route calls one service function."""

from __future__ import annotations

from flask.views import MethodView
from sqlalchemy import select

from api.assistance import consent, desk, grants, lists, usage
from api.assistance import guard as acting
from api.assistance import schemas as s
from api.assistance.consent import PersonRef
from api.assistance.models import Grant
from api.assistance.views import GrantEventView, NamedGrant, UsageView
from api.audit.origin import request_origin
from api.auth.guard import SIGNED_IN, current_principal, role
from api.auth.models import ROLE_ADMIN, ROLE_COMMUNITY, ROLE_OFFICER, Account
from api.kernel.database import db
from api.kernel.pagination import Page, PageArgsSchema, page_envelope
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema

blp = Blueprint(
    "assistance",
    __name__,
    url_prefix="/api/v1",
    description="Assisted use: community teams help residents, with consent, in the open",
)


def _ref(data: dict) -> PersonRef:
    return PersonRef(data.get("personal_id"), data.get("phone"))


def _named(items: list[Grant], code_sent_to: str | None = None) -> list[NamedGrant]:
    """Both people's names on each grant (one query)."""
    ids = {g.helper_id for g in items} | {g.resident_id for g in items}
    names = dict(
        db.session.execute(select(Account.id, Account.full_name).where(Account.id.in_(ids))).all()
        if ids
        else []
    )
    return [
        NamedGrant(
            grant,
            helper_name=names.get(grant.helper_id, ""),
            resident_name=names.get(grant.resident_id, ""),
            code_sent_to=code_sent_to,
        )
        for grant in items
    ]


@blp.route("/assistance/sessions")
class Sessions(MethodView):
    @blp.access(role(ROLE_COMMUNITY))
    @blp.arguments(s.SessionRequestSchema)
    @blp.response(201, s.SessionCreatedSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such resident")
    @blp.alt_response(429, schema=ErrorSchema, description="Too many requests")
    def post(self, body):
        """Ask a resident's consent to help: a code goes to the phone on their record (never
        a number typed here); the resident reads it to the helper, who confirms it."""
        grant, sent_to = consent.request_session(
            current_principal(),
            _ref(body["resident"]),
            body["actions"],
            body["dossiers"],
            body["purpose"],
            body["hours"],
            request_origin(),
            body["via"],
        )
        return _named([grant], code_sent_to=sent_to)[0]


@blp.route("/assistance/grants")
class HelperGrants(MethodView):
    @blp.access(SIGNED_IN)
    @blp.paged(PageArgsSchema, s.GrantPageSchema)
    def get(self, args):
        """The grants under which the caller helps someone (pending and active), paged."""
        page = Page(args["page"], args["page_size"])
        items, total = lists.for_helper(current_principal(), page)
        return page_envelope(_named(items), total, page)


@blp.route("/assistance/grants/<string:grant_id>/confirm")
class Confirm(MethodView):
    @blp.access(role(ROLE_COMMUNITY))
    @blp.arguments(s.CodeSchema)
    @blp.response(200, s.GrantSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Wrong or expired code")
    @blp.alt_response(403, schema=ErrorSchema, description="Too many wrong codes: refused")
    @blp.alt_response(409, schema=ErrorSchema, description="Not pending")
    def post(self, body, grant_id: str):
        """The helper types the code the resident read out; the session starts."""
        return _named(
            [consent.confirm_session(current_principal(), grant_id, body["code"], request_origin())]
        )[0]


@blp.route("/assistance/grants/<string:grant_id>/accept")
class Accept(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(s.CodeSchema)
    @blp.response(200, s.GrantSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Not pending")
    def post(self, body, grant_id: str):
        """The agent named in a mandate accepts it with the code the resident gave them."""
        return _named(
            [consent.accept_mandate(current_principal(), grant_id, body["code"], request_origin())]
        )[0]


@blp.route("/assistance/grants/<string:grant_id>/token")
class Token(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, s.ActingTokenSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Grant not in force")
    def post(self, grant_id: str):
        """An access token to act for the resident (``sub`` the resident, ``act`` the helper);
        use it on /api/v1/assist/…. It stops working the moment the grant ends."""
        grant = grants.by_public_id(grant_id)
        token, seconds = acting.issue_token(grant, current_principal())
        return {"access_token": token, "token_type": "Bearer", "expires_in": seconds}


@blp.route("/assistance/grants/<string:grant_id>/end")
class End(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, s.GrantSchema)
    def post(self, grant_id: str):
        """The helper ends the help."""
        return _named([consent.end_by_helper(current_principal(), grant_id)])[0]


@blp.route("/assistance/grants/<string:grant_id>/history")
class History(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, s.GrantEventSchema(many=True))
    def get(self, grant_id: str):
        """Every change of the grant and who made it (both people see it)."""
        events = grants.history(grants.visible_to(current_principal(), grant_id))
        ids = {e.actor_id for e in events if e.actor_id}
        names = dict(
            db.session.execute(
                select(Account.id, Account.full_name).where(Account.id.in_(ids))
            ).all()
            if ids
            else []
        )
        return [
            GrantEventView(event, by=names.get(event.actor_id, "") if event.actor_id else "")
            for event in events
        ]


@blp.route("/assistance/desk")
class Desk(MethodView):
    @blp.access(role(ROLE_OFFICER, ROLE_ADMIN))
    @blp.arguments(s.DeskSchema)
    @blp.response(201, s.GrantSchema)
    def post(self, body):
        """At the one-stop desk, after checking the ID card: open a session (``hours``) or a
        mandate (``valid_until``) at once; ``legal`` registers a parent or legal representative
        after checking the documents."""
        return _named(
            [
                desk.open_at_desk(
                    current_principal(),
                    personal_id=body["personal_id"],
                    full_name=body["full_name"],
                    commune_code=body["commune_code"],
                    helper_ref=_ref(body["helper"]),
                    actions=body["actions"],
                    dossier_codes=body["dossiers"],
                    hours=body["hours"],
                    valid_until=body["valid_until"],
                    legal=body["legal"],
                    documents=body["documents"],
                    origin=request_origin(),
                )
            ]
        )[0]


# ---- the resident --------------------------------------------------------------------------------


@blp.route("/me/helpers")
class MyHelpers(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, s.GrantSchema(many=True))
    def get(self):
        """«Ai đang giúp tôi?»: who may act for me now, or is waiting for my consent."""
        return _named(lists.for_resident(current_principal()))


@blp.route("/me/helpers/<string:grant_id>/revoke")
class Revoke(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, s.GrantSchema)
    def post(self, grant_id: str):
        """Stop it now (one tap): the helper's next request is refused."""
        return _named([consent.revoke(current_principal(), grant_id)])[0]


@blp.route("/me/helpers/<string:grant_id>/reject")
class Reject(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, s.GrantSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Not pending")
    def post(self, grant_id: str):
        """Say no to a pending request (the resident, or the agent named in a mandate)."""
        return _named([consent.reject(current_principal(), grant_id)])[0]


@blp.route("/me/mandates")
class Mandates(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(s.MandateRequestSchema)
    @blp.response(201, s.MandateCreatedSchema)
    def post(self, body):
        """Ask a relative or carer to act for me until a day (at most a year); give them the
        code, which they enter within 7 days."""
        grant, code = consent.create_mandate(
            current_principal(),
            _ref(body["agent"]),
            body["actions"],
            body["dossiers"],
            body["valid_until"],
            body["purpose"],
            request_origin(),
        )
        return {"grant": _named([grant])[0], "code": code}


@blp.route("/me/usage")
class MyUsage(MethodView):
    @blp.access(SIGNED_IN)
    @blp.paged(PageArgsSchema, s.UsagePageSchema)
    def get(self, args):
        """«Ai đã xem hồ sơ của tôi?»: every read or write made for me, newest first."""
        page = Page(args["page"], args["page_size"])
        items, total = usage.for_resident(current_principal(), page)
        ids = {u.actor_id for u in items}
        names = dict(
            db.session.execute(
                select(Account.id, Account.full_name).where(Account.id.in_(ids))
            ).all()
            if ids
            else []
        )
        grant_ids = {u.grant_id for u in items}
        purposes = dict(
            db.session.execute(select(Grant.id, Grant.purpose).where(Grant.id.in_(grant_ids))).all()
            if grant_ids
            else []
        )
        views = [
            UsageView(
                item, who=names.get(item.actor_id, ""), purpose=purposes.get(item.grant_id, "")
            )
            for item in items
        ]
        return page_envelope(views, total, page)


@blp.route("/me/usage/<int:usage_id>/dispute")
class Dispute(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(s.DisputeSchema)
    @blp.response(200, s.UsageSchema)
    def post(self, body, usage_id: int):
        """ "This was not me / I did not agree": flags the entry for the commune to look at."""
        return usage.dispute(current_principal(), usage_id, body["note"])
