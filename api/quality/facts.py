"""Facts per dossier, written in the transaction of every status change (a subscriber of
api.dossiers.status_hooks) and rebuilt nightly for recent dossiers to repair any drift.

Set-wise: one query each for the dossiers' status timelines, their procedures and their
ratings, whatever the number of dossiers, so a pushed batch of 500 costs a handful of queries.

Commits on its own: the nightly rebuild commits batch by batch and resumes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import or_, select

from api.catalog.models import ChannelFee, Procedure, ProcedureChannel, RequiredDocument
from api.dossiers.models import Dossier, DossierStatus, TimelineEntry
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.quality.calendar import default_calendar
from api.quality.models import DossierFact
from api.quality.timeliness import Clocked, adjusted_deadline, classify, pauses_until
from api.quality.units import commune_of, unit_code_of
from api.rating.models import Rating, RatingAnswer, RatingIndicator

CHANNELS = {"1": "in_person", "2": "online", "3": "postal"}
CATALOG_CHANNEL = {"in_person": "truc_tiep", "online": "truc_tuyen", "postal": "buu_chinh"}
REBUILD_DAYS = 45


@lru_cache(maxsize=1)
def status_groups() -> dict[int, str]:
    # Seeded by migration (law-defined); read once per process.
    return dict(db.session.execute(select(DossierStatus.code, DossierStatus.group)).all())


def _iso(value: datetime | None) -> str | None:
    return as_utc(value).isoformat() if value is not None else None


def _catalog(codes: set[str]) -> dict[str, dict]:
    """Per procedure code: online level, number of papers, per channel days and fee."""
    if not codes:
        return {}
    procedures = db.session.execute(
        select(Procedure.id, Procedure.code, Procedure.national_code, Procedure.online_level).where(
            or_(Procedure.code.in_(codes), Procedure.national_code.in_(codes))
        )
    ).all()
    ids = [p.id for p in procedures]
    papers: dict[int, int] = defaultdict(int)
    for (pid,) in db.session.execute(
        select(RequiredDocument.procedure_id).where(RequiredDocument.procedure_id.in_(ids))
    ):
        papers[pid] += 1
    channels: dict[int, dict[str, dict]] = defaultdict(dict)
    rows = db.session.execute(
        select(
            ProcedureChannel.procedure_id,
            ProcedureChannel.channel_code,
            ProcedureChannel.duration_days,
            ChannelFee.amount_vnd,
        )
        .outerjoin(ChannelFee, ChannelFee.channel_id == ProcedureChannel.id)
        .where(ProcedureChannel.procedure_id.in_(ids))
    )
    for pid, channel, days, amount in rows:
        entry = channels[pid].setdefault(channel, {"days": days, "fee": False})
        entry["fee"] = entry["fee"] or bool(amount and amount > 0)
    found: dict[str, dict] = {}
    for p in procedures:
        info = {"level": p.online_level, "papers": papers[p.id], "channels": channels[p.id]}
        found.setdefault(p.code, info)
        found.setdefault(p.national_code, info)
    return found


def _ratings(ids: list[int]) -> dict[int, tuple]:
    overall = select(RatingIndicator.code).where(RatingIndicator.is_overall).scalar_subquery()
    rows = db.session.execute(
        select(Rating.dossier_id, Rating.created_at, Rating.assisted, RatingAnswer.score)
        .outerjoin(
            RatingAnswer,
            (RatingAnswer.rating_id == Rating.id) & (RatingAnswer.indicator_code == overall),
        )
        .where(Rating.dossier_id.in_(ids))
    )
    return {r.dossier_id: (r.created_at, r.assisted, r.score) for r in rows}


def _histories(ids: list[int]) -> dict[int, list[tuple[datetime, int]]]:
    rows = db.session.execute(
        select(TimelineEntry.dossier_id, TimelineEntry.occurred_at, TimelineEntry.status_code)
        .where(
            TimelineEntry.dossier_id.in_(ids),
            TimelineEntry.kind == "status",
            TimelineEntry.status_code.is_not(None),
        )
        .order_by(TimelineEntry.dossier_id, TimelineEntry.occurred_at, TimelineEntry.id)
    )
    found: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for dossier_id, at, code in rows:
        found[dossier_id].append((as_utc(at), code))
    return found


def _finished_at(d: Dossier, history: list[tuple[datetime, int]], groups: dict) -> datetime | None:
    for value in (d.finished_processing_at, d.returned_at):
        if value is not None:
            return as_utc(value)
    for at, code in history:
        if groups.get(code) == "done" or code == 8:
            return at
    return None


def fact_values(
    d: Dossier, history: list[tuple[datetime, int]], procedure: dict | None, rating: tuple | None
) -> dict:
    """The fact row of one dossier (pure apart from the commune look-up)."""
    groups, calendar = status_groups(), default_calendar()
    channel = CHANNELS.get(d.channel, "")
    offer = (procedure or {}).get("channels", {}).get(CATALOG_CHANNEL.get(channel, ""), {})
    received = as_utc(d.received_at) if d.received_at else None
    if received is None:
        received = next((at for at, code in history if code == 2), None)
    due, due_source = (as_utc(d.due_at), "portal") if d.due_at else (None, "")
    if due is None and received is not None and offer.get("days"):
        # No due date from the portal: the catalog's legal limit in working days.
        due, due_source = as_utc(calendar.add_working_days(received, offer["days"])), "catalog"
    history = history or [(as_utc(d.created_at), d.status_code)]
    finished = _finished_at(d, history, groups)
    view = Clocked(tuple(history), groups, due, finished)
    now = utcnow()
    adjusted, _ = adjusted_deadline(view, calendar, finished or now)
    province = current_app.extensions["settings"].quality_province_code
    return {
        "dossier_id": d.id,
        "dossier_code": d.code,
        "unit_code": unit_code_of(d.code),
        "unit_name": d.handling_unit,
        "commune_code": commune_of(d.handling_unit, province),
        "procedure_code": d.procedure_code,
        "online_level": (procedure or {}).get("level", ""),
        "channel": channel,
        "status_code": d.status_code,
        "status_history": [[at.isoformat(), code] for at, code in history],
        "received_at": received,
        "due_at": due,
        "due_source": due_source,
        "finished_at": finished,
        "returned_at": as_utc(d.returned_at) if d.returned_at else None,
        "paused_periods": [[_iso(s), _iso(e)] for s, e in pauses_until(view, now)],
        "adjusted_due_at": adjusted,
        "timeliness": classify(view, calendar, now),
        "components": (procedure or {}).get("papers", 0),
        "digitised": bool(d.digitised),
        "e_result": any(doc.get("code") for doc in d.result_documents or []),
        "has_fee": bool(offer.get("fee")),
        "paid_online": bool(d.paid_online),
        # Every dossier here reached us through the portal's push or pull.
        "synced_to_portal": d.source_as_of is not None,
        "rated_at": rating[0] if rating else None,
        "rating_overall": rating[2] if rating else None,
        "assisted": bool(rating[1]) if rating else False,
        "updated_at": now,
    }


def refresh_facts(dossiers: Iterable[Dossier]) -> int:
    """Write the facts of these dossiers in the current transaction (caller commits)."""
    dossiers = list(dossiers)
    if not dossiers:
        return 0
    db.session.flush()  # the timeline entries and dossier fields just written
    ids = [d.id for d in dossiers]
    histories, ratings = _histories(ids), _ratings(ids)
    catalog = _catalog({d.procedure_code for d in dossiers if d.procedure_code})
    existing = {
        f.dossier_id: f
        for f in db.session.scalars(select(DossierFact).where(DossierFact.dossier_id.in_(ids)))
    }
    for d in dossiers:
        values = fact_values(
            d, histories.get(d.id, []), catalog.get(d.procedure_code), ratings.get(d.id)
        )
        fact = existing.get(d.id)
        if fact is None:
            db.session.add(DossierFact(**values))
        else:
            for name, value in values.items():
                setattr(fact, name, value)
    return len(dossiers)


# The dossier columns the facts and EMC events read (the set-wise path reads rows, not objects).
_DOSSIER_COLUMNS = (
    "id",
    "code",
    "handling_unit",
    "procedure_code",
    "procedure_name",
    "channel",
    "received_at",
    "due_at",
    "finished_processing_at",
    "returned_at",
    "status_code",
    "digitised",
    "result_documents",
    "paid_online",
    "source_as_of",
    "created_at",
    "applicant_id_number",
    "applicant_type",
)


def upsert_facts(ids: list[int]) -> list[tuple[object, dict, list]]:
    """The set-wise path of a pushed batch (PostgreSQL): one SELECT per kind of input and one
    INSERT … ON CONFLICT for all the facts, no ORM objects. Returns (dossier row, fact values,
    status history) for each dossier, for the EMC events."""
    from sqlalchemy.dialects.postgresql import insert

    table = Dossier.__table__
    rows = list(
        db.session.execute(
            select(*(table.c[name] for name in _DOSSIER_COLUMNS)).where(table.c.id.in_(ids))
        )
    )
    if not rows:
        return []
    histories, ratings = _histories(ids), _ratings(ids)
    catalog = _catalog({r.procedure_code for r in rows if r.procedure_code})
    out, values = [], []
    for row in rows:
        history = histories.get(row.id, [])
        fact = fact_values(row, history, catalog.get(row.procedure_code), ratings.get(row.id))
        values.append(fact)
        out.append((row, fact, history or [(as_utc(row.created_at), row.status_code)]))
    statement = insert(DossierFact.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["dossier_id"],
        set_={name: statement.excluded[name] for name in values[0] if name != "dossier_id"},
    )
    db.session.execute(statement, values)
    return out


def refresh_fact_ids(ids: Iterable[int]) -> int:
    ids = list(ids)
    if not ids:
        return 0
    return refresh_facts(db.session.scalars(select(Dossier).where(Dossier.id.in_(ids))))


def rebuild_recent(days: int = REBUILD_DAYS, batch: int = 500) -> dict[str, int]:
    """The nightly repair: every dossier changed in the last ``days`` or still open."""
    since = utcnow() - timedelta(days=days)
    ids = list(
        db.session.scalars(
            select(Dossier.id)
            .where(
                or_(
                    Dossier.updated_at >= since,
                    Dossier.finished.is_(False),
                    Dossier.id.in_(select(Rating.dossier_id).where(Rating.updated_at >= since)),
                    Dossier.id.not_in(select(DossierFact.dossier_id)),
                )
            )
            .order_by(Dossier.id)
        )
    )
    for start in range(0, len(ids), batch):
        refresh_fact_ids(ids[start : start + batch])
        db.session.commit()
    return {"rebuilt": len(ids)}
