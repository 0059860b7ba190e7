from __future__ import annotations

import marshmallow as ma

from api.kernel.pagination import PageArgsSchema, page_schema


class CodeNameSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()


class CodeTableSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String(attribute="name_vi", metadata={"description": "Vietnamese name"})
    name_en = ma.fields.String()


class OnlineLevelSchema(CodeTableSchema):
    description = ma.fields.String(attribute="description_vi")
    description_en = ma.fields.String()


class FieldSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    procedure_count = ma.fields.Integer()


class FieldListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(FieldSchema))


class ReferenceCodesSchema(ma.Schema):
    online_levels = ma.fields.List(ma.fields.Nested(OnlineLevelSchema))
    levels = ma.fields.List(ma.fields.Nested(CodeTableSchema))
    channels = ma.fields.List(ma.fields.Nested(CodeTableSchema))


class SearchArgsSchema(PageArgsSchema):
    q = ma.fields.String(
        load_default="",
        validate=ma.validate.Length(max=200),
        metadata={"description": "What the citizen typed; diacritics optional"},
    )
    field = ma.fields.String(
        validate=ma.validate.Length(max=64), metadata={"description": "Field code"}
    )
    online_level = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "toan_trinh, mot_phan or thong_tin"},
    )
    level = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "Implementing level: xa, tinh or trung_uong"},
    )
    agency = ma.fields.String(
        validate=ma.validate.Length(min=2, max=200),
        metadata={"description": "Words of the implementing agency's name, e.g. 'công an'"},
    )
    subject = ma.fields.String(
        validate=ma.validate.Length(min=2, max=200),
        metadata={"description": "Words of who may apply, e.g. 'doanh nghiệp'"},
    )


class SuggestArgsSchema(ma.Schema):
    q = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100))
    limit = ma.fields.Integer(load_default=10, validate=ma.validate.Range(min=1, max=10))


class ProcedureSummarySchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    field = ma.fields.Nested(CodeNameSchema)
    online_level = ma.fields.String()


class FacetSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    count = ma.fields.Integer()


class FacetsSchema(ma.Schema):
    field = ma.fields.List(ma.fields.Nested(FacetSchema))
    online_level = ma.fields.List(ma.fields.Nested(FacetSchema))


class SearchMatchSchema(ma.Schema):
    close = ma.fields.Boolean(metadata={"description": "False: no procedure closely matches"})
    confidence = ma.fields.Float(metadata={"description": "0..1, calibrated; close from 0.5"})
    message = ma.fields.String(metadata={"description": "Only when not close: plain words"})
    nearest_fields = ma.fields.List(ma.fields.Nested(CodeNameSchema))
    suggestions = ma.fields.List(ma.fields.Nested(CodeNameSchema))


SearchPageSchema = page_schema(
    ProcedureSummarySchema,
    "ProcedureSearchPage",
    facets=ma.fields.Nested(FacetsSchema),
    match=ma.fields.Nested(SearchMatchSchema),
)


class SuggestionSchema(ma.Schema):
    code = ma.fields.String()
    name = ma.fields.String()


class SuggestionListSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(SuggestionSchema))


class FeeSchema(ma.Schema):
    name = ma.fields.String()
    amount_vnd = ma.fields.Integer(
        allow_none=True, metadata={"description": "null when the amount varies; see note"}
    )
    note = ma.fields.String()


class ChannelSchema(ma.Schema):
    channel = ma.fields.Nested(CodeTableSchema)
    duration_text = ma.fields.String()
    duration_days = ma.fields.Integer(allow_none=True)
    fees = ma.fields.List(ma.fields.Nested(FeeSchema))


class DocumentSchema(ma.Schema):
    name = ma.fields.String()
    copies = ma.fields.String()
    required = ma.fields.Boolean()
    note = ma.fields.String()


class LegalBasisSchema(ma.Schema):
    number = ma.fields.String()
    title = ma.fields.String()


class ProcedureSchema(ma.Schema):
    code = ma.fields.String()
    national_code = ma.fields.String()
    name = ma.fields.String()
    field = ma.fields.Nested(CodeNameSchema)
    online_level = ma.fields.Nested(OnlineLevelSchema, attribute="level")
    implementing_levels = ma.fields.List(ma.fields.Nested(CodeTableSchema))
    agencies = ma.fields.List(ma.fields.Pluck(CodeNameSchema, "name"))
    issuing_agency = ma.fields.String()
    subjects = ma.fields.List(ma.fields.Pluck(CodeNameSchema, "name"))
    description = ma.fields.String()
    requirements = ma.fields.String()
    channels = ma.fields.List(ma.fields.Nested(ChannelSchema))
    steps = ma.fields.List(ma.fields.Pluck("StepSchema", "description"))
    documents = ma.fields.List(ma.fields.Nested(DocumentSchema))
    results = ma.fields.List(ma.fields.Pluck(CodeNameSchema, "name"))
    legal_basis = ma.fields.List(ma.fields.Nested(LegalBasisSchema), attribute="legal_bases")
    updated_at = ma.fields.DateTime()


class StepSchema(ma.Schema):
    description = ma.fields.String()
