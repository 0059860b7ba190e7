"""The notifications web layer's request and response schemas."""

from __future__ import annotations

import marshmallow as ma

from api.kernel.pagination import PageArgsSchema, page_schema
from push.channels import registry as channel_registry
from push.notifications.templates import render


class InboxItemSchema(ma.Schema):
    id = ma.fields.Integer()
    event = ma.fields.String()
    title = ma.fields.Function(lambda n: render(n.event, n.language, n.params).title)
    body = ma.fields.Function(lambda n: render(n.event, n.language, n.params).body)
    dossier_code = ma.fields.Function(lambda n: n.params.get("code"))
    created_at = ma.fields.DateTime()
    read = ma.fields.Function(lambda n: n.read_at is not None)


class InboxArgs(PageArgsSchema):
    unread = ma.fields.Boolean(load_default=False)


InboxPageSchema = page_schema(InboxItemSchema, "InboxPage", unread_count=ma.fields.Integer())


class ReadResultSchema(ma.Schema):
    marked = ma.fields.Integer()


class AttemptSchema(ma.Schema):
    id = ma.fields.Integer()
    channel = ma.fields.String()
    route = ma.fields.String()
    status = ma.fields.String()
    provider_message_id = ma.fields.String(allow_none=True)
    error_code = ma.fields.String(allow_none=True)
    detail = ma.fields.String()
    created_at = ma.fields.DateTime()
    sent_at = ma.fields.DateTime(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    failed_at = ma.fields.DateTime(allow_none=True)


class NotificationAdminSchema(ma.Schema):
    id = ma.fields.Integer()
    event = ma.fields.String()
    status = ma.fields.String()
    chain = ma.fields.List(ma.fields.String())
    chain_index = ma.fields.Integer()
    urgent = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
    next_attempt_at = ma.fields.DateTime(allow_none=True)
    delivered_at = ma.fields.DateTime(allow_none=True)
    delivered_channel = ma.fields.String(allow_none=True)
    attempts = ma.fields.List(ma.fields.Nested(AttemptSchema))


class StatsArgs(ma.Schema):
    days = ma.fields.Integer(load_default=7, validate=ma.validate.Range(min=1, max=90))


class StatsSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Dict())


class QuietHoursSchema(ma.Schema):
    start = ma.fields.String(required=True, metadata={"example": "21:00"})
    end = ma.fields.String(required=True, metadata={"example": "07:00"})


class PreferencesSchema(ma.Schema):
    channels = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={
            "description": "Channels to try, in order: " + ", ".join(channel_registry.names())
        },
    )
    events = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), load_default=dict)
    quiet_hours = ma.fields.Nested(
        QuietHoursSchema,
        allow_none=True,
        load_default=None,
        metadata={"description": "Vietnam time; urgent messages still come"},
    )
    language = ma.fields.String(load_default="vi", validate=ma.validate.OneOf(["vi", "en"]))
