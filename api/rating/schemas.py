from __future__ import annotations

import marshmallow as ma


class OptionSchema(ma.Schema):
    score = ma.fields.Integer()
    label = ma.fields.String(attribute="label_vi")
    label_en = ma.fields.String()


class IndicatorSchema(ma.Schema):
    code = ma.fields.Integer()
    title = ma.fields.String(attribute="title_vi", metadata={"description": "Official wording"})
    title_en = ma.fields.String()
    question = ma.fields.String(attribute="question_vi")
    question_en = ma.fields.String()
    answered_by = ma.fields.String(
        metadata={"description": "citizen (asked) or prefilled (from the dossier's dates, shown)"}
    )
    options = ma.fields.List(ma.fields.Nested(OptionSchema))
    value = ma.fields.Integer(
        allow_none=True, metadata={"description": "Prefilled score, or the citizen's answer"}
    )


class RatingSchema(ma.Schema):
    answers = ma.fields.Function(
        lambda r: {str(a.indicator_code): a.score for a in r.answers},
        metadata={"description": "Indicator code → score (2, 1 or 0)"},
    )
    prefilled = ma.fields.Function(
        lambda r: sorted(a.indicator_code for a in r.answers if a.source == "prefilled")
    )
    comment = ma.fields.String()
    channel = ma.fields.String()
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class RatingStateSchema(ma.Schema):
    code = ma.fields.String()
    open = ma.fields.Boolean(metadata={"description": "You can rate (or change your rating) now"})
    reason = ma.fields.String(allow_none=True, metadata={"description": "Why not, as a slug"})
    reason_message = ma.fields.String(allow_none=True)
    editable_until = ma.fields.DateTime(allow_none=True)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorSchema))
    rating = ma.fields.Nested(RatingSchema, allow_none=True)


class RatingInputSchema(ma.Schema):
    answers = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Raw(allow_none=True),
        required=True,
        metadata={
            "description": 'Indicator code → score, e.g. {"3": 2, "4": 2, "6": 1, "7": 2, '
            '"10": 2, "11": 1}. 2/1/0; for 10 and 11: rất hài lòng / hài lòng / không hài lòng.'
        },
    )
    comment = ma.fields.String(load_default=None, allow_none=True)


class RatingUpdateSchema(RatingInputSchema):
    answers = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Raw(allow_none=True), load_default=dict
    )


MONTH_ERROR = "A month as YYYY-MM from 2000-01 to 2099-12, for example 2026-11."


class StatsArgs(ma.Schema):
    unit = ma.fields.String(validate=ma.validate.Length(max=300))
    procedure = ma.fields.String(validate=ma.validate.Length(max=64))
    month = ma.fields.String(
        # Ratings began long after 2000; a year outside the calendar would break the query.
        validate=ma.validate.Regexp(r"^20\d{2}-(0[1-9]|1[0-2])$", error=MONTH_ERROR),
        metadata={"description": "YYYY-MM (the month ratings were given, Vietnam time)"},
    )
    format = ma.fields.String(
        validate=ma.validate.OneOf(["json", "csv"]),
        metadata={"description": "csv, or send Accept: text/csv"},
    )


class LevelSchema(ma.Schema):
    count = ma.fields.Integer()
    share = ma.fields.Float(allow_none=True, metadata={"description": "Fraction of answered"})


class OverallSchema(ma.Schema):
    indicator = ma.fields.Integer(allow_none=True)
    answered = ma.fields.Integer()
    very_satisfied = ma.fields.Nested(LevelSchema, metadata={"description": "Rất hài lòng"})
    satisfied = ma.fields.Nested(LevelSchema, metadata={"description": "Hài lòng"})
    not_satisfied = ma.fields.Nested(LevelSchema, metadata={"description": "Không hài lòng"})


class IndicatorStatSchema(ma.Schema):
    code = ma.fields.Integer()
    title = ma.fields.String()
    title_en = ma.fields.String()
    answered = ma.fields.Integer()
    mean = ma.fields.Float(allow_none=True)


class SatisfactionSchema(ma.Schema):
    filters = ma.fields.Dict()
    count = ma.fields.Integer(metadata={"description": "Ratings"})
    assisted = ma.fields.Integer(
        metadata={"description": "Of which given with a community helper's assistance"}
    )
    overall = ma.fields.Nested(OverallSchema)
    indicators = ma.fields.List(ma.fields.Nested(IndicatorStatSchema))
