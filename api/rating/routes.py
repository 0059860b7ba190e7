"""Rating a dossier's service, and satisfaction statistics for units."""

from __future__ import annotations

from flask import Response, request
from flask.views import MethodView

from api.auth.guard import SIGNED_IN, current_principal, role
from api.auth.models import ROLE_ADMIN, ROLE_OFFICER
from api.kernel.errors import request_language
from api.kernel.i18n import message
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.rating import schemas, service, stats
from api.rating.models import BY_AGENCY

blp = Blueprint(
    "rating", __name__, url_prefix="/api/v1", description="Satisfaction rating and statistics"
)
UNKNOWN = "Unknown dossier, or not yours"


def _state_view(state: service.RatingState) -> dict:
    answers = {a.indicator_code: a.score for a in state.rating.answers} if state.rating else {}
    items = []
    for indicator in service.indicators():
        if indicator.answered_by == BY_AGENCY:
            continue  # scored per agency, not per dossier
        value = answers.get(indicator.code, state.prefilled.get(indicator.code))
        items.append({**{c: getattr(indicator, c) for c in _INDICATOR_FIELDS}, "value": value})
    return {
        "code": state.dossier.code,
        "open": state.open,
        "reason": state.reason,
        "reason_message": message(state.reason, request_language(), days=service.edit_window().days)
        if state.reason
        else None,
        "editable_until": state.editable_until,
        "indicators": items,
        "rating": state.rating,
    }


_INDICATOR_FIELDS = (
    "code",
    "title_vi",
    "title_en",
    "question_vi",
    "question_en",
    "answered_by",
    "options",
)


@blp.route("/dossiers/<string:code>/rating")
class DossierRating(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, schemas.RatingStateSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Staff of another unit")
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    def get(self, code: str):
        """The rating form: indicators (1 and 2 prefilled from the dossier's dates, shown not
        asked), whether rating is open and why not, and the rating if given."""
        return _state_view(service.rating_state(current_principal(), code))

    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.RatingInputSchema)
    @blp.response(201, schemas.RatingSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Only the applicant rates")
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    @blp.alt_response(409, schema=ErrorSchema, description="Not open yet, or already rated")
    def post(self, body, code: str):
        """Rate the service once the result is ready or returned: answer indicators 3, 4, 6,
        7, 10 and 11 (2, 1 or 0), with an optional comment."""
        return service.submit_rating(current_principal(), code, body["answers"], body["comment"])

    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.RatingUpdateSchema)
    @blp.response(200, schemas.RatingSchema)
    @blp.alt_response(403, schema=ErrorSchema, description="Only the applicant rates")
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown dossier, or not rated yet")
    @blp.alt_response(409, schema=ErrorSchema, description="The edit window has passed")
    def patch(self, body, code: str):
        """Change some answers or the comment, within the edit window (7 days by default)."""
        return service.update_rating(current_principal(), code, body["answers"], body["comment"])


@blp.route("/stats/satisfaction")
class Satisfaction(MethodView):
    @blp.access(role(ROLE_OFFICER, ROLE_ADMIN))
    @blp.arguments(schemas.StatsArgs, location="query")
    @blp.response(200, schemas.SatisfactionSchema)
    @blp.alt_response(
        200, content_type="text/csv", schema={"type": "string"}, description="JSON or CSV"
    )
    @blp.alt_response(403, schema=ErrorSchema, description="Another unit (officers)")
    def get(self, args):
        """Share of rất hài lòng / hài lòng / không hài lòng (overall indicator), mean score per
        indicator and count of ratings, by unit, procedure and month. Officers: own unit."""
        filters = stats.StatsFilter(args.get("unit"), args.get("procedure"), args.get("month"))
        result = stats.satisfaction(stats.scoped(current_principal(), filters))
        wants_csv = args.get("format") == "csv" or (
            args.get("format") is None
            and request.accept_mimetypes.best_match(["application/json", "text/csv"]) == "text/csv"
        )
        if not wants_csv:
            return result
        return Response(
            stats.as_csv(result),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="satisfaction.csv"'},
        )
