from __future__ import annotations

import marshmallow as ma

from api.assistance import usage
from api.assistance.models import MEMBER_STATES
from api.assistance.rules import describe
from api.assistance.texts import STATE_WORDS
from api.dossiers.schemas import CODE
from api.kernel.pagination import PageArgsSchema, page_schema

ACTION = ma.fields.String(validate=ma.validate.Length(min=1, max=32))
PERSONAL_ID = ma.validate.Regexp(r"^\d{12}$", error="A 12-digit personal identification number.")


class PersonRefSchema(ma.Schema):
    personal_id = ma.fields.String(validate=PERSONAL_ID, load_default=None)
    phone = ma.fields.String(validate=ma.validate.Length(max=20), load_default=None)

    @ma.validates_schema
    def _one(self, data, **_kwargs):  # noqa: ANN001, ANN202
        if bool(data.get("personal_id")) == bool(data.get("phone")):
            raise ma.ValidationError("Give exactly one of personal_id or phone.", "_schema")


class ScopeSchema(ma.Schema):
    actions = ma.fields.List(ACTION, required=True, validate=ma.validate.Length(min=1, max=10))
    dossiers = ma.fields.List(
        ma.fields.String(validate=CODE), load_default=list, validate=ma.validate.Length(max=20)
    )


class SessionRequestSchema(ScopeSchema):
    resident = ma.fields.Nested(PersonRefSchema, required=True)
    purpose = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    hours = ma.fields.Integer(load_default=2, validate=ma.validate.Range(min=1, max=24))
    via = ma.fields.String(
        load_default="sms",
        validate=ma.validate.OneOf(("sms", "zalo")),
        metadata={"description": "SMS to the phone on record, or the Zalo linked to it"},
    )


class CodeSchema(ma.Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\s*\d{4,8}\s*$"))


class MandateRequestSchema(ScopeSchema):
    agent = ma.fields.Nested(PersonRefSchema, required=True)
    valid_until = ma.fields.Date(required=True, metadata={"description": "Last day (Vietnam)"})
    purpose = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))


class DeskSchema(ScopeSchema):
    personal_id = ma.fields.String(required=True, validate=PERSONAL_ID)
    full_name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    commune_code = ma.fields.Integer(load_default=None, allow_none=True)
    helper = ma.fields.Nested(PersonRefSchema, required=True)
    hours = ma.fields.Integer(load_default=None, allow_none=True)
    valid_until = ma.fields.Date(load_default=None, allow_none=True)
    legal = ma.fields.Boolean(load_default=False)
    documents = ma.fields.String(load_default="", validate=ma.validate.Length(max=500))
    id_card_checked = ma.fields.Boolean(
        required=True,
        validate=ma.validate.Equal(True, error="The officer checks the ID card first."),
    )


class GrantSchema(ma.Schema):
    id = ma.fields.String(attribute="public_id")
    kind = ma.fields.String(metadata={"description": "session, mandate or legal"})
    state = ma.fields.String(
        metadata={"description": "pending, active, rejected, revoked, expired"}
    )
    state_label = ma.fields.Function(lambda g: STATE_WORDS.get(g.state, ("", ""))[0])
    state_label_en = ma.fields.Function(lambda g: STATE_WORDS.get(g.state, ("", ""))[1])
    actions = ma.fields.List(ma.fields.String())
    what = ma.fields.Function(
        lambda g: describe(g.actions or [], "vi"), metadata={"description": "The actions, in words"}
    )
    what_en = ma.fields.Function(lambda g: describe(g.actions or [], "en"))
    dossiers = ma.fields.List(ma.fields.String(), attribute="dossier_codes")
    purpose = ma.fields.String()
    consent = ma.fields.String(metadata={"description": "code, desk or documents"})
    helper_name = ma.fields.Function(lambda g: getattr(g, "helper_name", ""))
    resident_name = ma.fields.Function(lambda g: getattr(g, "resident_name", ""))
    created_at = ma.fields.DateTime()
    accept_by = ma.fields.DateTime(allow_none=True)
    started_at = ma.fields.DateTime(allow_none=True)
    expires_at = ma.fields.DateTime(allow_none=True)
    first_used_at = ma.fields.DateTime(allow_none=True)
    ended_at = ma.fields.DateTime(allow_none=True)
    end_reason = ma.fields.String()


GrantPageSchema = page_schema(GrantSchema, "AssistGrantPage")


class SessionCreatedSchema(GrantSchema):
    code_sent_to = ma.fields.String(metadata={"description": "The phone on record, masked"})


class MandateCreatedSchema(ma.Schema):
    grant = ma.fields.Nested(GrantSchema)
    code = ma.fields.String(metadata={"description": "Shown once: give it to the agent"})


class GrantEventSchema(ma.Schema):
    from_state = ma.fields.String()
    to_state = ma.fields.String()
    reason = ma.fields.String()
    channel = ma.fields.String()
    at = ma.fields.DateTime()
    by = ma.fields.Function(lambda e: getattr(e, "by", ""))


class ActingTokenSchema(ma.Schema):
    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer()


class UsageSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.DateTime()
    who = ma.fields.Function(lambda u: getattr(u, "who", ""))
    purpose = ma.fields.Function(
        lambda u: getattr(u, "purpose", ""), metadata={"description": "What the help was for"}
    )
    what = ma.fields.Function(
        lambda u: usage.words(u, "vi"), metadata={"description": "What was done, in words"}
    )
    what_en = ma.fields.Function(lambda u: usage.words(u, "en"))
    action = ma.fields.String()
    access = ma.fields.String(metadata={"description": "read or write"})
    object_type = ma.fields.String()
    object_id = ma.fields.String()
    channel = ma.fields.String()
    disputed_at = ma.fields.DateTime(allow_none=True)


UsagePageSchema = page_schema(UsageSchema, "UsagePage")


class DisputeSchema(ma.Schema):
    note = ma.fields.String(load_default="", validate=ma.validate.Length(max=1000))


class TeamSchema(ma.Schema):
    id = ma.fields.String(attribute="public_id", dump_only=True)
    commune_code = ma.fields.Integer(required=True)
    village = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    decision_number = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    decision_date = ma.fields.Date(required=True)
    members = ma.fields.Function(lambda t: getattr(t, "member_list", []), dump_only=True)


TeamPageSchema = page_schema(TeamSchema, "TeamPage")


class TeamListArgs(PageArgsSchema):
    commune_code = ma.fields.Integer()


class MemberAddSchema(ma.Schema):
    staff_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=32))


class MemberStatusSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(MEMBER_STATES))


class MemberSchema(ma.Schema):
    staff_id = ma.fields.String()
    status = ma.fields.String()


class ExceptionSchema(ma.Schema):
    helper_id = ma.fields.String(required=True)
    resident = ma.fields.Nested(PersonRefSchema, required=True)
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=5, max=500))
    days = ma.fields.Integer(load_default=1)


class ExceptionCreatedSchema(ma.Schema):
    id = ma.fields.Integer()
    expires_at = ma.fields.DateTime()


class ActivityArgs(ma.Schema):
    date_from = ma.fields.Date(data_key="from", load_default=None)
    date_to = ma.fields.Date(data_key="to", load_default=None)


class ActivitySchema(ma.Schema):
    team = ma.fields.String()
    date_from = ma.fields.Date(data_key="from")
    date_to = ma.fields.Date(data_key="to")
    totals = ma.fields.Dict()
    members = ma.fields.List(ma.fields.Dict())
    unusual = ma.fields.List(ma.fields.Dict())
