"""The staff web layer's request and response schemas."""

from __future__ import annotations

import marshmallow as ma

from api.auth.models import STAFF_ROLES
from api.kernel.pagination import PageArgsSchema, page_schema


class StaffSchema(ma.Schema):
    id = ma.fields.String(attribute="public_id", dump_only=True)
    username = ma.fields.String(required=True)
    full_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(STAFF_ROLES))
    unit_code = ma.fields.String(allow_none=True, load_default=None)
    commune_code = ma.fields.Integer(allow_none=True, load_default=None)
    province_code = ma.fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "Admins only: the province they manage"},
    )
    email = ma.fields.Email(allow_none=True, load_default=None)
    active = ma.fields.Boolean(dump_only=True)
    retired_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    last_sign_in_at = ma.fields.DateTime(dump_only=True, allow_none=True)
    password = ma.fields.String(load_only=True, required=True, validate=ma.validate.Length(max=256))
    new_unit = ma.fields.Boolean(
        load_only=True,
        load_default=False,
        metadata={"description": "The unit is new: take it though close to a known one"},
    )


class StaffUpdateSchema(ma.Schema):
    role = ma.fields.String(validate=ma.validate.OneOf(STAFF_ROLES))
    unit_code = ma.fields.String()
    commune_code = ma.fields.Integer()
    active = ma.fields.Boolean(metadata={"description": "false suspends, true reopens"})


class PasswordSchema(ma.Schema):
    password = ma.fields.String(required=True, validate=ma.validate.Length(max=256))


class StaffListArgs(PageArgsSchema):
    role = ma.fields.String(validate=ma.validate.OneOf(STAFF_ROLES))


class HandlingUnitSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=2, max=300))
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=300))
    commune_code = ma.fields.Integer(allow_none=True, load_default=None)
    province_code = ma.fields.Integer(allow_none=True, load_default=None)
    commune_name = ma.fields.String(dump_only=True)
    officers = ma.fields.Integer(dump_only=True)


class PersonSchema(ma.Schema):
    id = ma.fields.String()
    full_name = ma.fields.String()
    role = ma.fields.String()


class AuditItemSchema(ma.Schema):
    id = ma.fields.Integer()
    occurred_at = ma.fields.DateTime()
    action = ma.fields.String()
    actor = ma.fields.Nested(PersonSchema, allow_none=True)
    subject = ma.fields.Nested(PersonSchema, allow_none=True)
    object_type = ma.fields.String()
    object_id = ma.fields.String()
    channel = ma.fields.String()


StaffPageSchema = page_schema(StaffSchema, "StaffPage")

UnitPageSchema = page_schema(HandlingUnitSchema, "HandlingUnitPage")

AuditPageSchema = page_schema(AuditItemSchema, "StaffAuditPage")
