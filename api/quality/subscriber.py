"""The quality domain's reactions to dossier changes (registered in api.dossiers.status_hooks):
the dossier's facts and its EMC event, in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from api.dossiers.models import Dossier
from api.extensions import db
from api.quality.emc import queue_event, queue_rows
from api.quality.facts import refresh_facts, upsert_facts
from api.quality.models import DossierFact


def on_status_change(dossier: Dossier, old: int | None, new: int, at: datetime) -> None:
    refresh_facts([dossier])
    fact = db.session.get(DossierFact, dossier.id)
    queue_event(dossier, fact, new, at)


def on_fields_change(dossier: Dossier) -> None:
    refresh_facts([dossier])


def on_batch(dossier_ids: Iterable[int]) -> None:
    """A pushed batch applied set-wise (PostgreSQL): facts and events set-wise too."""
    queue_rows(upsert_facts(list(dossier_ids)))


def register() -> None:
    from api.dossiers import status_hooks

    status_hooks.subscribe(status=on_status_change, batch=on_batch, refresh=on_fields_change)
