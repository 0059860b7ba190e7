"""Weekly and monthly snapshots per unit, commune and province.

A snapshot is computed from the facts as they stood at its data cut-off, written once as
canonical JSON with the formula version, and published; a published snapshot never changes
(an ORM guard, and on PostgreSQL a trigger): recomputing makes a new one that names the one it
supersedes. The same facts, catalog, ratings and cut-off give the same bytes.

Commits on its own: a snapshot is written once, whole, by the periodic job that computes it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from flask import current_app
from sqlalchemy import insert, or_, select

from api.catalog.models import Procedure
from api.kernel.clock import as_utc, to_local, utcnow
from api.kernel.database import db
from api.quality import periods
from api.quality.calendar import default_calendar
from api.quality.definitions import version_for
from api.quality.facts import status_groups
from api.quality.indicators import Computation, FactInput, Period, RatingInput
from api.quality.models import DossierFact, Snapshot, SnapshotMember
from api.rating.models import Rating, RatingAnswer, RatingIndicator

SCOPES = ("province", "unit", "commune")


class BadScope(ValueError):
    pass


def province_code() -> str:
    code = current_app.extensions["settings"].quality_province_code
    return str(code) if code else "all"


def canonical(content: dict) -> str:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _fact_input(f: DossierFact) -> FactInput:
    return FactInput(
        code=f.dossier_code,
        unit_code=f.unit_code,
        unit_name=f.unit_name,
        commune_code=f.commune_code,
        procedure_code=f.procedure_code,
        online_level=f.online_level,
        channel=f.channel,
        history=tuple((as_utc(datetime.fromisoformat(at)), code) for at, code in f.status_history),
        received_at=as_utc(f.received_at) if f.received_at else None,
        due_at=as_utc(f.due_at) if f.due_at else None,
        finished_at=as_utc(f.finished_at) if f.finished_at else None,
        returned_at=as_utc(f.returned_at) if f.returned_at else None,
        components=f.components,
        digitised=f.digitised,
        e_result=f.e_result,
        has_fee=f.has_fee,
        paid_online=f.paid_online,
        synced_to_portal=f.synced_to_portal,
    )


def _scope_filter(scope_kind: str, scope_code: str) -> list:
    if scope_kind == "province":
        if scope_code != province_code():
            raise BadScope(scope_code)
        return []
    if scope_kind == "unit":
        return [DossierFact.unit_code == scope_code]
    if scope_kind == "commune":
        if not scope_code.isdigit():
            raise BadScope(scope_code)
        return [DossierFact.commune_code == int(scope_code)]
    raise BadScope(scope_kind)


def gather(scope_kind: str, scope_code: str, period: Period) -> tuple[list, list, list]:
    conditions = _scope_filter(scope_kind, scope_code)
    cutoff = as_utc(period.cutoff)
    facts = [
        _fact_input(f)
        for f in db.session.scalars(
            select(DossierFact)
            .where(
                *conditions,
                DossierFact.received_at.is_not(None),
                DossierFact.received_at < cutoff,
                # Long finished before the period: in no figure of it.
                or_(DossierFact.finished_at.is_(None), DossierFact.finished_at >= period.start),
            )
            .order_by(DossierFact.dossier_code)
        )
    ]
    overall = select(RatingIndicator.code).where(RatingIndicator.is_overall).scalar_subquery()
    ratings = [
        RatingInput(code, as_utc(given), score, bool(assisted))
        for code, given, score, assisted in db.session.execute(
            select(DossierFact.dossier_code, Rating.created_at, RatingAnswer.score, Rating.assisted)
            .join(Rating, Rating.dossier_id == DossierFact.dossier_id)
            .outerjoin(
                RatingAnswer,
                (RatingAnswer.rating_id == Rating.id) & (RatingAnswer.indicator_code == overall),
            )
            .where(*conditions, Rating.created_at < cutoff)
        )
    ]
    procedures = [
        tuple(row) for row in db.session.execute(select(Procedure.code, Procedure.online_level))
    ]
    return facts, ratings, procedures


def compute(
    scope_kind: str,
    scope_code: str,
    period_kind: str,
    period_key: str,
    cutoff: datetime | None = None,
) -> tuple[dict, dict]:
    """(content, members) without writing anything."""
    start, end = periods.bounds(period_kind, period_key)
    cutoff = as_utc(cutoff) if cutoff else min(utcnow(), end)
    cutoff = cutoff.replace(microsecond=0)
    period = Period(start, end, cutoff)
    version = version_for(to_local(start).date())
    facts, ratings, procedures = gather(scope_kind, scope_code, period)
    run = Computation(
        facts, ratings, procedures, period, version, default_calendar(), status_groups()
    )
    content, members = run.result()
    content.update(
        scope={"kind": scope_kind, "code": scope_code},
        period={
            "kind": period_kind,
            "key": period_key,
            "start": to_local(start).isoformat(),
            "end": to_local(end).isoformat(),
        },
        data_cutoff=to_local(cutoff).isoformat(),
    )
    if scope_kind in ("province", "commune"):
        content["by_unit"] = run.by_unit()
    return content, members


def create_snapshot(
    scope_kind: str,
    scope_code: str,
    period_kind: str,
    period_key: str,
    cutoff: datetime | None = None,
    publish: bool = False,
) -> Snapshot:
    """Compute and store a new snapshot (caller commits). Never touches an existing one."""
    content, members = compute(scope_kind, scope_code, period_kind, period_key, cutoff)
    text = canonical(content)
    previous = latest(scope_kind, scope_code, period_kind, period_key)
    snapshot = Snapshot(
        scope_kind=scope_kind,
        scope_code=scope_code,
        period_kind=period_kind,
        period_key=period_key,
        formula_version=content["formula_version"],
        data_cutoff=datetime.fromisoformat(content["data_cutoff"]),
        content=text,
        content_sha256=hashlib.sha256(text.encode()).hexdigest(),
        supersedes_id=previous.id if previous else None,
        published_at=utcnow() if publish else None,
    )
    db.session.add(snapshot)
    db.session.flush()
    rows = [
        {"snapshot_id": snapshot.id, "indicator": code, "part": part, "item": item}
        for code, figure in sorted(members.items())
        for part, items in (("n", figure.numerator), ("d", figure.denominator))
        for item in items
    ]
    if rows:
        db.session.execute(insert(SnapshotMember), rows)
    return snapshot


def publish(snapshot: Snapshot) -> Snapshot:
    if snapshot.published_at is None:
        snapshot.published_at = utcnow()
    return snapshot


def latest(
    scope_kind: str, scope_code: str, period_kind: str, period_key: str, published_only: bool = True
) -> Snapshot | None:
    query = select(Snapshot).where(
        Snapshot.scope_kind == scope_kind,
        Snapshot.scope_code == scope_code,
        Snapshot.period_kind == period_kind,
        Snapshot.period_key == period_key,
    )
    if published_only:
        query = query.where(Snapshot.published_at.is_not(None))
    return db.session.scalar(query.order_by(Snapshot.id.desc()).limit(1))


def scopes_to_publish() -> list[tuple[str, str]]:
    """The province, every unit and every commune that has facts."""
    units = db.session.scalars(
        select(DossierFact.unit_code).distinct().where(DossierFact.unit_code != "")
    )
    communes = db.session.scalars(
        select(DossierFact.commune_code).distinct().where(DossierFact.commune_code.is_not(None))
    )
    return (
        [("province", province_code())]
        + [("unit", u) for u in sorted(units)]
        + [("commune", str(c)) for c in sorted(communes)]
    )


def publish_period(period_kind: str, period_key: str) -> list[int]:
    """Compute and publish the snapshot of every scope for a finished period (a periodic job)."""
    ids = []
    for kind, code in scopes_to_publish():
        ids.append(create_snapshot(kind, code, period_kind, period_key, publish=True).id)
    db.session.commit()
    return ids


def publish_previous(period_kind: str) -> list[int]:
    key = periods.previous(period_kind, periods.key_of(period_kind, utcnow()))
    return publish_period(period_kind, key)
