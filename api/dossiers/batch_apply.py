"""Applying a whole pushed batch in a handful of statements (PostgreSQL).

The per-record path (apply.py) costs about 6 statements and a savepoint a record; at 500
records a batch that caps ingest at a few hundred records a second. Here the batch's
existing dossiers are locked in one SELECT … FOR UPDATE (in code order, so concurrent batches
cannot deadlock), new ones inserted in one INSERT … ON CONFLICT DO NOTHING, changed ones updated
in one executemany, and the timeline entries and domain events written in two multi-row
INSERTs whose unique keys keep them exactly-once. The same rules as apply.py: unchanged →
nothing, older → stale, every status change → one timeline entry and one event. Records this
path cannot take (a code repeated in the batch, a creation lost to a concurrent batch) are
handed back for the per-record path.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, case, select, update
from sqlalchemy.dialects.postgresql import insert

from api.dossiers import status_hooks
from api.dossiers.applicant import record_phone_moves
from api.dossiers.apply import (
    CREATED,
    STALE,
    STATUS_EVENT,
    UNCHANGED,
    UPDATED,
    _digest,
    _finished_statuses,
    _first_seen_at,
    _key,
    next_pull_time,
)
from api.dossiers.models import DomainEvent, Dossier, TimelineEntry
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.portal.dossier_records import DossierUpdate


def apply_batch(
    updates: dict[int, DossierUpdate], default_as_of: datetime, source: str
) -> tuple[dict[int, str], dict[int, DossierUpdate]]:
    """Returns (outcome by index, updates left for the per-record path). Caller commits."""
    finished = _finished_statuses()
    table = Dossier.__table__
    c = table.c
    codes = sorted({u.code for u in updates.values()})
    locked = db.session.execute(
        select(c.id, c.code, c.status_code, c.source_as_of, c.source_hash, c.contact_phone)
        .where(c.code.in_(codes))
        .order_by(c.code)
        .with_for_update()
    )
    existing = {row.code: row for row in locked}
    now = utcnow()
    new_rows: list[dict] = []
    changed_rows: list[dict] = []
    changes: list[tuple[str, int | None, int, datetime]] = []
    moves: list[tuple[str, str, str]] = []  # the record's phone set or changed
    outcome: dict[int, str] = {}
    created_index: dict[str, int] = {}
    for index, u in updates.items():
        as_of, digest = as_utc(u.as_of or default_as_of), _digest(u)
        done = u.status_code in finished
        row = existing.get(u.code)
        stamp = {"source_as_of": as_of, "source_hash": digest, "updated_at": now, "finished": done}
        if row is None:
            new_rows.append(
                {
                    **u.fields,
                    **stamp,
                    "code": u.code,
                    "status_code": u.status_code,
                    "created_at": now,
                    "next_sync_at": None if done else next_pull_time(now),
                }
            )
            changes.append((u.code, None, u.status_code, _first_seen_at(u, as_of)))
            moves.append((u.code, "", u.fields.get("contact_phone", "")))
            outcome[index] = CREATED
            created_index[u.code] = index
        elif row.source_hash == digest:
            outcome[index] = UNCHANGED
        elif row.source_as_of is not None and as_of < as_utc(row.source_as_of):
            outcome[index] = STALE
        else:
            if u.status_code != row.status_code:
                changes.append((u.code, row.status_code, u.status_code, as_of))
            changed_rows.append({**u.fields, **stamp, "b_id": row.id, "status_code": u.status_code})
            moves.append((u.code, row.contact_phone, u.fields.get("contact_phone", "")))
            outcome[index] = UPDATED
    ids = {code: row.id for code, row in existing.items()}
    leftovers: dict[int, DossierUpdate] = {}
    if new_rows:
        statement = (
            insert(table).on_conflict_do_nothing(index_elements=["code"]).returning(c.id, c.code)
        )
        ids.update((code, id_) for id_, code in db.session.execute(statement, new_rows))
        for code, index in created_index.items():
            if code not in ids:  # a concurrent batch created it first
                leftovers[index] = updates[index]
                del outcome[index]
    if changed_rows:
        values = {k: bindparam(k) for k in changed_rows[0] if k != "b_id"}
        # As the per-record path: a finished dossier is no longer pulled.
        values["next_sync_at"] = case((bindparam("finished"), None), else_=c.next_sync_at)
        db.session.execute(
            update(table).where(c.id == bindparam("b_id")).values(values), changed_rows
        )
    timeline, events = [], []
    for code, old, new, as_of in changes:
        if code not in ids:
            continue
        key = _key(code, "status", old, new, as_of.isoformat())
        timeline.append(
            {
                "dossier_id": ids[code],
                "kind": "status",
                "external_key": key,
                "occurred_at": as_of,
                "status_code": new,
                "from_status_code": old,
                "source": source,
                "created_at": now,
                "actor": "",
                "actor_title": "",
                "department": "",
                "content": "",
            }
        )
        events.append(
            {
                "kind": STATUS_EVENT,
                "dedupe_key": key,
                "dossier_id": ids[code],
                "payload": {
                    "code": code,
                    "from_status": old,
                    "to_status": new,
                    "at": as_of.isoformat(),
                },
                "created_at": now,
            }
        )
    for model, rows in ((TimelineEntry, timeline), (DomainEvent, events)):
        if rows:
            db.session.execute(insert(model.__table__).on_conflict_do_nothing(), rows)
    record_phone_moves([m for m in moves if m[0] in ids])
    status_hooks.batch_changed(
        ids[u.code] for i, u in updates.items() if outcome.get(i) in (CREATED, UPDATED)
    )
    return outcome, leftovers
