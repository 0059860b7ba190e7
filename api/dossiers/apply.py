"""``apply_status_event``: one dossier update or progress entry, applied exactly once, in order.

Each call runs in a savepoint, so one bad item never undoes the rest of a batch. Rules:
- the same record twice changes nothing (content hash; unique timeline and event keys);
- a record older than the newest one applied (as-of time) changes nothing: status never
  moves backwards because an old update arrived late;
- every status change appends one timeline entry and one domain event in the same
  transaction, so notifications (which read the events) happen once per change.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError

from api.dossiers import status_hooks
from api.dossiers.applicant import record_phone_moves
from api.dossiers.models import DomainEvent, Dossier, DossierStatus, TimelineEntry
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.portal.dossier_records import DossierUpdate, ProgressUpdate, RecordError

log = logging.getLogger(__name__)

CREATED, UPDATED, UNCHANGED, STALE = "created", "updated", "unchanged", "stale"
MOVED = "status_changed"  # a progress entry that moved the dossier's status
STATUS_EVENT = "dossier.status_changed"
# How soon a followed, unfinished dossier is pulled again (spread with jitter).
PULL_INTERVAL = timedelta(minutes=5)


class UnknownDossier(LookupError):
    pass


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _digest(update: DossierUpdate) -> str:
    body = {
        "status": update.status_code,
        **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in update.fields.items()},
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def next_pull_time(now: datetime | None = None) -> datetime:
    """Spread pulls so thousands of followed dossiers do not all hit the portal at once."""
    now = now or utcnow()
    return now + PULL_INTERVAL * (0.5 + random.random())  # noqa: S311 - jitter, not security


def _lock_dossier(code: str) -> Dossier | None:
    # FOR UPDATE on PostgreSQL serialises concurrent updates of one dossier; SQLite locks the
    # whole database for writes anyway and ignores it.
    return db.session.scalar(
        select(Dossier).where(Dossier.code == code).with_for_update(of=Dossier)
    )


@lru_cache(maxsize=1)
def _finished_statuses() -> frozenset[int]:
    # Seeded by migration (law-defined); read once per process instead of once per record.
    return frozenset(db.session.scalars(select(DossierStatus.code).where(DossierStatus.finished)))


def _change_status(
    dossier: Dossier, old_status: int | None, new_status: int, as_of: datetime, source: str
) -> None:
    key = _key(dossier.code, "status", old_status, new_status, as_of.isoformat())
    db.session.add(
        TimelineEntry(
            dossier_id=dossier.id,
            kind="status",
            external_key=key,
            occurred_at=as_of,
            status_code=new_status,
            from_status_code=old_status,
            source=source,
        )
    )
    db.session.add(
        DomainEvent(
            kind=STATUS_EVENT,
            dedupe_key=key,
            dossier_id=dossier.id,
            payload={
                "code": dossier.code,
                "from_status": old_status,
                "to_status": new_status,
                "at": as_of.isoformat(),
            },
        )
    )
    dossier.status_code = new_status
    dossier.finished = new_status in _finished_statuses()
    status_hooks.status_changed(dossier, old_status, new_status, as_of)


def _first_seen_at(update: DossierUpdate, as_of: datetime) -> datetime:
    """When a new dossier reached the status it arrives with: at the latest of its own dates
    (received, finished, returned...) not after the update, else the update's time."""
    dates = [
        as_utc(value)
        for name in (
            "submitted_at",
            "received_at",
            "finished_processing_at",
            "returned_at",
            "refused_at",
        )
        if (value := update.fields.get(name)) is not None and as_utc(value) <= as_of
    ]
    return max(dates, default=as_of)


def apply_dossier_update(update: DossierUpdate, received_as_of: datetime, source: str) -> str:
    """Upsert one dossier from a HoSo record. Returns created/updated/unchanged/stale."""
    as_of = as_utc(update.as_of or received_as_of)
    digest = _digest(update)
    with db.session.begin_nested():
        dossier = _lock_dossier(update.code)
        if dossier is None:
            finished = update.status_code in _finished_statuses()
            dossier = Dossier(
                code=update.code,
                status_code=update.status_code,
                **update.fields,
                source_as_of=as_of,
                source_hash=digest,
                updated_at=utcnow(),
                finished=finished,
                next_sync_at=None if finished else next_pull_time(),
            )
            db.session.add(dossier)
            db.session.flush()  # the id, for the timeline entry and the event
            _change_status(dossier, None, update.status_code, _first_seen_at(update, as_of), source)
            record_phone_moves([(dossier.code, "", dossier.contact_phone)])
            return CREATED
        if dossier.source_hash == digest:
            return UNCHANGED
        if dossier.source_as_of is not None and as_of < as_utc(dossier.source_as_of):
            log.info("dossier_update_stale", extra={"dossier": dossier.code, "source": source})
            return STALE
        old_phone = dossier.contact_phone
        for name, value in update.fields.items():
            setattr(dossier, name, value)
        record_phone_moves([(dossier.code, old_phone, dossier.contact_phone)])
        if update.status_code != dossier.status_code:
            _change_status(dossier, dossier.status_code, update.status_code, as_of, source)
        else:
            status_hooks.fields_changed(dossier)
        dossier.source_as_of, dossier.source_hash = as_of, digest
        dossier.updated_at = utcnow()
        if dossier.finished:
            dossier.next_sync_at = None
        return UPDATED


def apply_progress(update: ProgressUpdate, source: str) -> str:
    """Append one TienDo entry; a newer entry's status also moves the dossier's status."""
    key = _key(
        update.dossier_code,
        "progress",
        update.occurred_at.isoformat(),
        update.status_code,
        update.actor,
        update.content,
    )
    with db.session.begin_nested():
        dossier = _lock_dossier(update.dossier_code)
        if dossier is None:
            raise UnknownDossier(update.dossier_code)
        if db.session.scalar(select(TimelineEntry.id).where(TimelineEntry.external_key == key)):
            return UNCHANGED
        entry = asdict(update)
        entry.pop("dossier_code")
        db.session.add(
            TimelineEntry(
                dossier_id=dossier.id, kind="progress", external_key=key, source=source, **entry
            )
        )
        newer = dossier.source_as_of is None or update.occurred_at > as_utc(dossier.source_as_of)
        if update.status_code and update.status_code != dossier.status_code and newer:
            _change_status(
                dossier, dossier.status_code, update.status_code, update.occurred_at, source
            )
            dossier.source_as_of = update.occurred_at
            dossier.source_hash = ""  # the next full record must be applied, not skipped
            dossier.updated_at = utcnow()
            return MOVED
        dossier.updated_at = utcnow()
        return CREATED


def apply_safely(func, *args) -> tuple[str | None, str | None]:  # noqa: ANN001
    """Run an apply function. A unique-key clash means a concurrent delivery of the same
    change won the race: try once more, when the winner's rows are visible and the item is
    recognised as a duplicate. Returns (outcome, error)."""
    for attempt in (1, 2):
        try:
            return func(*args), None
        except DataError as exc:
            # A value the database cannot take (out of range, too long): this record only.
            log.warning("dossier_apply_invalid", extra={"func": func.__name__})
            raise RecordError("a field holds a value that cannot be stored") from exc
        except IntegrityError as exc:
            log.warning(
                "dossier_apply_conflict",
                extra={"func": func.__name__, "attempt": attempt, "error": str(exc.orig)[:200]},
            )
    return None, "conflict: try again"
