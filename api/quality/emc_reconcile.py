"""The daily reconciliation of EMC events against the dossiers' status changes (letter
5901/BTTTT-CĐSQG asks for a connection that is complete, continuous and reconciled).

For one day (Vietnam time): every status change in the timeline should have its event (one per
dossier and EMC status); missing ones are queued now, and the counts are kept per day.

Commits on its own: the daily reconciliation commits the events it repaired as one batch job.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from api.dossiers.models import Dossier, TimelineEntry
from api.kernel.clock import VN_TZ, as_utc, to_local, utcnow
from api.kernel.database import db
from api.quality.emc import FAILED, SENT, dedupe_key, queue_missing
from api.quality.facts import refresh_facts
from api.quality.models import DossierFact, EmcEvent, EmcReconciliation


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=VN_TZ)
    return as_utc(start), as_utc(start + timedelta(days=1))


def reconcile_day(day: date | None = None) -> dict:
    day = day or (to_local(utcnow()).date() - timedelta(days=1))
    start, end = _bounds(day)
    changes = db.session.execute(
        select(TimelineEntry.dossier_id, Dossier.code, TimelineEntry.status_code)
        .join(Dossier, Dossier.id == TimelineEntry.dossier_id)
        .where(
            TimelineEntry.kind == "status",
            TimelineEntry.status_code.is_not(None),
            TimelineEntry.occurred_at >= start,
            TimelineEntry.occurred_at < end,
        )
    ).all()
    expected = {dedupe_key(code, status): dossier_id for dossier_id, code, status in changes}
    rows = {
        key: state
        for key, state in db.session.execute(
            select(EmcEvent.dedupe_key, EmcEvent.state).where(
                EmcEvent.dedupe_key.in_(list(expected))
            )
        )
    }
    missing_ids = sorted({expected[k] for k in expected if k not in rows})
    repaired = 0
    if missing_ids:
        dossiers = list(db.session.scalars(select(Dossier).where(Dossier.id.in_(missing_ids))))
        refresh_facts(dossiers)
        db.session.flush()
        facts = {
            f.dossier_id: f
            for f in db.session.scalars(
                select(DossierFact).where(DossierFact.dossier_id.in_(missing_ids))
            )
        }
        repaired = queue_missing(dossiers, facts)
    summary = {
        "day": day.isoformat(),
        "status_changes": len(changes),
        "expected": len(expected),
        "queued": len(rows),
        "sent": sum(1 for s in rows.values() if s == SENT),
        "failed": sum(1 for s in rows.values() if s == FAILED),
        "missing_queued": repaired,
    }
    record = db.session.get(EmcReconciliation, day) or EmcReconciliation(day=day)
    for name, value in summary.items():
        if name != "day":
            setattr(record, name, value)
    record.created_at = utcnow()
    db.session.add(record)
    db.session.commit()
    return summary
