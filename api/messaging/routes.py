"""A dossier's thread over HTTP, for the applicant and the handling unit's officers alike."""

from __future__ import annotations

import dataclasses
import io

from flask import send_file
from flask.views import MethodView
from webargs.flaskparser import FlaskParser
from webargs.multidictproxy import MultiDictProxy
from werkzeug.datastructures import CombinedMultiDict

from api.audit.origin import request_origin
from api.auth.guard import SIGNED_IN, current_principal
from api.kernel.web.blueprint import Blueprint
from api.kernel.web.openapi import ErrorSchema
from api.messaging import attachments, reading, schemas, service
from api.messaging.attachments import Upload
from api.messaging.views import with_urls


class _Parser(FlaskParser):
    """Adds "json_or_multipart": JSON for text, multipart/form-data when files come along."""

    __location_map__ = {
        **FlaskParser.__location_map__,
        "json_or_multipart": "load_json_or_multipart",
    }

    def load_json_or_multipart(self, req, schema):  # noqa: ANN001, ANN201
        if req.mimetype == "multipart/form-data":
            return MultiDictProxy(CombinedMultiDict([req.form, req.files]), schema)
        return self.load_json(req, schema)


class _Blueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "json_or_multipart": "multipart/form-data",
    }


blp = _Blueprint(
    "messaging",
    __name__,
    url_prefix="/api/v1",
    description="Messages between the applicant and the officers handling a dossier",
)
FORBIDDEN = "Staff of another unit"
UNKNOWN = "Unknown dossier, or not yours"


@blp.route("/dossiers/<string:code>/messages")
class Messages(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.MessageArgs, location="query")
    @blp.response(200, schemas.MessagePageSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    def get(self, args, code: str):
        """The dossier's messages, newest page first (oldest first within a page). Use
        ``cursor`` for older pages and ``since`` to poll for new ones."""
        cursor = int(args["cursor"]) if args.get("cursor") else None
        page = reading.list_messages(
            current_principal(), code, cursor, args.get("since"), args["limit"]
        )
        return dataclasses.replace(page, items=with_urls(page.items, code))

    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.NewMessageSchema, location="json_or_multipart")
    @blp.doc(
        requestBody={
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewMessage"}}}
        }
    )
    @blp.response(201, schemas.MessageSchema)
    @blp.alt_response(200, schema=schemas.MessageSchema, description="Already stored (same id)")
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    @blp.alt_response(409, schema=ErrorSchema, description="Closed (officers reopen first)")
    @blp.alt_response(413, schema=ErrorSchema, description="A file is too large")
    @blp.alt_response(415, schema=ErrorSchema, description="A file is not a photo or PDF")
    def post(self, body, code: str):
        """Write to the dossier's thread: text (JSON or multipart) and, with multipart, up to 5
        photos or PDFs. An officer's message notifies the applicant; the applicant's message
        reopens a closed thread."""
        uploads = [Upload(f.filename, f.read()) for f in body["files"]]
        message, created = service.post_message(
            current_principal(),
            code,
            body["text"],
            channel="app",
            uploads=uploads,
            external_message_id=body["client_message_id"],
            origin=request_origin(),
        )
        return with_urls([message], code)[0], 201 if created else 200


@blp.route("/dossiers/<string:code>/messages/read")
class MarkRead(MethodView):
    @blp.access(SIGNED_IN)
    @blp.arguments(schemas.ReadSchema)
    @blp.response(200, schemas.MessagesReadSchema)
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description=UNKNOWN)
    def post(self, body, code: str):
        """Mark the other side's messages as read (up to ``up_to``, or all)."""
        marked, unread = reading.mark_read(current_principal(), code, body["up_to"])
        return {"marked": marked, "unread_count": unread}


@blp.route("/dossiers/<string:code>/attachments/<string:attachment_id>")
class AttachmentDownload(MethodView):
    @blp.access(SIGNED_IN)
    @blp.response(200, content_type="application/octet-stream", description="The file")
    @blp.alt_response(403, schema=ErrorSchema, description=FORBIDDEN)
    @blp.alt_response(404, schema=ErrorSchema, description="Unknown file, or not yours")
    def get(self, code: str, attachment_id: str):
        """Download an attachment: only for people who may read the thread."""
        attachment, data = attachments.download(current_principal(), code, attachment_id)
        response = send_file(
            io.BytesIO(data),
            mimetype=attachment.content_type,
            as_attachment=True,
            download_name=attachment.filename,
            max_age=0,
        )
        response.headers["Cache-Control"] = "private, no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response
