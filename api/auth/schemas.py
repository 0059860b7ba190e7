from __future__ import annotations

import marshmallow as ma

from api.kernel.ids import ID_MAX


class TokenSchema(ma.Schema):
    access_token = ma.fields.String()
    refresh_token = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "Seconds the access token lasts"})
    token_type = ma.fields.String(metadata={"example": "Bearer"})


class AuthorizeSchema(ma.Schema):
    url = ma.fields.String(metadata={"description": "Open this VNeID sign-in page"})
    state = ma.fields.String()


class CallbackSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2048))
    state = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=256))


class PhoneSchema(ma.Schema):
    phone = ma.fields.String(
        required=True,
        validate=ma.validate.Length(min=9, max=20),
        metadata={"example": "0912345678"},
    )


class CodeSentSchema(ma.Schema):
    sent = ma.fields.Boolean()
    expires_in = ma.fields.Integer()


class OtpVerifySchema(PhoneSchema):
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^\s*\d{6}\s*$", error="Must be the 6 digits you received."),
    )


class StaffLoginSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=ma.validate.Length(min=3, max=64))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=256))


class RefreshSchema(ma.Schema):
    refresh_token = ma.fields.String(required=True, validate=ma.validate.Length(min=20, max=200))


class LogoutSchema(ma.Schema):
    everywhere = ma.fields.Boolean(
        load_default=False, metadata={"description": "Sign out on every device"}
    )


class LogoutResultSchema(ma.Schema):
    sessions_ended = ma.fields.Integer()


class AuditEventSchema(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.DateTime()
    action = ma.fields.String()
    channel = ma.fields.String()
    ip = ma.fields.String()
    object_type = ma.fields.String()
    object_id = ma.fields.String()


class AuditListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AuditEventSchema))


class AuditArgsSchema(ma.Schema):
    before_id = ma.fields.Integer(validate=ma.validate.Range(min=1, max=ID_MAX))
    limit = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=100))
