"""Fixes proposed for what the dossier benchmarks found, timed next to the code as it is.

Nothing in the app uses this module; api/ is changed by its owners, not from here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import bindparam, case, func, select, union, update
from sqlalchemy.dialects.postgresql import insert

from api.auth.guard import Principal
from api.clock import as_utc, utcnow
from api.dossiers.apply import (
    CREATED,
    STALE,
    STATUS_EVENT,
    UNCHANGED,
    UPDATED,
    _digest,
    _first_seen_at,
    _key,
    next_pull_time,
)
from api.dossiers.inbound import INVALID, OK, _item
from api.dossiers.models import DomainEvent, Dossier, DossierFollow, DossierStatus, TimelineEntry
from api.extensions import db
from api.pagination import Page
from api.portal.dossier_records import DossierUpdate, RecordError, dossier_from_hoso


def my_dossiers_union(
    principal: Principal, group: str | None, page: Page
) -> tuple[list[Dossier], int]:
    """api.dossiers.service.my_dossiers with one change: the ids come from a UNION of the two
    indexed look-ups (follows by account, dossiers by applicant ID number) instead of
    ``id IN (follows) OR applicant_id_number = …``. PostgreSQL cannot use an index for that
    OR (one arm is a sub-select), so it reads every dossier, twice (count and page)."""
    ids = select(DossierFollow.dossier_id).where(DossierFollow.account_id == principal.account_id)
    if principal.identity_verified:
        ids = union(
            ids, select(Dossier.id).where(Dossier.applicant_id_number == principal.personal_id)
        )
    query = select(Dossier).where(Dossier.id.in_(ids))
    if group:
        query = query.join(DossierStatus).where(DossierStatus.group == group)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    items = db.session.scalars(
        query.order_by(Dossier.updated_at.desc(), Dossier.id.desc())
        .offset(page.offset)
        .limit(page.page_size)
    )
    return list(items), total


# ---- set-based push ingest ---------------------------------------------------------------------


def ingest_dossiers_set_based(records: list, signed_at: int, source: str = "push") -> list[dict]:
    """A sketch of api.dossiers.inbound.ingest_dossiers applying a batch with five
    statements instead of 8 round trips per record: the batch's existing dossiers locked in one
    SELECT … FOR UPDATE (in code order, so concurrent batches cannot deadlock); new ones in one
    INSERT … ON CONFLICT DO NOTHING RETURNING; changed ones in one executemany UPDATE; all
    timeline entries and domain events in two multi-row INSERTs (ON CONFLICT DO NOTHING on
    their unique keys keeps them exactly-once). Statuses are read once per batch. Same outcomes
    as the per-record code for a batch of distinct codes; a batch repeating a code, or a
    creation lost to a concurrent batch, would take the per-record path (not shown)."""
    as_of_default = datetime.fromtimestamp(signed_at, UTC)
    results: dict[int, dict] = {}
    parsed: dict[int, DossierUpdate] = {}
    for index, record in enumerate(records):
        try:
            parsed[index] = dossier_from_hoso(record)
        except RecordError as exc:
            code = record.get("MaHoSo") if isinstance(record, dict) else None
            results[index] = _item(index, code, INVALID, str(exc))
    finished = dict(db.session.execute(select(DossierStatus.code, DossierStatus.finished)).all())
    table = Dossier.__table__
    c = table.c
    locked = db.session.execute(
        select(c.id, c.code, c.status_code, c.source_as_of, c.source_hash)
        .where(c.code.in_(sorted(u.code for u in parsed.values())))
        .order_by(c.code)
        .with_for_update()
    )
    existing = {row.code: row for row in locked}
    now = utcnow()
    new_rows, updates, changes, outcome = [], [], [], {}
    for index, u in parsed.items():
        as_of, digest = as_utc(u.as_of or as_of_default), _digest(u)
        done = finished.get(u.status_code, False)
        row = existing.get(u.code)
        stamp = {"source_as_of": as_of, "source_hash": digest, "updated_at": now}
        if row is None:
            next_sync = None if done else next_pull_time(now)
            new_rows.append(
                {**u.fields, **stamp, "code": u.code, "status_code": u.status_code}
                | {"finished": done, "created_at": now, "next_sync_at": next_sync}
            )
            changes.append((u.code, None, u.status_code, _first_seen_at(u, as_of)))
            outcome[index] = CREATED
        elif row.source_hash == digest:
            outcome[index] = UNCHANGED
        elif row.source_as_of is not None and as_of < as_utc(row.source_as_of):
            outcome[index] = STALE
        else:
            if u.status_code != row.status_code:
                changes.append((u.code, row.status_code, u.status_code, as_of))
            updates.append({**u.fields, **stamp, "b_id": row.id, "status_code": u.status_code})
            updates[-1]["finished"] = done
            outcome[index] = UPDATED
    ids = {code: row.id for code, row in existing.items()}
    if new_rows:
        statement = insert(table).on_conflict_do_nothing(index_elements=["code"])
        inserted = db.session.execute(statement.returning(c.id, c.code), new_rows)
        ids.update((code, id_) for id_, code in inserted)
    if updates:
        values = {k: bindparam(k) for k in updates[0] if k != "b_id"}
        # As the per-record code: a finished dossier is no longer pulled.
        values["next_sync_at"] = case((bindparam("finished"), None), else_=c.next_sync_at)
        db.session.execute(update(table).where(c.id == bindparam("b_id")).values(values), updates)
    if changes:
        timeline, events = [], []
        for code, old, new, as_of in changes:
            key = _key(code, "status", old, new, as_of.isoformat())
            timeline.append(
                {"dossier_id": ids[code], "kind": "status", "external_key": key}
                | {"occurred_at": as_of, "status_code": new, "from_status_code": old}
                | {"source": source, "created_at": now, "actor": "", "actor_title": ""}
                | {"department": "", "content": ""}
            )
            payload = {"code": code, "from_status": old, "to_status": new, "at": as_of.isoformat()}
            events.append(
                {"kind": STATUS_EVENT, "dedupe_key": key, "dossier_id": ids[code]}
                | {"payload": payload, "created_at": now}
            )
        for model, rows in ((TimelineEntry, timeline), (DomainEvent, events)):
            db.session.execute(insert(model.__table__).on_conflict_do_nothing(), rows)
    for index, value in outcome.items():
        results[index] = _item(index, parsed[index].code, OK, value)
    db.session.commit()
    return [results[i] for i in sorted(results)]
