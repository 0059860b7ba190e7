from __future__ import annotations

import marshmallow as ma
from flask_smorest.fields import Upload
from werkzeug.datastructures import FileStorage

from api.kernel.ids import ID_MAX
from api.kernel.pagination import PageArgsSchema, page_schema
from api.messaging.content import MAX_TEXT
from api.messaging.models import CITIZEN_SIDE

NOT_A_FILE = "Not a file: send photos and PDFs as multipart form data."


class UploadedFile(Upload):
    """A file part of a multipart form; anything else (a string in JSON) is refused."""

    def _deserialize(self, value, attr, data, **kwargs):  # noqa: ANN001, ANN003, ANN202
        if not isinstance(value, FileStorage):
            raise ma.ValidationError(NOT_A_FILE)
        return value


class AttachmentSchema(ma.Schema):
    id = ma.fields.String(attribute="public_id")
    filename = ma.fields.String()
    content_type = ma.fields.String(metadata={"description": "Recognised from the file's bytes"})
    size = ma.fields.Integer()
    url = ma.fields.String(metadata={"description": "Download (same sign-in as the thread)"})


class MessageSchema(ma.Schema):
    id = ma.fields.Integer()
    side = ma.fields.Function(
        lambda m: "citizen" if m.author_kind in CITIZEN_SIDE else "staff",
        metadata={"description": "citizen (applicant or helper) or staff (officer or system)"},
    )
    author_kind = ma.fields.String(metadata={"description": "citizen, officer, community, system"})
    author_name = ma.fields.String()
    on_behalf_of_name = ma.fields.String(
        allow_none=True,
        metadata={"description": "Written by a helper (author) for this applicant"},
    )
    channel = ma.fields.String(metadata={"description": "app, zalo, telegram, web or system"})
    text = ma.fields.String(attribute="body")
    meta = ma.fields.Dict(metadata={"description": "Structured content of system messages"})
    attachments = ma.fields.List(ma.fields.Nested(AttachmentSchema))
    created_at = ma.fields.DateTime()
    delivered_at = ma.fields.DateTime(allow_none=True)
    read_at = ma.fields.DateTime(allow_none=True)


class ThreadSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "open or closed"})
    awaiting_reply = ma.fields.Function(lambda t: t.awaiting_reply_since is not None)
    last_message_at = ma.fields.DateTime(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)


class MessagePageSchema(ma.Schema):
    viewer = ma.fields.String(
        attribute="view", metadata={"description": "Your side of the thread: citizen or staff"}
    )
    thread = ma.fields.Nested(ThreadSchema, allow_none=True)
    items = ma.fields.List(ma.fields.Nested(MessageSchema))
    next_cursor = ma.fields.String(
        allow_none=True, metadata={"description": "Pass as cursor to get older messages"}
    )
    more = ma.fields.Boolean(metadata={"description": "With since: more new messages remain"})
    unread_count = ma.fields.Integer()


class MessageArgs(ma.Schema):
    cursor = ma.fields.String(
        validate=ma.validate.Regexp(r"^\d{1,9}$"),
        metadata={"description": "next_cursor of the previous page: older messages"},
    )
    since = ma.fields.Integer(
        validate=ma.validate.Range(min=0, max=ID_MAX),
        metadata={"description": "Id of the newest message you have: only newer ones (polling)"},
    )
    limit = ma.fields.Integer(load_default=30, validate=ma.validate.Range(min=1, max=100))


class NewMessageSchema(ma.Schema):
    text = ma.fields.String(load_default="", validate=ma.validate.Length(max=MAX_TEXT))
    client_message_id = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(min=1, max=128),
        metadata={"description": "Your id for this message: sending it again stores it once"},
    )
    files = ma.fields.List(
        UploadedFile(),
        load_default=list,
        metadata={"description": "Photos (JPEG, PNG, WebP, HEIC) or PDFs, multipart only"},
    )


class ReadSchema(ma.Schema):
    up_to = ma.fields.Integer(
        load_default=None,
        validate=ma.validate.Range(min=0, max=ID_MAX),
        metadata={"description": "Newest message id read; all when omitted"},
    )


class MessagesReadSchema(ma.Schema):
    marked = ma.fields.Integer()
    unread_count = ma.fields.Integer()


# ---- officer inbox -------------------------------------------------------------------------


class InboxArgs(PageArgsSchema):
    unread = ma.fields.Boolean(load_default=False)
    awaiting_reply = ma.fields.Boolean(load_default=False)
    overdue = ma.fields.Boolean(
        load_default=False, metadata={"description": "Awaiting a reply beyond the reply target"}
    )
    status = ma.fields.String(
        load_default="open", validate=ma.validate.OneOf(["open", "closed", "all"])
    )
    assigned = ma.fields.String(validate=ma.validate.OneOf(["me", "unassigned"]))
    unit = ma.fields.String(
        validate=ma.validate.Length(max=300), metadata={"description": "Admins: one unit"}
    )


class AssigneeSchema(ma.Schema):
    id = ma.fields.String()
    full_name = ma.fields.String()


class ThreadSummarySchema(ma.Schema):
    code = ma.fields.String()
    procedure_name = ma.fields.String()
    applicant_name = ma.fields.String()
    dossier_status = ma.fields.Integer()
    handling_unit = ma.fields.String()
    status = ma.fields.String()
    assigned_to = ma.fields.Nested(AssigneeSchema, allow_none=True)
    last_message_at = ma.fields.DateTime(allow_none=True)
    last_preview = ma.fields.String()
    awaiting_reply_since = ma.fields.DateTime(allow_none=True)
    overdue = ma.fields.Boolean()
    unread_count = ma.fields.Integer()


InboxPageSchema = page_schema(ThreadSummarySchema, "ThreadInboxPage")


class AssignSchema(ma.Schema):
    assignee_id = ma.fields.String(
        required=True,
        allow_none=True,
        validate=ma.validate.Length(max=32),
        metadata={"description": "Colleague's account id (same unit); null to unassign"},
    )


class CannedReplySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    unit_code = ma.fields.String(
        load_default=None,
        validate=ma.validate.Length(max=300),
        metadata={"description": "Admins only: the unit (officers: always their own)"},
    )
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    body = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_TEXT))
    created_at = ma.fields.DateTime(dump_only=True)
    updated_at = ma.fields.DateTime(dump_only=True)


class CannedReplyUpdateSchema(ma.Schema):
    title = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    body = ma.fields.String(validate=ma.validate.Length(min=1, max=MAX_TEXT))


class CannedReplyArgs(PageArgsSchema):
    unit = ma.fields.String(
        validate=ma.validate.Length(max=300), metadata={"description": "Admins: which unit"}
    )


CannedReplyPageSchema = page_schema(CannedReplySchema, "CannedReplyPage")


class AssigneeListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AssigneeSchema))
