"""Inbound portal pushes: POST /api/v1/portal/dossiers and /api/v1/portal/progress."""

from __future__ import annotations

import functools
import logging

import marshmallow as ma
from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.dossiers.inbound import MAX_BATCH, ingest_dossiers, ingest_progress
from api.kernel.errors import ApiError
from api.kernel.i18n import register_messages
from api.openapi import ErrorSchema
from api.portal.push_auth import PushRejected, verify

log = logging.getLogger(__name__)

register_messages(
    {
        "portal_signature_invalid": {
            "vi": "Chữ ký của yêu cầu đồng bộ không hợp lệ hoặc đã quá thời gian cho phép (5 phút).",
            "en": "The sync request's signature is not valid or is older than 5 minutes.",
        }
    }
)

blp = Blueprint(
    "portal",
    __name__,
    url_prefix="/api/v1/portal",
    description="Pushes from provincial one-stop systems in the portal's HoSo/TienDo format",
)


class PushBatchSchema(ma.Schema):
    # Items stay raw: a malformed one gets its own error, the batch is not refused.
    data = ma.fields.List(
        ma.fields.Raw(allow_none=True),  # a null item is that item's error only
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_BATCH),
        metadata={
            "description": f"Up to {MAX_BATCH} HoSo or TienDo records, as the portal sends them"
        },
    )


class ItemResultSchema(ma.Schema):
    index = ma.fields.Integer()
    MaHoSo = ma.fields.String(allow_none=True)
    error_code = ma.fields.Integer(
        metadata={"description": "0 ok; 1 invalid record; 2 unknown dossier"}
    )
    message = ma.fields.String(
        metadata={"description": "created, updated, unchanged, stale, or the reason"}
    )


class PushResultSchema(ma.Schema):
    error_code = ma.fields.Integer()
    message = ma.fields.String()
    result = ma.fields.List(ma.fields.Nested(ItemResultSchema))


def signed_by_portal(func):  # noqa: ANN001, ANN201
    """Check X-Portal-Signature over the raw body before anything parses it."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        body = request.get_data(cache=True)
        try:
            g.portal_signed_at = verify(
                current_app.extensions["settings"].portal_push_secret,
                request.headers.get("X-Portal-Timestamp"),
                request.headers.get("X-Portal-Signature"),
                body,
            )
        except PushRejected as exc:
            # Logged without the body: it holds personal data.
            log.warning("portal_push_rejected", extra={"reason": exc.reason, "bytes": len(body)})
            raise ApiError(401, "portal_signature_invalid") from None
        return func(*args, **kwargs)

    return wrapper


def _answer(results: list[dict]) -> dict:
    failed = sum(1 for r in results if r["error_code"])
    return {
        "error_code": 0,
        "message": f"{len(results) - failed} ok, {failed} failed",
        "result": results,
    }


@blp.route("/dossiers")
class PushDossiers(MethodView):
    @signed_by_portal
    @blp.arguments(PushBatchSchema)
    @blp.response(200, PushResultSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Bad signature or replay")
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
    @signed_by_portal
    @blp.arguments(PushBatchSchema)
    @blp.response(200, PushResultSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Bad signature or replay")
    def post(self, body):
        """Append processing-progress entries (TienDo)."""
        return _answer(ingest_progress(body["data"]))
