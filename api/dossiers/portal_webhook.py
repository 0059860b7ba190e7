"""Inbound portal pushes: POST /api/v1/portal/dossiers and /api/v1/portal/progress.

The dossier domain's web layer for the portal's HoSo/TienDo batches; the signature check is the
portal integration's (api.portal.push_auth)."""

from __future__ import annotations

from flask import g
from flask.views import MethodView

from api.dossiers.inbound import ingest_dossiers, ingest_progress
from api.dossiers.schemas import PushBatchSchema, PushResultSchema
from api.kernel.web.blueprint import Blueprint
from api.portal.push_auth import PORTAL_SIGNED

# Named "portal" (its URLs and its section of the API docs are the portal's).
blp = Blueprint(
    "portal",
    __name__,
    url_prefix="/api/v1/portal",
    description="Pushes from provincial one-stop systems in the portal's HoSo/TienDo format",
)


def _answer(results: list[dict]) -> dict:
    failed = sum(1 for r in results if r["error_code"])
    return {
        "error_code": 0,
        "message": f"{len(results) - failed} ok, {failed} failed",
        "result": results,
    }


@blp.route("/dossiers")
class PushDossiers(MethodView):
    @blp.access(PORTAL_SIGNED)
    @blp.arguments(PushBatchSchema)
    @blp.response(200, PushResultSchema)
    @blp.doc(
        parameters=[
            {
                "in": "header",
                "name": "X-Portal-Timestamp",
                "required": True,
                "schema": {"type": "string"},
            },
            {
                "in": "header",
                "name": "X-Portal-Signature",
                "required": True,
                "schema": {"type": "string"},
                "description": "sha256=<hex HMAC-SHA256(secret, timestamp + '.' + raw body)>",
            },
        ]
    )
    def post(self, body):
        """Create or update dossiers from HoSo records; one bad item never rejects the batch."""
        return _answer(ingest_dossiers(body["data"], g.portal_signed_at))


@blp.route("/progress")
class PushProgress(MethodView):
    @blp.access(PORTAL_SIGNED)
    @blp.arguments(PushBatchSchema)
    @blp.response(200, PushResultSchema)
    def post(self, body):
        """Append processing-progress entries (TienDo)."""
        return _answer(ingest_progress(body["data"]))
