"""Satisfaction statistics: count of ratings, share of "rất hài lòng / hài lòng / không hài
lòng" (from the overall indicator), mean score per indicator; as JSON or CSV.

A rating counts in the month it was given (Vietnam time). Means and shares use only the answers
actually given: a partial chat rating adds to the indicators it answered and nothing else.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.dossiers.models import Dossier
from api.kernel.clock import VN_TZ, as_utc
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.rating.models import BY_AGENCY, Rating, RatingAnswer, RatingIndicator

# Scores of the satisfaction scale (indicators 10 and 11).
LEVELS = (("very_satisfied", 2), ("satisfied", 1), ("not_satisfied", 0))


@dataclass(frozen=True)
class StatsFilter:
    unit: str | None = None
    procedure: str | None = None
    month: str | None = None  # "YYYY-MM"


def scoped(principal: Principal, filters: StatsFilter) -> StatsFilter:
    """Officers see their own unit only; admins any unit or all."""
    if principal.role == ROLE_ADMIN:
        return filters
    if not principal.unit_code or (filters.unit and filters.unit != principal.unit_code):
        raise ApiError(403, "stats_unit_forbidden")
    return StatsFilter(principal.unit_code, filters.procedure, filters.month)


def _month_bounds(month: str) -> tuple[datetime, datetime]:
    year, number = (int(part) for part in month.split("-"))
    start = datetime(year, number, 1, tzinfo=VN_TZ)
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=VN_TZ)
    return as_utc(start), as_utc(end)


def _conditions(filters: StatsFilter) -> list:
    conditions = []
    if filters.unit:
        conditions.append(Dossier.handling_unit == filters.unit)
    if filters.procedure:
        conditions.append(Dossier.procedure_code == filters.procedure)
    if filters.month:
        start, end = _month_bounds(filters.month)
        conditions += [Rating.created_at >= start, Rating.created_at < end]
    return conditions


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def satisfaction(filters: StatsFilter) -> dict:
    conditions = _conditions(filters)
    count = db.session.scalar(
        select(func.count(Rating.id))
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(*conditions)
    )
    # Ratings given with a community helper (api/assistance) are counted apart.
    assisted = db.session.scalar(
        select(func.count(Rating.id))
        .join(Dossier, Dossier.id == Rating.dossier_id)
        .where(*conditions, Rating.assisted.is_(True))
    )
    per_indicator = {
        code: (answered, mean)
        for code, answered, mean in db.session.execute(
            select(RatingAnswer.indicator_code, func.count(), func.avg(RatingAnswer.score))
            .join(Rating, Rating.id == RatingAnswer.rating_id)
            .join(Dossier, Dossier.id == Rating.dossier_id)
            .where(*conditions)
            .group_by(RatingAnswer.indicator_code)
        )
    }
    rated = list(
        db.session.scalars(
            select(RatingIndicator)
            .where(RatingIndicator.answered_by != BY_AGENCY)
            .order_by(RatingIndicator.code)
        )
    )
    overall = next((i for i in rated if i.is_overall), None)
    by_score: dict[int, int] = {}
    if overall is not None:
        by_score = dict(
            db.session.execute(
                select(RatingAnswer.score, func.count())
                .join(Rating, Rating.id == RatingAnswer.rating_id)
                .join(Dossier, Dossier.id == Rating.dossier_id)
                .where(*conditions, RatingAnswer.indicator_code == overall.code)
                .group_by(RatingAnswer.score)
            ).all()
        )
    answered_overall = sum(by_score.values())
    return {
        "filters": {"unit": filters.unit, "procedure": filters.procedure, "month": filters.month},
        "count": count,
        "assisted": assisted,
        "overall": {
            "indicator": overall.code if overall else None,
            "answered": answered_overall,
            **{
                name: {
                    "count": by_score.get(score, 0),
                    "share": _share(by_score.get(score, 0), answered_overall),
                }
                for name, score in LEVELS
            },
        },
        "indicators": [
            {
                "code": indicator.code,
                "title": indicator.question_vi,
                "title_en": indicator.question_en,
                "answered": per_indicator.get(indicator.code, (0, None))[0],
                "mean": (
                    round(float(per_indicator[indicator.code][1]), 2)
                    if indicator.code in per_indicator
                    else None
                ),
            }
            for indicator in rated
        ],
    }


def as_csv(result: dict) -> str:
    """One header row and one data row, with a BOM so spreadsheet programs read UTF-8."""
    names = [name for name, _ in LEVELS]
    header = ["unit", "procedure", "month", "count", "overall_answered"]
    header += [f"{n}_count" for n in names] + [f"{n}_share" for n in names]
    header += [f"mean_{i['code']}" for i in result["indicators"]]
    header += [f"answered_{i['code']}" for i in result["indicators"]]
    overall = result["overall"]
    row = [result["filters"][k] or "" for k in ("unit", "procedure", "month")]
    row += [result["count"], overall["answered"]]
    row += [overall[n]["count"] for n in names]
    row += ["" if overall[n]["share"] is None else overall[n]["share"] for n in names]
    row += ["" if i["mean"] is None else i["mean"] for i in result["indicators"]]
    row += [i["answered"] for i in result["indicators"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerow(row)
    return "\ufeff" + buffer.getvalue()
