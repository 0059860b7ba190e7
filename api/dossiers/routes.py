from __future__ import annotations

from flask import Response, jsonify, request
from flask.views import MethodView

from api.audit.origin import request_origin
from api.auth.guard import SIGNED_IN, current_principal
from api.dossiers import schemas, service, verify_page
from api.dossiers.models import Dossier
from api.dossiers.views import DossierView, Verification
from api.kernel.errors import ApiError
from api.kernel.i18n import message
from api.kernel.pagination import Page, page_envelope
from api.kernel.web.blueprint import PUBLIC, Blueprint
from api.kernel.web.openapi import ErrorSchema

blp = Blueprint(
    "dossiers", __name__, url_prefix="/api/v1", description="Dossiers (hồ sơ) and their progress"
)
verify_blp = Blueprint("verify", __name__, description="Checking a result's QR code")


def _full(dossier: Dossier, view: str = service.FULL) -> DossierView:
    principal = current_principal()
    return DossierView(
        dossier,
        timeline=service.timeline(dossier),
        view=view,
        following=service.is_following(principal, dossier),
        show_identity=service.is_verified_owner(principal, dossier),
    )


@blp.route("/me/dossiers")
class MyDossiers(MethodView):
    @blp.access(SIGNED_IN)
    @blp.paged(schemas.MyDossiersArgs, schemas.MyDossierPageSchema)
    def get(self, args):
        """The citizen's dossiers (by identity number after a VNeID sign-in) and the ones they follow."""
        page = Page(args["page"], args["page_size"])
        items, total = service.my_dossiers(current_principal(), args.get("group"), page)
        return page_envelope(items, total, page)


@blp.route("/dossiers/<string:code>")
class DossierDetail(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, schemas.DossierSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown, or not yours to see")
    def get(self, code: str):
        """Full view for the applicant (VNeID owner), the contact (the record's phone, proven
        by a one-time code: identity number masked, result papers by name) and the officers
        of the handling unit; the reduced view (``view: reduced``) for a follower. Only the
        VNeID owner sees the unmasked identity number and the result papers' codes."""
        dossier, view = service.open_dossier(current_principal(), code)
        if view == service.REDUCED:
            reduced = DossierView(dossier, service.timeline(dossier), view=view, following=True)
            return jsonify(schemas.FollowerDossierSchema().dump(reduced))
        return _full(dossier, view)


@blp.route("/dossiers/lookup")
class Lookup(MethodView):
    @blp.access(PUBLIC)
    @blp.arguments(schemas.LookupSchema)
    @blp.response(200, schemas.ReducedDossierSchema)
    @blp.alt_response(
        404, schema=ErrorSchema, description="No match (unknown code or wrong digits)"
    )
    @blp.alt_response(429, schema=ErrorSchema, description="Too many look-ups")
    def post(self, body):
        """Anyone with the code and the last 4 digits of the applicant's phone or ID number:
        status, procedure, dates and progress, without personal data."""
        dossier = service.lookup(body["code"], body["verify"], request_origin().ip)
        return DossierView(dossier, service.timeline(dossier))


@blp.route("/dossiers/<string:code>/follow")
class Follow(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.FollowSchema)
    @blp.response(200, schemas.DossierSummarySchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No match")
    def post(self, body, code: str):
        """Be told about changes to this dossier (a relative's, say)."""
        return service.follow(current_principal(), code, body["verify"], request_origin())

    @blp.access(SIGNED_IN)
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="Not followed")
    def delete(self, code: str):
        """Stop following."""
        service.unfollow(current_principal(), code, request_origin())


@blp.route("/dossiers/<string:code>/qr")
class Qr(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.QrArgs, location="query")
    @blp.response(200, content_type="image/png", description="QR code (PNG or SVG)")
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown, or not yours")
    def get(self, args, code: str):
        """A QR code with a signed link that shows the result is genuine."""
        data, mimetype = service.qr_image(current_principal(), code, args["format"])
        return Response(data, mimetype=mimetype, headers={"Cache-Control": "private, max-age=3600"})


@verify_blp.route("/verify/<string:token>")
class Verify(MethodView):
    @verify_blp.access(PUBLIC)
    @verify_blp.response(200, schemas.VerificationSchema)
    @verify_blp.alt_response(404, schema=ErrorSchema, description="Tampered or unknown")
    def get(self, token: str):
        """Opened from the QR code: procedure, status, result papers and date; no personal
        data. A browser (a phone scanning the code) gets a readable page in Vietnamese and
        English; an API client (Accept: application/json) gets this JSON."""
        if verify_page.wants_html(request):
            try:
                dossier = service.verify_token(token)
            except ApiError as error:
                page = verify_page.invalid_page(
                    message(error.slug, "vi"), message(error.slug, "en")
                )
                return Response(page, status=error.status, mimetype="text/html")
            return Response(verify_page.genuine_page(dossier), mimetype="text/html")
        return Verification.of(service.verify_token(token))
