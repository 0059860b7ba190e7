"""The Decision 766 figures of one scope and period, computed from dossier facts (pure: no
database, so golden tests feed hand-built facts).

Every figure keeps the items behind it (dossier or procedure codes in its numerator and
denominator), so the drill-down adds up to the figure by construction. Shares are exact
fractions: a threshold of 80 % is met by 8/10 and missed by 7999/10000, whatever the rounding
of the percentage shown (which is truncated, so it never shows a threshold it did not reach).
An empty denominator is "not applicable" (no score, not zero); a figure that cannot be measured
here says so and why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

from api.kernel.clock import as_utc
from api.quality.calendar import WorkCalendar, local_date
from api.quality.definitions import OFFICIAL_MAXIMUM, Indicator, Version
from api.quality.timeliness import FINISHED, OPEN_OVERDUE, Clocked, classify, status_at

ONLINE_LEVELS = frozenset({"toan_trinh", "mot_phan"})
MEASURED, NOT_APPLICABLE, NOT_MEASURABLE = "measured", "not_applicable", "not_measurable"
LOCAL_ESTIMATE = "local_estimate"


@dataclass(frozen=True)
class FactInput:
    code: str
    unit_code: str = ""
    unit_name: str = ""
    commune_code: int | None = None
    procedure_code: str = ""
    online_level: str = ""
    channel: str = ""
    history: tuple[tuple[datetime, int], ...] = ()
    received_at: datetime | None = None
    due_at: datetime | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    components: int = 0
    digitised: bool = False
    e_result: bool = False
    has_fee: bool = False
    paid_online: bool = False
    synced_to_portal: bool = False


@dataclass(frozen=True)
class RatingInput:
    dossier_code: str
    given_at: datetime
    overall: int | None  # 2 very satisfied, 1 satisfied, 0 not satisfied, None unanswered
    assisted: bool = False


@dataclass
class Period:
    start: datetime
    end: datetime  # exclusive
    cutoff: datetime  # data cut-off: nothing later is seen

    @property
    def as_of(self) -> datetime:
        return min(as_utc(self.end), as_utc(self.cutoff))


@dataclass
class Figure:
    numerator: list[str] = field(default_factory=list)
    denominator: list[str] = field(default_factory=list)


@dataclass
class _Judged:
    fact: FactInput
    bucket: str
    finished_in: bool
    received_in: bool


def _percent(share: Fraction) -> str:
    return str(
        (Decimal(share.numerator * 100) / Decimal(share.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_DOWN
        )
    )


def _points(value: Fraction) -> str:
    # Truncated like the shares: 7.999 points shows 7.99, never a full 8 it did not reach.
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.01"), rounding=ROUND_DOWN))


def score(indicator: Indicator, share: Fraction) -> Fraction:
    """The scoring rule of the definition. Below a threshold the score is proportional to the
    way there (max × share ÷ threshold), never a fixed fallback: 0 % online scores 0."""
    maximum = Fraction(indicator.max)
    kind = indicator.rule.get("kind", "linear")
    if kind == "linear":
        return maximum * share
    if kind == "threshold":
        threshold = Fraction(Decimal(indicator.rule["threshold"])) / 100
        return maximum if share >= threshold else maximum * share / threshold
    raise ValueError(f"{indicator.code}: unknown scoring rule {kind!r}")


class Computation:
    """All figures of one scope and period."""

    def __init__(
        self,
        facts: list[FactInput],
        ratings: list[RatingInput],
        procedures: list[tuple[str, str]],  # (procedure code, online level) of the catalog
        period: Period,
        version: Version,
        calendar: WorkCalendar,
        groups: dict[int, str],
    ) -> None:
        self.period, self.version, self.calendar, self.groups = period, version, calendar, groups
        self.procedures = sorted(procedures)
        as_of = period.as_of
        self.judged = [self._judge(f, as_of) for f in sorted(facts, key=lambda f: f.code)]
        self.ratings = sorted(
            (
                r
                for r in ratings
                if as_utc(period.start) <= as_utc(r.given_at) < as_of and r.overall is not None
            ),
            key=lambda r: r.dossier_code,
        )

    def _judge(self, f: FactInput, as_of: datetime) -> _Judged:
        start, end = as_utc(self.period.start), as_utc(self.period.end)
        view = Clocked(f.history, self.groups, f.due_at, f.finished_at)
        bucket = classify(view, self.calendar, as_of)
        finished_in = False
        if bucket in FINISHED:
            finish = (
                f.finished_at
                if f.finished_at and f.finished_at <= as_of
                else status_at(view, as_of)[1]
            )
            finished_in = start <= finish < end
        received = (
            f.received_at is not None and start <= f.received_at < end and f.received_at <= as_of
        )
        return _Judged(f, bucket, finished_in, received)

    # measures ------------------------------------------------------------------------

    def _share_of(self, pool: list[_Judged], hit: Callable[[_Judged], bool]) -> Figure:
        return Figure([j.fact.code for j in pool if hit(j)], [j.fact.code for j in pool])

    def synced_share(self, rows: list[_Judged]) -> Figure:
        return self._share_of([j for j in rows if j.received_in], lambda j: j.fact.synced_to_portal)

    def on_time_share(self, rows: list[_Judged]) -> Figure:
        end = as_utc(self.period.end)
        pool = [
            j
            for j in rows
            if j.finished_in
            or (
                j.bucket in OPEN_OVERDUE
                and j.fact.received_at is not None
                and j.fact.received_at < end
            )
        ]
        return self._share_of(pool, lambda j: j.bucket in ("early", "on_time"))

    def online_procedures_share(self, _rows: list[_Judged]) -> Figure:
        return Figure(
            [code for code, level in self.procedures if level in ONLINE_LEVELS],
            [code for code, _ in self.procedures],
        )

    def online_procedures_used_share(self, rows: list[_Judged]) -> Figure:
        used: dict[str, bool] = {}
        for j in rows:
            if j.received_in and j.fact.online_level in ONLINE_LEVELS and j.fact.procedure_code:
                code = j.fact.procedure_code
                used[code] = used.get(code, False) or j.fact.channel == "online"
        return Figure(sorted(c for c, online in used.items() if online), sorted(used))

    def online_dossiers_share(self, rows: list[_Judged]) -> Figure:
        pool = [j for j in rows if j.received_in and j.fact.online_level in ONLINE_LEVELS]
        return self._share_of(pool, lambda j: j.fact.channel == "online")  # postal is not online

    def online_payment_share(self, rows: list[_Judged]) -> Figure:
        pool = [j for j in rows if j.received_in and j.fact.has_fee]
        return self._share_of(pool, lambda j: j.fact.paid_online)

    def e_result_share(self, rows: list[_Judged]) -> Figure:
        pool = [j for j in rows if j.finished_in and self._has_result(j)]
        return self._share_of(pool, lambda j: j.fact.e_result)

    def digitised_share(self, rows: list[_Judged]) -> Figure:
        # Only dossiers that have components can be digitised (the provincial check counted
        # dossiers without any).
        pool = [j for j in rows if j.received_in and j.fact.components > 0]
        return self._share_of(pool, lambda j: j.fact.digitised)

    def satisfaction_share(self, rows: list[_Judged], assisted: bool = False) -> Figure:
        codes = {j.fact.code for j in rows}
        pool = [r for r in self.ratings if r.dossier_code in codes and r.assisted == assisted]
        return Figure(
            [r.dossier_code for r in pool if r.overall >= 1], [r.dossier_code for r in pool]
        )

    def invited_share(self, rows: list[_Judged], assisted: bool = False) -> Figure:
        """(very satisfied + satisfied) ÷ dossiers with a result in the period (all invited)."""
        satisfied = set(self.satisfaction_share(rows, assisted).numerator)
        pool = [j.fact.code for j in rows if j.finished_in and self._has_result(j)]
        return Figure([c for c in pool if c in satisfied], pool)

    def very_satisfied_share(self, rows: list[_Judged], assisted: bool = False) -> Figure:
        codes = {j.fact.code for j in rows}
        pool = [r for r in self.ratings if r.dossier_code in codes and r.assisted == assisted]
        return Figure(
            [r.dossier_code for r in pool if r.overall == 2], [r.dossier_code for r in pool]
        )

    def _has_result(self, j: _Judged) -> bool:
        code, _ = status_at(Clocked(j.fact.history, self.groups, None, None), self.period.as_of)
        return self.groups.get(code) == "done"

    # output --------------------------------------------------------------------------

    def figures(self, rows: list[_Judged] | None = None) -> list[tuple[dict, Figure | None]]:
        rows = self.judged if rows is None else rows
        out = []
        for indicator in self.version.indicators:
            base = {
                "code": indicator.code,
                "group": indicator.group,
                "name_vi": indicator.name_vi,
                "name_en": indicator.name_en,
                "max": str(indicator.max),
                "rule": indicator.rule,
                "label": LOCAL_ESTIMATE,
            }
            if indicator.measure is None:
                out.append(
                    (
                        {
                            **base,
                            "status": NOT_MEASURABLE,
                            "why_not": indicator.why_not,
                            "numerator": None,
                            "denominator": None,
                            "percent": None,
                            "score": None,
                        },
                        None,
                    )
                )
                continue
            figure = getattr(self, indicator.measure)(rows)
            n, d = len(figure.numerator), len(figure.denominator)
            if d == 0:
                out.append(
                    (
                        {
                            **base,
                            "status": NOT_APPLICABLE,
                            "numerator": 0,
                            "denominator": 0,
                            "percent": None,
                            "score": None,
                        },
                        figure,
                    )
                )
                continue
            share = Fraction(n, d)
            out.append(
                (
                    {
                        **base,
                        "status": MEASURED,
                        "numerator": n,
                        "denominator": d,
                        "percent": _percent(share),
                        "score": _points(score(indicator, share)),
                    },
                    figure,
                )
            )
        return out

    def result(self) -> tuple[dict, dict[str, Figure]]:
        """(content, members by figure code)."""
        figures = self.figures()
        members = {f["code"]: fig for f, fig in figures if fig is not None}
        groups = []
        total_score, total_measured = Fraction(0), Fraction(0)
        for g in self.version.groups:
            inside = [f for f, _ in figures if f["group"] == g["code"]]
            measured = [f for f in inside if f["status"] == MEASURED]
            got = sum((Fraction(Decimal(f["score"])) for f in measured), Fraction(0))
            measured_max = sum((Fraction(Decimal(f["max"])) for f in measured), Fraction(0))
            total_score += got
            total_measured += measured_max
            groups.append(
                {
                    "code": g["code"],
                    "name_vi": g["name_vi"],
                    "name_en": g["name_en"],
                    "max": str(g["max"]),
                    "measured_max": _points(measured_max),
                    "score": _points(got),
                    "not_measurable": [f["code"] for f in inside if f["status"] == NOT_MEASURABLE],
                    "not_applicable": [f["code"] for f in inside if f["status"] == NOT_APPLICABLE],
                }
            )
        satisfaction, sat_members = self._satisfaction()
        members.update(sat_members)
        content = {
            "label": LOCAL_ESTIMATE,
            "formula_version": self.version.version,
            "legal_basis": self.version.legal_basis,
            "total": {
                "score": _points(total_score),
                "measured_max": _points(total_measured),
                "official_max": OFFICIAL_MAXIMUM,
                "label": LOCAL_ESTIMATE,
            },
            "groups": groups,
            "figures": [f for f, _ in figures],
            "satisfaction": satisfaction,
            "counts": self._counts(self.judged),
            "handling_time": self._handling(),
        }
        return content, members

    def _variant(self, code: str, figure: Figure, vi: str, en: str) -> dict:
        n, d = len(figure.numerator), len(figure.denominator)
        return {
            "code": code,
            "label_vi": vi,
            "label_en": en,
            "numerator": n,
            "denominator": d,
            "status": MEASURED if d else NOT_APPLICABLE,
            "percent": _percent(Fraction(n, d)) if d else None,
        }

    def _satisfaction(self) -> tuple[dict, dict[str, Figure]]:
        rows = self.judged
        specs = [
            (
                "SAT_ANSWERED",
                self.satisfaction_share,
                "(Rất hài lòng + Hài lòng) ÷ số đã đánh giá",
                "(very satisfied + satisfied) ÷ ratings answered",
            ),
            (
                "SAT_INVITED",
                self.invited_share,
                "(Rất hài lòng + Hài lòng) ÷ số hồ sơ có kết quả (được mời đánh giá)",
                "(very satisfied + satisfied) ÷ dossiers with a result (invited to rate)",
            ),
            (
                "SAT_VERY",
                self.very_satisfied_share,
                "Rất hài lòng ÷ số đã đánh giá",
                "very satisfied ÷ ratings answered",
            ),
        ]
        members: dict[str, Figure] = {}
        out: dict[str, list] = {"self": [], "assisted": []}
        for assisted, key, suffix in ((False, "self", ""), (True, "assisted", "_ASSISTED")):
            for code, measure, vi, en in specs:
                figure = measure(rows, assisted)
                members[code + suffix] = figure
                out[key].append(self._variant(code + suffix, figure, vi, en))
        return {
            "note_vi": "Đánh giá có người hỗ trợ (tổ công nghệ số cộng đồng) được tính riêng.",
            "note_en": "Ratings given with a helper (community digital technology team) are counted apart.",
            **out,
        }, members

    def _counts(self, rows: list[_Judged]) -> dict:
        received = [j for j in rows if j.received_in]
        buckets: dict[str, int] = {}
        for j in rows:
            if j.finished_in or (
                j.bucket not in FINISHED
                and j.fact.received_at is not None
                and j.fact.received_at < as_utc(self.period.end)
                and j.bucket not in ("not_counted", "not_received")
            ):
                buckets[j.bucket] = buckets.get(j.bucket, 0) + 1
        start, as_of = as_utc(self.period.start), self.period.as_of
        return {
            "received": len(received),
            "received_online": sum(1 for j in received if j.fact.channel == "online"),
            "received_in_person": sum(1 for j in received if j.fact.channel == "in_person"),
            "received_postal": sum(1 for j in received if j.fact.channel == "postal"),
            "returned": sum(
                1 for j in rows if j.fact.returned_at and start <= j.fact.returned_at < as_of
            ),
            **{
                name: buckets.get(name, 0)
                for name in (
                    "early",
                    "on_time",
                    "late",
                    "in_progress",
                    "in_progress_overdue",
                    "paused",
                    "paused_overdue",
                    "no_due_date",
                )
            },
        }

    def _handling(self) -> dict:
        """Average handling time in working days (received → finished), overall and per
        procedure: a named sub-indicator of the timeliness group, shown without points."""
        days: dict[str, list[int]] = {}
        for j in self.judged:
            if not j.finished_in or j.fact.received_at is None:
                continue
            finish = j.fact.finished_at or j.fact.received_at
            spent = self.calendar.working_days_between(
                local_date(j.fact.received_at), local_date(finish)
            )
            days.setdefault(j.fact.procedure_code, []).append(spent)

        def mean(values: list[int]) -> str | None:
            return _points(Fraction(sum(values), len(values))) if values else None

        every = [d for values in days.values() for d in values]
        return {
            "label": LOCAL_ESTIMATE,
            "unit": "working_days",
            "count": len(every),
            "mean": mean(every),
            "by_procedure": [
                {"procedure_code": code, "count": len(v), "mean": mean(v)}
                for code, v in sorted(days.items())
            ],
        }

    def by_unit(self) -> list[dict]:
        """On-time and online shares per unit (for the province's report)."""
        units: dict[str, list[_Judged]] = {}
        names: dict[str, str] = {}
        for j in self.judged:
            units.setdefault(j.fact.unit_code, []).append(j)
            names.setdefault(j.fact.unit_code, j.fact.unit_name)
        out = []
        for code in sorted(units):
            rows = units[code]
            on_time, online = self.on_time_share(rows), self.online_dossiers_share(rows)
            out.append(
                {
                    "unit_code": code,
                    "unit_name": names[code],
                    "received": sum(1 for j in rows if j.received_in),
                    "on_time": self._variant("T1", on_time, "", ""),
                    "online": self._variant("S3", online, "", ""),
                }
            )
        for item in out:
            for key in ("on_time", "online"):
                item[key] = {
                    k: item[key][k] for k in ("numerator", "denominator", "status", "percent")
                }
        return out
