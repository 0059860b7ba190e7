"""Services of the quality domain used by routes, jobs and the CLI: snapshots on demand,
the drill-down to dossiers, values the portal published, and who may see what."""

from __future__ import annotations

import json
from decimal import Decimal

from sqlalchemy import func, select

from api.audit.service import Origin, record
from api.auth.guard import Principal
from api.auth.models import ROLE_ADMIN
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.pagination import Page, page_envelope
from api.quality import periods, snapshots
from api.quality.models import DossierFact, PublishedValue, Snapshot, SnapshotMember
from api.quality.snapshots import BadScope


def check_period(kind: str, key: str) -> None:
    try:
        periods.bounds(kind, key)
    except periods.BadPeriod as exc:
        raise ApiError(422, "quality_bad_period") from exc


def may_see_scope(principal: Principal, scope_kind: str, scope_code: str) -> None:
    """Admins see every scope; an officer the unit whose name is on their account."""
    if principal.role == ROLE_ADMIN:
        return
    if scope_kind == "unit" and principal.unit_code:
        names = set(
            db.session.scalars(
                select(DossierFact.unit_name).distinct().where(DossierFact.unit_code == scope_code)
            )
        )
        if principal.unit_code in names:
            return
    raise ApiError(403, "quality_scope_forbidden")


def make_snapshot(
    principal: Principal,
    scope_kind: str,
    scope_code: str,
    period_kind: str,
    period_key: str,
    publish: bool,
    origin: Origin,
) -> Snapshot:
    check_period(period_kind, period_key)
    may_see_scope(principal, scope_kind, scope_code)
    if publish and principal.role != ROLE_ADMIN:
        raise ApiError(403, "quality_scope_forbidden")
    try:
        snapshot = snapshots.create_snapshot(
            scope_kind, scope_code, period_kind, period_key, publish=publish
        )
    except BadScope as exc:
        raise ApiError(404, "quality_bad_scope") from exc
    if publish:
        _audit_publish(principal, snapshot, origin)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return snapshot


def _audit_publish(principal: Principal, snapshot: Snapshot, origin: Origin) -> None:
    record(
        "quality.snapshot_published",
        origin,
        actor_id=principal.account_id,
        object_type="quality_snapshot",
        object_id=str(snapshot.id),
        scope=f"{snapshot.scope_kind}:{snapshot.scope_code}",
        period=f"{snapshot.period_kind}:{snapshot.period_key}",
        sha256=snapshot.content_sha256,
    )


def get_snapshot(principal: Principal, snapshot_id: int) -> Snapshot:
    snapshot = db.session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise ApiError(404, "quality_snapshot_not_found")
    may_see_scope(principal, snapshot.scope_kind, snapshot.scope_code)
    return snapshot


def publish_snapshot(principal: Principal, snapshot_id: int, origin: Origin) -> Snapshot:
    snapshot = db.session.get(Snapshot, snapshot_id)
    if snapshot is None:
        raise ApiError(404, "quality_snapshot_not_found")
    if snapshot.published_at is None:
        snapshots.publish(snapshot)
        _audit_publish(principal, snapshot, origin)
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return snapshot


def snapshot_view(snapshot: Snapshot) -> dict:
    content = json.loads(snapshot.content)
    return {
        "id": snapshot.id,
        "published_at": snapshot.published_at,
        "created_at": snapshot.created_at,
        "supersedes_id": snapshot.supersedes_id,
        "content_sha256": snapshot.content_sha256,
        "content": with_published_values(snapshot, content),
    }


def with_published_values(snapshot: Snapshot, content: dict) -> dict:
    """The portal's values beside ours (never mixed into them)."""
    imported = {
        v.indicator: {"value": str(v.value), "source": v.source}
        for v in db.session.scalars(
            select(PublishedValue).where(
                PublishedValue.scope_kind == snapshot.scope_kind,
                PublishedValue.scope_code == snapshot.scope_code,
                PublishedValue.period_kind == snapshot.period_kind,
                PublishedValue.period_key == snapshot.period_key,
            )
        )
    }
    for figure in content["figures"]:
        figure["portal_value"] = imported.get(figure["code"])
    for group in content["groups"]:
        group["portal_value"] = imported.get(group["code"])
    content["total"]["portal_value"] = imported.get("total")
    return content


def drilldown(
    principal: Principal, snapshot_id: int, indicator: str, part: str, page: Page
) -> dict:
    """The dossiers (or procedures) in a figure's numerator or denominator."""
    if part not in ("numerator", "denominator"):
        raise ApiError(404, "quality_figure_not_found")
    part = part[0]
    snapshot = get_snapshot(principal, snapshot_id)
    content = json.loads(snapshot.content)
    codes = {f["code"]: f for f in content["figures"] if f["status"] != "not_measurable"}
    variants = {v["code"]: v for key in ("self", "assisted") for v in content["satisfaction"][key]}
    figure = codes.get(indicator) or variants.get(indicator)
    if figure is None:
        raise ApiError(404, "quality_figure_not_found")
    query = select(SnapshotMember.item).where(
        SnapshotMember.snapshot_id == snapshot.id,
        SnapshotMember.indicator == indicator,
        SnapshotMember.part == part,
    )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = list(
        db.session.scalars(
            query.order_by(SnapshotMember.item).offset(page.offset).limit(page.page_size)
        )
    )
    kind = "procedure" if indicator in ("S1", "S2") else "dossier"
    return page_envelope(
        [{"kind": kind, "code": item} for item in items],
        total,
        page,
        snapshot_id=snapshot.id,
        indicator=indicator,
        part="numerator" if part == "n" else "denominator",
        figure_value=figure["numerator"] if part == "n" else figure["denominator"],
    )


def import_values(principal: Principal, rows: list[dict], origin: Origin) -> list[PublishedValue]:
    """Upsert values the portal published (admin): one per scope, period and indicator."""
    saved = []
    for row in rows:
        check_period(row["period_kind"], row["period_key"])
        key = {
            k: row[k]
            for k in ("scope_kind", "scope_code", "period_kind", "period_key", "indicator")
        }
        value = db.session.scalar(select(PublishedValue).filter_by(**key)) or PublishedValue(**key)
        value.value = Decimal(str(row["value"])).quantize(Decimal("0.01"))
        value.source = row.get("source", "")[:500]
        value.imported_by = principal.public_id
        db.session.add(value)
        saved.append(value)
    record(
        "quality.portal_values_imported",
        origin,
        actor_id=principal.account_id,
        object_type="quality_portal_values",
        object_id=str(len(saved)),
        count=len(saved),
    )
    db.session.flush()  # the caller's unit of work commits (api.kernel.unit_of_work)
    return saved
