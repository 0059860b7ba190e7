"""The officer's side: inbox of the unit's threads, assignment, closing, canned replies.
Replying uses the same ``POST /dossiers/{code}/messages`` as the applicant."""

from __future__ import annotations

from flask.views import MethodView

from api.audit.origin import request_origin
from api.auth.guard import current_principal, role
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.messaging import canned, inbox, schemas

blp = Blueprint(
    "officer_messaging",
    __name__,
    url_prefix="/api/v1/officer",
    description="Officers: the unit's message threads and canned replies",
)
STAFF = (ROLE_OFFICER, ROLE_ADMIN)
FORBIDDEN = "Staff of another unit"


@blp.route("/threads")
class Threads(MethodView):
    @blp.access(role(*STAFF))
    @blp.paged(schemas.InboxArgs, schemas.InboxPageSchema)
    def get(self, args):
        """Threads of the officer's unit (admins: all, or one ``unit``), filtered by unread,
        awaiting reply, overdue (beyond the reply-time target), status and assignment."""
        page = Page(args["page"], args["page_size"])
        filters = inbox.InboxFilter(
            unread=args["unread"],
            awaiting_reply=args["awaiting_reply"],
            overdue=args["overdue"],
            status=None if args["status"] == "all" else args["status"],
            assigned=args.get("assigned"),
            unit=args.get("unit"),
        )
        items, total = inbox.inbox(current_principal(), filters, page)
        return page_envelope(items, total, page)


@blp.route("/threads/<string:code>/assign")
class Assign(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.AssignSchema)
    @blp.response(200, schemas.ThreadSummarySchema)
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown dossier or no thread yet")
    def post(self, body, code: str):
        """Give the thread to a colleague of the handling unit (null: nobody)."""
        return inbox.assign(current_principal(), code, body["assignee_id"], request_origin())


@blp.route("/threads/<string:code>/assignees")
class Assignees(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.AssigneeListSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown dossier or no thread yet")
    def get(self, code: str):
        """The active officers of the handling unit, to whom the thread may be assigned."""
        return {"items": inbox.assignees(current_principal(), code)}


@blp.route("/threads/<string:code>/close")
class Close(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.ThreadSummarySchema)
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown dossier or no thread yet")
    def post(self, code: str):
        """Close the thread (the applicant's next message reopens it)."""
        return inbox.set_closed(current_principal(), code, True, request_origin())


@blp.route("/threads/<string:code>/reopen")
class Reopen(MethodView):
    @blp.access(role(*STAFF))
    @blp.response(200, schemas.ThreadSummarySchema)
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown dossier or no thread yet")
    def post(self, code: str):
        """Reopen a closed thread."""
        return inbox.set_closed(current_principal(), code, False, request_origin())


@blp.route("/canned-replies")
class CannedReplies(MethodView):
    @blp.access(role(*STAFF))
    @blp.paged(schemas.CannedReplyArgs, schemas.CannedReplyPageSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Another unit's replies")
    def get(self, args):
        """The unit's canned replies (admins name the ``unit``)."""
        page = Page(args["page"], args["page_size"])
        items, total = canned.list_replies(current_principal(), args.get("unit"), page)
        return page_envelope(items, total, page)

    @blp.access(role(*STAFF))
    @blp.arguments(schemas.CannedReplySchema)
    @blp.response(201, schemas.CannedReplySchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Another unit's replies")
    def post(self, body):
        """Add a canned reply for the unit."""
        return canned.create_reply(
            current_principal(), body["title"], body["body"], body["unit_code"]
        )


@blp.route("/canned-replies/<string:reply_id>")
class CannedReplyDetail(MethodView):
    @blp.access(role(*STAFF))
    @blp.arguments(schemas.CannedReplyUpdateSchema)
    @blp.response(200, schemas.CannedReplySchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown, or another unit's")
    def patch(self, body, reply_id: str):
        """Change a canned reply's title or text."""
        return canned.update_reply(
            current_principal(), reply_id, body.get("title"), body.get("body")
        )

    @blp.access(role(*STAFF))
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown, or another unit's")
    def delete(self, reply_id: str):
        """Remove a canned reply."""
        canned.delete_reply(current_principal(), reply_id)
