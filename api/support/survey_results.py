"""Survey results: counts and distributions per question, per unit and period, verified and
anonymous answers apart (anonymous ones cannot be deduplicated reliably), assisted flagged;
JSON or CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter

from sqlalchemy import select

from api.auth.models import ROLE_ADMIN
from api.kernel.clock import to_local
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.support.survey_models import MULTIPLE, SCALE, SINGLE, Survey, SurveyResponse
from api.support.surveys import quarter_of

GROUPS = ("verified", "unverified")


def _in_period(response: SurveyResponse, period: str | None) -> bool:
    if not period:
        return True
    if "-Q" in period:
        return quarter_of(response.submitted_at) == period
    return to_local(response.submitted_at).strftime("%Y-%m") == period


def _labels(question: dict) -> list[tuple[str, str]]:
    if question["type"] == SCALE:
        return [(str(v), str(v)) for v in range(1, 6)]
    return [(str(o["value"]), o.get("label_vi", str(o["value"]))) for o in question["options"]]


def results(survey: Survey, unit: str | None = None, period: str | None = None) -> dict:
    rows = [
        r
        for r in db.session.scalars(
            select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)
        )
        if (not unit or r.unit_code == unit) and _in_period(r, period)
    ]
    by_group = {g: [r for r in rows if r.verified == (g == "verified")] for g in GROUPS}
    questions = []
    for question in survey.questions:
        key, kind = question["key"], question["type"]
        entry: dict = {"key": key, "type": kind, "text": question.get("text_vi", key)}
        for group, responses in by_group.items():
            given = [r.answers[key] for r in responses if key in r.answers]
            part: dict = {"answered": len(given)}
            if kind in (SINGLE, SCALE, MULTIPLE):
                counts: Counter[str] = Counter()
                for value in given:
                    counts.update(str(v) for v in (value if isinstance(value, list) else [value]))
                part["distribution"] = {
                    value: counts.get(value, 0) for value, _ in _labels(question)
                }
            if kind == SCALE and given:
                part["mean"] = round(sum(int(v) for v in given) / len(given), 2)
            entry[group] = part
        questions.append(entry)
    return {
        "survey": survey.slug,
        "unit": unit,
        "period": period,
        "responses": {
            "total": len(rows),
            "verified": len(by_group["verified"]),
            "unverified": len(by_group["unverified"]),
            "assisted": sum(1 for r in rows if r.assisted),
        },
        "questions": questions,
    }


def as_csv(result: dict, survey: Survey) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "survey",
            "unit",
            "period",
            "question",
            "type",
            "option",
            "label",
            "verified",
            "unverified",
        ]
    )
    labels = {
        q["key"]: dict(_labels(q))
        for q in survey.questions
        if q["type"] in (SINGLE, SCALE, MULTIPLE)
    }
    scope = [result["survey"], result["unit"] or "", result["period"] or ""]
    totals = result["responses"]
    # The counts a percentage needs: responses in all, then each question's answers.
    writer.writerow(
        [*scope, "(responses)", "", "", "(responses)", totals["verified"], totals["unverified"]]
    )
    for q in result["questions"]:
        common = [*scope, q["key"], q["type"]]
        if "distribution" in q["verified"]:
            answered = (q["verified"]["answered"], q["unverified"]["answered"])
            writer.writerow([*common, "", "(answered)", *answered])
            if q["type"] == SCALE:
                means = (q["verified"].get("mean", ""), q["unverified"].get("mean", ""))
                writer.writerow([*common, "", "(mean)", *means])
            for value in q["verified"]["distribution"]:
                writer.writerow(
                    [
                        *common,
                        value,
                        labels[q["key"]].get(value, value),
                        q["verified"]["distribution"][value],
                        q["unverified"]["distribution"][value],
                    ]
                )
        else:
            writer.writerow(
                [*common, "", "(answered)", q["verified"]["answered"], q["unverified"]["answered"]]
            )
    return out.getvalue()


def results_for(principal, survey: Survey, unit: str | None, period: str | None) -> dict:  # noqa: ANN001
    """The results a staff member may read: an officer their own unit, an admin any."""

    if principal.role != ROLE_ADMIN:
        if not principal.unit_code:  # no unit: not every unit's results
            raise ApiError(403, "support_no_unit")
        unit = principal.unit_code
    return results(survey, unit, period)
