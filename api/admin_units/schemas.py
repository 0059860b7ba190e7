"""The admin_units web layer's request and response schemas."""

from __future__ import annotations

import marshmallow as ma


class UnitSchema(ma.Schema):
    code = ma.fields.Integer()
    name = ma.fields.String()
    kind = ma.fields.String()


class UnitListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(UnitSchema))
    version = ma.fields.String()


class CommuneArgs(ma.Schema):
    q = ma.fields.String(load_default="", validate=ma.validate.Length(max=100))
