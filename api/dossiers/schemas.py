from __future__ import annotations

import marshmallow as ma

from api.dossiers.inbound import MAX_BATCH
from api.dossiers.service import STATUS_GROUPS, is_overdue, stop_reason, timeline_label
from api.kernel.pagination import PageArgsSchema, page_schema

CODE = ma.validate.Regexp(
    r"^[0-9A-Za-z.]{3,40}-[0-9]{6}-[0-9]{4,6}$",
    error="Not a dossier code like 000.00.15.H12-240101-0001.",
)
VERIFY = ma.validate.Regexp(
    r"^\D*(\d\D*){4}$", error="The last 4 digits of the applicant's phone or ID number."
)


class StatusSchema(ma.Schema):
    code = ma.fields.Integer()
    label = ma.fields.String(attribute="label_vi")
    label_en = ma.fields.String()
    portal_code = ma.fields.String()
    group = ma.fields.String()
    advice = ma.fields.String(attribute="advice_vi")
    advice_en = ma.fields.String()


class ProcedureRefSchema(ma.Schema):
    code = ma.fields.String(attribute="procedure_code")
    name = ma.fields.String(attribute="procedure_name")


class PublicTimelineSchema(ma.Schema):
    kind = ma.fields.String()
    label = ma.fields.Function(lambda e: timeline_label(e, "vi"))
    label_en = ma.fields.Function(lambda e: timeline_label(e, "en"))
    occurred_at = ma.fields.DateTime()
    status_code = ma.fields.Integer(allow_none=True)
    department = ma.fields.String()


class TimelineSchema(PublicTimelineSchema):
    from_status_code = ma.fields.Integer(allow_none=True)
    actor = ma.fields.String()
    actor_title = ma.fields.String()
    content = ma.fields.String()
    step_due_at = ma.fields.DateTime(allow_none=True)


class DossierSummarySchema(ma.Schema):
    """What anyone with the code and the second factor may see: no personal data."""

    code = ma.fields.String()
    procedure = ma.fields.Function(lambda d: ProcedureRefSchema().dump(d))
    status = ma.fields.Nested(StatusSchema)
    submitted_at = ma.fields.DateTime(allow_none=True)
    received_at = ma.fields.DateTime(allow_none=True)
    due_at = ma.fields.DateTime(allow_none=True)
    returned_at = ma.fields.DateTime(allow_none=True)
    overdue = ma.fields.Function(is_overdue)
    updated_at = ma.fields.DateTime()


class ReducedDossierSchema(DossierSummarySchema):
    timeline = ma.fields.List(ma.fields.Nested(PublicTimelineSchema))


class FollowerDossierSchema(ReducedDossierSchema):
    """A followed dossier whose applicant the caller is not: the reduced view."""

    view = ma.fields.String()
    following = ma.fields.Boolean()


def _result_documents(d) -> list[dict]:  # noqa: ANN001
    # The papers' own codes open the result: VNeID owner and handling staff only.
    if getattr(d, "view", "full") == "contact":
        return [{"name": doc.get("name", "")} for doc in d.result_documents]
    return d.result_documents


class DossierSchema(DossierSummarySchema):
    view = ma.fields.String(
        metadata={"description": "full (VNeID owner, staff) or contact (the record's phone)"}
    )
    applicant_id_number = ma.fields.Function(
        lambda d: d.applicant_id_number if getattr(d, "show_identity", False) else None,
        metadata={"description": "Unmasked for the VNeID-verified applicant only, else null"},
    )
    receipt_number = ma.fields.String()
    channel = ma.fields.String()
    applicant_name = ma.fields.String()
    applicant_id_masked = ma.fields.Function(
        lambda d: ("*" * 8 + d.applicant_id_number[-4:]) if d.applicant_id_number else ""
    )
    phone_masked = ma.fields.Function(lambda d: ("*" * 6 + d.phone[-4:]) if d.phone else "")
    summary = ma.fields.String()
    field_name = ma.fields.String()
    handling_unit = ma.fields.String()
    finished_processing_at = ma.fields.DateTime(allow_none=True)
    refused_at = ma.fields.DateTime(allow_none=True)
    digitised = ma.fields.Boolean()
    paid_online = ma.fields.Boolean()
    result_documents = ma.fields.Function(_result_documents)
    supplement_requests = ma.fields.List(ma.fields.Dict())
    note = ma.fields.String()
    reason = ma.fields.Function(
        lambda d: stop_reason(d, getattr(d, "timeline", None)),
        metadata={"description": "Why it was refused or stopped (statuses 3 and 8), else ''"},
    )
    timeline = ma.fields.List(ma.fields.Nested(TimelineSchema))
    following = ma.fields.Boolean()


class MyDossiersArgs(PageArgsSchema):
    group = ma.fields.String(validate=ma.validate.OneOf(STATUS_GROUPS))


MyDossierPageSchema = page_schema(DossierSummarySchema, "DossierPage")


class LookupSchema(ma.Schema):
    code = ma.fields.String(
        required=True,
        validate=CODE,
        metadata={"description": "MaHoSo from the receipt; lower case and spaces are fine"},
    )
    verify = ma.fields.String(
        required=True,
        validate=VERIFY,
        metadata={"description": "Last 4 digits of the applicant's phone or ID number"},
    )

    @ma.pre_load
    def _as_typed(self, data, **_kwargs):  # noqa: ANN001, ANN202
        # People copy codes with spaces or type them in lower case, as the bots accept.
        if isinstance(data, dict) and isinstance(data.get("code"), str):
            data = {**data, "code": "".join(data["code"].split()).upper()}
        return data


class FollowSchema(ma.Schema):
    verify = ma.fields.String(
        load_default=None,
        validate=VERIFY,
        metadata={"description": "Needed unless you are the applicant"},
    )


class QrArgs(ma.Schema):
    format = ma.fields.String(load_default="png", validate=ma.validate.OneOf(["png", "svg"]))


class VerificationSchema(ma.Schema):
    genuine = ma.fields.Boolean()
    code = ma.fields.String()
    procedure = ma.fields.String(attribute="procedure_name")
    status = ma.fields.String()
    status_en = ma.fields.String()
    result_documents = ma.fields.List(ma.fields.String())
    date = ma.fields.DateTime()


# Portal pushes (api/dossiers/portal_webhook.py), in the portal's own format.
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
