"""Acting for a resident: called with the acting token (``sub`` the resident, ``act`` the
helper). Only what a grant can allow is here; everything else refuses acting tokens."""

from __future__ import annotations

from flask.views import MethodView

from api.assistance import assisted
from api.assistance.guard import ACTING, current_acting
from api.audit.origin import request_origin
from api.dossiers import schemas as dossier_schemas
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import Blueprint
from api.messaging import schemas as message_schemas
from api.messaging.attachments import Upload
from api.rating import schemas as rating_schemas

blp = Blueprint(
    "assist",
    __name__,
    url_prefix="/api/v1/assist",
    description="Acting for a resident under a grant (acting token)",
)


@blp.route("/dossiers")
class Dossiers(MethodView):
    @blp.access(ACTING)
    @blp.paged(dossier_schemas.MyDossiersArgs, dossier_schemas.MyDossierPageSchema)
    def get(self, args):
        """The resident's dossiers (action ``follow``)."""
        page = Page(args["page"], args["page_size"])
        items, total = assisted.list_dossiers(current_acting(), args.get("group"), page)
        return page_envelope(items, total, page)


@blp.route("/dossiers/<string:code>")
class Dossier(MethodView):
    @blp.access(ACTING)
    @blp.response(200, dossier_schemas.DossierSchema)
    def get(self, code: str):
        """One of the resident's dossiers, in full (action ``follow``)."""
        return assisted.view_dossier(current_acting(), code)


@blp.route("/dossiers/<string:code>/messages")
class Messages(MethodView):
    @blp.access(ACTING)
    @blp.arguments(message_schemas.MessageArgs, location="query")
    @blp.response(200, message_schemas.MessagePageSchema)
    def get(self, args, code: str):
        """The dossier's thread (action ``message`` or ``supplement``)."""
        cursor = int(args["cursor"]) if args.get("cursor") else None
        return assisted.list_messages(
            current_acting(), code, cursor, args.get("since"), args["limit"]
        )

    @blp.access(ACTING)
    @blp.arguments(message_schemas.NewMessageSchema)
    @blp.response(201, message_schemas.MessageSchema)
    def post(self, body, code: str):
        """Write to the officer for the resident: shown as the helper's message for them."""
        uploads = [Upload(f.filename, f.read()) for f in body.get("files", [])]
        message, created = assisted.post_message(
            current_acting(),
            code,
            body["text"],
            uploads,
            body["client_message_id"],
            request_origin(),
        )
        return message, 201 if created else 200


@blp.route("/dossiers/<string:code>/rating")
class Rating(MethodView):
    @blp.access(ACTING)
    @blp.arguments(rating_schemas.RatingInputSchema)
    @blp.response(201, rating_schemas.RatingSchema)
    def post(self, body, code: str):
        """Rate together with the resident (action ``rate_with``): recorded as assisted."""
        return assisted.rate_with(current_acting(), code, body["answers"], body["comment"])
