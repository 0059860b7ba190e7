"""The quality domain's reactions to dossier changes (registered in api.dossiers.status_hooks):
the dossier's facts and its EMC event, in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from api.dossiers.models import Dossier
from api.extensions import db
from api.quality.emc import queue_event, queue_missing
from api.quality.facts import refresh_facts
from api.quality.models import DossierFact


def on_status_change(dossier: Dossier, old: int | None, new: int, at: datetime) -> None:
    refresh_facts([dossier])
    fact = db.session.get(DossierFact, dossier.id)
    queue_event(dossier, fact, new, at)


def on_fields_change(dossier: Dossier) -> None:
    refresh_facts([dossier])


def on_batch(dossier_ids: Iterable[int]) -> None:
    ids = list(dossier_ids)
    fresh = select(Dossier).where(Dossier.id.in_(ids)).execution_options(populate_existing=True)
    dossiers = list(db.session.scalars(fresh))  # rows were updated set-wise, not through ORM
    refresh_facts(dossiers)
    db.session.flush()
    facts = {
        f.dossier_id: f
        for f in db.session.scalars(select(DossierFact).where(DossierFact.dossier_id.in_(ids)))
    }
    queue_missing(dossiers, facts)


def register() -> None:
    from api.dossiers import status_hooks

    status_hooks.subscribe(status=on_status_change, batch=on_batch, refresh=on_fields_change)
