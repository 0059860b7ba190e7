"""Request and response shapes of the support API (marshmallow, documented in OpenAPI)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.kernel.pagination import PageArgsSchema, page_schema
from api.support.articles import is_stale
from api.support.models import ARTICLE_STATES, QUESTION_STATES
from api.support.survey_models import SURVEY_KINDS

# Short enough for the chats' button data (Telegram allows 64 bytes): «y:<survey>:<dossier
# code>» and «sv:<article>:1» must fit.
SLUG_MAX = 32
SLUG = validate.Regexp(rf"^[a-z0-9_]{{2,{SLUG_MAX}}}$", error=f"2-{SLUG_MAX} of a-z, 0-9, _")
TEXT = validate.Length(min=1, max=2000)


class AskSchema(ma.Schema):
    question = ma.fields.String(required=True, validate=validate.Length(min=1, max=500))
    channel = ma.fields.String(load_default="app", validate=validate.OneOf(["app", "web"]))


class CandidateSchema(ma.Schema):
    kind = ma.fields.String()
    key = ma.fields.String()
    title = ma.fields.String()
    short_answer = ma.fields.String()
    stale = ma.fields.Boolean()
    stale_note = ma.fields.String(allow_none=True)
    procedure_code = ma.fields.String(allow_none=True)
    score = ma.fields.Float()


class AskResultSchema(ma.Schema):
    outcome = ma.fields.String(metadata={"description": "answer | choices | fallback"})
    answer = ma.fields.Nested(CandidateSchema, allow_none=True)
    choices = ma.fields.List(ma.fields.Nested(CandidateSchema))
    message = ma.fields.String()
    log_id = ma.fields.Integer()


class ArticleViewSchema(ma.Schema):
    slug = ma.fields.String()
    title = ma.fields.String()
    short_answer = ma.fields.String()
    full_answer = ma.fields.String()
    procedure_codes = ma.fields.List(ma.fields.String())
    field_codes = ma.fields.List(ma.fields.String())
    owner_unit = ma.fields.String()
    reviewed_on = ma.fields.Date(allow_none=True)
    review_due_on = ma.fields.Date(allow_none=True)
    stale = ma.fields.Boolean()
    stale_note = ma.fields.String(allow_none=True)
    helpful = ma.fields.Integer()
    not_helpful = ma.fields.Integer()
    views = ma.fields.Integer()


ArticleViewPage = page_schema(ArticleViewSchema, "ArticleViewPage")


class ArticleListArgs(PageArgsSchema):
    q = ma.fields.String(validate=validate.Length(max=100))


class VoteSchema(ma.Schema):
    helpful = ma.fields.Boolean(required=True)
    device = ma.fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,80}$"),
        metadata={"description": "Anonymous voters: a stable device token (one vote each)"},
    )


class ArticleInputSchema(ma.Schema):
    slug = ma.fields.String(required=True, validate=SLUG)
    title_vi = ma.fields.String(required=True, validate=validate.Length(min=3, max=300))
    title_en = ma.fields.String(load_default="", validate=validate.Length(max=300))
    short_vi = ma.fields.String(required=True, validate=validate.Length(min=3, max=600))
    short_en = ma.fields.String(load_default="", validate=validate.Length(max=600))
    body_vi = ma.fields.String(load_default="", validate=validate.Length(max=8000))
    body_en = ma.fields.String(load_default="", validate=validate.Length(max=8000))
    variants = ma.fields.List(
        ma.fields.String(validate=validate.Length(min=2, max=200)),
        load_default=list,
        validate=validate.Length(max=50),
    )
    procedure_codes = ma.fields.List(
        ma.fields.String(validate=validate.Length(max=64)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    field_codes = ma.fields.List(
        ma.fields.String(validate=validate.Length(max=64)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    owner_unit = ma.fields.String(load_default="", validate=validate.Length(max=300))
    review_due_on = ma.fields.Date(allow_none=True, load_default=None)


class ArticleUpdateSchema(ArticleInputSchema):
    """The same fields, any of them (used with partial=True)."""


class ArticleSchema(ma.Schema):
    slug = ma.fields.String()
    status = ma.fields.String()
    title_vi = ma.fields.String()
    title_en = ma.fields.String()
    short_vi = ma.fields.String()
    short_en = ma.fields.String()
    body_vi = ma.fields.String()
    body_en = ma.fields.String()
    variants = ma.fields.List(ma.fields.String())
    procedure_codes = ma.fields.List(ma.fields.String())
    field_codes = ma.fields.List(ma.fields.String())
    owner_unit = ma.fields.String()
    reviewed_on = ma.fields.Date(allow_none=True)
    review_due_on = ma.fields.Date(allow_none=True)
    stale = ma.fields.Method("_stale")
    helpful = ma.fields.Integer()
    not_helpful = ma.fields.Integer()
    views = ma.fields.Integer()
    version = ma.fields.Integer()
    published_at = ma.fields.DateTime(allow_none=True)

    def _stale(self, article) -> bool:  # noqa: ANN001

        return is_stale(article)


ArticlePage = page_schema(ArticleSchema, "SupportArticlePage")


class AdminArticleArgs(PageArgsSchema):
    status = ma.fields.String(validate=validate.OneOf(ARTICLE_STATES))
    stale = ma.fields.Boolean()
    q = ma.fields.String(validate=validate.Length(max=100))


class TransitionSchema(ma.Schema):
    to = ma.fields.String(required=True, validate=validate.OneOf(ARTICLE_STATES))


class WeekArgs(ma.Schema):
    week = ma.fields.String(validate=validate.Regexp(r"^20\d\d-W(0[1-9]|[1-4]\d|5[0-3])$"))
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class UnansweredItemSchema(ma.Schema):
    question = ma.fields.String()
    count = ma.fields.Integer()
    no_answer = ma.fields.Integer()


class UnansweredSchema(ma.Schema):
    week = ma.fields.String()
    totals = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    items = ma.fields.List(ma.fields.Nested(UnansweredItemSchema))


class GuidanceSchema(ma.Schema):
    procedure_code = ma.fields.String()
    name = ma.fields.String()
    field_code = ma.fields.String()
    online_level = ma.fields.String(allow_none=True)
    online_level_name = ma.fields.String()
    checklist = ma.fields.List(ma.fields.Dict())
    where = ma.fields.List(ma.fields.String())
    channels = ma.fields.List(ma.fields.Dict())
    fees = ma.fields.List(ma.fields.Dict())
    duration = ma.fields.String()
    steps = ma.fields.List(ma.fields.String())
    results = ma.fields.List(ma.fields.String())
    what_next = ma.fields.String()
    requirements = ma.fields.String()


class QuestionInputSchema(ma.Schema):
    text = ma.fields.String(required=True, validate=validate.Length(min=5, max=2000))
    procedure_code = ma.fields.String(validate=validate.Length(max=64))
    field_code = ma.fields.String(validate=validate.Length(max=64))
    contact_name = ma.fields.String(load_default="", validate=validate.Length(max=200))
    contact_phone = ma.fields.String(validate=validate.Length(max=20))
    contact_email = ma.fields.Email(validate=validate.Length(max=200))


class MyQuestionSchema(ma.Schema):
    id = ma.fields.Integer()
    status = ma.fields.String()
    text = ma.fields.String()
    procedure_code = ma.fields.String(allow_none=True)
    field_code = ma.fields.String(allow_none=True)
    unit_code = ma.fields.String()
    due_at = ma.fields.DateTime()
    answer = ma.fields.String()
    answered_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()


MyQuestionPage = page_schema(MyQuestionSchema, "MySupportQuestionPage")


class StaffQuestionSchema(MyQuestionSchema):
    source = ma.fields.String()
    portal_id = ma.fields.String(allow_none=True)
    personal_data = ma.fields.List(ma.fields.String())
    channel = ma.fields.String()
    contact_name = ma.fields.String()
    contact_phone = ma.fields.String(allow_none=True)
    contact_email = ma.fields.String(allow_none=True)
    public_question = ma.fields.String()
    public_answer = ma.fields.String()
    answered_by = ma.fields.String()
    published_at = ma.fields.DateTime(allow_none=True)


StaffQuestionPage = page_schema(StaffQuestionSchema, "StaffSupportQuestionPage")


class QueueArgs(PageArgsSchema):
    status = ma.fields.String(validate=validate.OneOf(QUESTION_STATES))
    overdue = ma.fields.Boolean(load_default=False)


class AnswerInputSchema(ma.Schema):
    answer = ma.fields.String(required=True, validate=TEXT)
    title = ma.fields.String(load_default="", validate=validate.Length(max=200))


class PublishInputSchema(ma.Schema):
    public_question = ma.fields.String(validate=TEXT)
    public_answer = ma.fields.String(validate=TEXT)


class PublicQaSchema(ma.Schema):
    id = ma.fields.Integer()
    question = ma.fields.String()
    answer = ma.fields.String()
    field_code = ma.fields.String(allow_none=True)
    procedure_code = ma.fields.String(allow_none=True)
    unit_code = ma.fields.String()
    answered_at = ma.fields.DateTime(allow_none=True)
    published_at = ma.fields.DateTime(allow_none=True)
    source = ma.fields.String()


PublicQaPage = page_schema(PublicQaSchema, "PublicQaPage")


class PublicQaArgs(PageArgsSchema):
    q = ma.fields.String(validate=validate.Length(max=100))
    field = ma.fields.String(validate=validate.Length(max=64))


class SyncReportSchema(ma.Schema):
    pulled = ma.fields.Integer()
    created = ma.fields.Integer()
    skipped = ma.fields.Integer()
    mapping_errors = ma.fields.Integer()
    pushed_questions = ma.fields.Integer()
    pushed_answers = ma.fields.Integer()
    failures = ma.fields.List(ma.fields.String())


class PortalErrorSchema(ma.Schema):
    id = ma.fields.Integer()
    service = ma.fields.String()
    portal_id = ma.fields.String()
    reason = ma.fields.String()
    detail = ma.fields.String()
    seen = ma.fields.Integer()
    created_at = ma.fields.DateTime()


class SurveySchema(ma.Schema):
    slug = ma.fields.String()
    kind = ma.fields.String()
    status = ma.fields.String()
    title_vi = ma.fields.String()
    title_en = ma.fields.String()
    intro_vi = ma.fields.String()
    intro_en = ma.fields.String()
    unit_code = ma.fields.String()
    questions = ma.fields.List(ma.fields.Dict())


class SurveyInputSchema(ma.Schema):
    slug = ma.fields.String(required=True, validate=SLUG)
    kind = ma.fields.String(required=True, validate=validate.OneOf(SURVEY_KINDS))
    title_vi = ma.fields.String(required=True, validate=validate.Length(min=3, max=300))
    title_en = ma.fields.String(load_default="", validate=validate.Length(max=300))
    intro_vi = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    intro_en = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    unit_code = ma.fields.String(load_default="", validate=validate.Length(max=300))
    questions = ma.fields.List(
        ma.fields.Dict(), required=True, validate=validate.Length(min=1, max=50)
    )
    active = ma.fields.Boolean(load_default=True)


class ResponseInputSchema(ma.Schema):
    answers = ma.fields.Dict(required=True)
    dossier_code = ma.fields.String(validate=validate.Length(max=64))
    comment = ma.fields.String(load_default="", validate=validate.Length(max=2000))
    device = ma.fields.String(
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,80}$"),
        metadata={"description": "Anonymous answers: a device token"},
    )


class ResponseSchema(ma.Schema):
    id = ma.fields.Integer()
    period = ma.fields.String()
    verified = ma.fields.Boolean()
    assisted = ma.fields.Boolean()
    answers = ma.fields.Dict()
    submitted_at = ma.fields.DateTime()


class ResultsArgs(ma.Schema):
    unit = ma.fields.String(validate=validate.Length(max=300))
    period = ma.fields.String(
        validate=validate.Regexp(r"^20\d\d-(Q[1-4]|0[1-9]|1[0-2])$"),
        metadata={"description": "A quarter (2026-Q4) or a month (2026-11), Vietnam time"},
    )
    format = ma.fields.String(validate=validate.OneOf(["json", "csv"]))


class InviteInputSchema(ma.Schema):
    account_ids = ma.fields.List(ma.fields.Integer(), validate=validate.Length(max=10000))


class ResultsSchema(ma.Schema):
    survey = ma.fields.String()
    unit = ma.fields.String(allow_none=True)
    period = ma.fields.String(allow_none=True)
    responses = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    questions = ma.fields.List(
        ma.fields.Dict(),
        metadata={
            "description": "key, type, text, and per group (verified / unverified): "
            "answered, distribution (scale and choices), mean (scale)"
        },
    )


class InvitedSchema(ma.Schema):
    invited = ma.fields.Integer()
