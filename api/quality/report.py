"""The public monthly report of a province or unit: published snapshots only, with a 12-month
trend, as a dict (JSON), CSV, or the HTML page (pages.py). No personal data: figures, counts
and unit names, never a dossier code or a person."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from api.admin_units.models import Province
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.quality import periods
from api.quality.models import DossierFact, Snapshot
from api.quality.service import check_period, with_published_values
from api.quality.snapshots import latest, province_code

PUBLIC_SCOPES = ("province", "unit")
TREND_MONTHS = 12
WHOLE_PROVINCE = "Toàn tỉnh"  # the all-units scope's name in the data (pages translate it)


def scope_name(scope_kind: str, scope_code: str) -> str:
    if scope_kind == "province":
        if scope_code.isdigit():
            province = db.session.get(Province, int(scope_code))
            if province is not None:
                return province.name
        return WHOLE_PROVINCE
    name = db.session.scalar(
        select(DossierFact.unit_name).where(DossierFact.unit_code == scope_code).limit(1)
    )
    return name or scope_code


def _latest_month(scope_kind: str, scope_code: str) -> str | None:
    return db.session.scalar(
        select(Snapshot.period_key)
        .where(
            Snapshot.scope_kind == scope_kind,
            Snapshot.scope_code == scope_code,
            Snapshot.period_kind == "month",
            Snapshot.published_at.is_not(None),
        )
        .order_by(Snapshot.period_key.desc())
        .limit(1)
    )


def monthly_report(scope_kind: str, scope_code: str | None, month: str | None) -> dict:
    if scope_kind not in PUBLIC_SCOPES:
        raise ApiError(404, "quality_bad_scope")
    scope_code = scope_code or province_code()
    if month is not None:
        check_period("month", month)
    month = month or _latest_month(scope_kind, scope_code)
    snapshot = latest(scope_kind, scope_code, "month", month) if month else None
    if snapshot is None:
        raise ApiError(404, "quality_report_not_published")
    content = with_published_values(snapshot, json.loads(snapshot.content))
    trend = []
    for key in periods.last_months(month, TREND_MONTHS):
        past = latest(scope_kind, scope_code, "month", key)
        total = json.loads(past.content)["total"] if past else None
        trend.append(
            {
                "month": key,
                "score": total["score"] if total else None,
                "measured_max": total["measured_max"] if total else None,
            }
        )
    return {
        "scope": {
            "kind": scope_kind,
            "code": scope_code,
            "name": scope_name(scope_kind, scope_code),
        },
        "month": month,
        "snapshot_id": snapshot.id,
        "published_at": snapshot.published_at.isoformat(),
        "data_cutoff": content["data_cutoff"],
        "formula_version": content["formula_version"],
        "legal_basis": content["legal_basis"],
        "label": content["label"],
        "total": content["total"],
        "groups": content["groups"],
        "figures": content["figures"],
        "satisfaction": content["satisfaction"],
        "counts": content["counts"],
        "handling_time": {k: v for k, v in content["handling_time"].items() if k != "by_procedure"},
        "by_unit": content.get("by_unit", []),
        "trend": trend,
    }


def report_csv(report: dict) -> str:
    """One row per figure, group, satisfaction variant, unit and month; BOM for spreadsheets."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            "section",
            "code",
            "name",
            "numerator",
            "denominator",
            "percent",
            "score",
            "max",
            "status",
            "portal_value",
            "label",
        ]
    )
    total = report["total"]
    writer.writerow(
        [
            "total",
            "total",
            report["scope"]["name"],
            "",
            "",
            "",
            total["score"],
            total["measured_max"],
            "measured",
            (total.get("portal_value") or {}).get("value", ""),
            total["label"],
        ]
    )
    for g in report["groups"]:
        writer.writerow(
            [
                "group",
                g["code"],
                g["name_vi"],
                "",
                "",
                "",
                g["score"],
                g["measured_max"],
                "measured",
                (g.get("portal_value") or {}).get("value", ""),
                "local_estimate",
            ]
        )
    for f in report["figures"]:
        writer.writerow(
            [
                "figure",
                f["code"],
                f["name_vi"],
                _blank(f["numerator"]),
                _blank(f["denominator"]),
                _blank(f["percent"]),
                _blank(f["score"]),
                f["max"],
                f["status"],
                (f.get("portal_value") or {}).get("value", ""),
                f["label"],
            ]
        )
    for key in ("self", "assisted"):
        for v in report["satisfaction"][key]:
            writer.writerow(
                [
                    "satisfaction",
                    v["code"],
                    v["label_vi"],
                    v["numerator"],
                    v["denominator"],
                    _blank(v["percent"]),
                    "",
                    "",
                    v["status"],
                    "",
                    "local_estimate",
                ]
            )
    handling = report["handling_time"]
    writer.writerow(
        [
            "handling_time",
            "mean_working_days",
            "",
            "",
            handling["count"],
            _blank(handling["mean"]),
            "",
            "",
            "measured" if handling["mean"] else "not_applicable",
            "",
            "local_estimate",
        ]
    )
    for u in report["by_unit"]:
        for key in ("on_time", "online"):
            part = u[key]
            writer.writerow(
                [
                    f"unit_{key}",
                    u["unit_code"],
                    u["unit_name"],
                    part["numerator"],
                    part["denominator"],
                    _blank(part["percent"]),
                    "",
                    "",
                    part["status"],
                    "",
                    "local_estimate",
                ]
            )
    for t in report["trend"]:
        writer.writerow(
            [
                "trend",
                t["month"],
                "",
                "",
                "",
                "",
                _blank(t["score"]),
                _blank(t["measured_max"]),
                "measured" if t["score"] is not None else "not_published",
                "",
                "local_estimate",
            ]
        )
    return "\ufeff" + buffer.getvalue()


def _blank(value: object) -> object:
    return "" if value is None else value
