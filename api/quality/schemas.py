"""Request and response schemas of the quality figures."""

from __future__ import annotations

import marshmallow as ma

from api.kernel.pagination import PageArgsSchema, page_schema

SCOPE_KINDS = ("province", "unit", "commune")
PERIOD_KINDS = ("month", "week")


class SnapshotInputSchema(ma.Schema):
    scope_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(SCOPE_KINDS))
    scope_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    period_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PERIOD_KINDS))
    period_key = ma.fields.String(required=True, validate=ma.validate.Length(min=7, max=8))
    publish = ma.fields.Boolean(load_default=False)


class SnapshotSchema(ma.Schema):
    id = ma.fields.Integer()
    published_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    supersedes_id = ma.fields.Integer(allow_none=True)
    content_sha256 = ma.fields.String()
    content = ma.fields.Dict(metadata={"description": "Scope, period, cut-off, figures"})


class MemberSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "dossier or procedure"})
    code = ma.fields.String()


MemberPageSchema = page_schema(
    MemberSchema,
    "QualityMemberPage",
    snapshot_id=ma.fields.Integer(),
    indicator=ma.fields.String(),
    part=ma.fields.String(),
    figure_value=ma.fields.Integer(metadata={"description": "The count in the figure"}),
)


class MemberArgsSchema(PageArgsSchema):
    pass


class ReportArgsSchema(ma.Schema):
    month = ma.fields.String(validate=ma.validate.Length(equal=7))
    format = ma.fields.String(validate=ma.validate.OneOf(("json", "csv")))


class PortalValueSchema(ma.Schema):
    scope_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(SCOPE_KINDS))
    scope_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    period_kind = ma.fields.String(required=True, validate=ma.validate.OneOf(PERIOD_KINDS))
    period_key = ma.fields.String(required=True, validate=ma.validate.Length(min=7, max=8))
    indicator = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(r"^[A-Za-z0-9_]{1,32}$"),
        metadata={"description": "An indicator code (T1), a group (timeliness) or total"},
    )
    # A plain number in the document: a Decimal field documents its range as strings, which
    # no client or fuzzer can satisfy. Stored as Decimal(str(value)) with two places.
    value = ma.fields.Float(required=True, validate=ma.validate.Range(min=0, max=100))
    source = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class PortalValuesInputSchema(ma.Schema):
    values = ma.fields.List(
        ma.fields.Nested(PortalValueSchema),
        required=True,
        validate=ma.validate.Length(min=1, max=500),
    )


class PortalValuesResultSchema(ma.Schema):
    saved = ma.fields.Integer()


class ReconcileSchema(ma.Schema):
    day = ma.fields.String()
    status_changes = ma.fields.Integer()
    expected = ma.fields.Integer()
    queued = ma.fields.Integer()
    sent = ma.fields.Integer()
    failed = ma.fields.Integer()
    missing_queued = ma.fields.Integer()
