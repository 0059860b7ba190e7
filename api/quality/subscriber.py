"""The quality domain's reactions to dossier changes (registered in api.dossiers.status_hooks):
the dossier's facts and its EMC event, in the same transaction as the change."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select

from api.dossiers import status_hooks
from api.dossiers.models import Dossier
from api.kernel import events
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.quality.emc import queue_event, queue_rows
from api.quality.facts import refresh_facts, upsert_facts
from api.quality.models import DossierFact
from api.rating.models import Rating, RatingIndicator


def on_status_change(dossier: Dossier, old: int | None, new: int, at: datetime) -> None:
    refresh_facts([dossier])
    fact = db.session.get(DossierFact, dossier.id)
    queue_event(dossier, fact, new, at)


def on_fields_change(dossier: Dossier) -> None:
    refresh_facts([dossier])


def on_batch(dossier_ids: Iterable[int]) -> None:
    """A pushed batch applied set-wise (PostgreSQL): facts and events set-wise too."""
    queue_rows(upsert_facts(list(dossier_ids)))


def _ratings_to_facts(session, _context, _instances) -> None:  # noqa: ANN001
    """A rating given or changed updates its dossier's fact in the same flush (the rating
    domain knows nothing of this)."""
    ratings = [o for o in (*session.new, *session.dirty) if isinstance(o, Rating) and o.dossier_id]
    if not ratings:
        return
    with session.no_autoflush:
        overall = overall_indicator()
        for rating in ratings:
            fact = session.get(DossierFact, rating.dossier_id)
            if fact is None:
                continue
            fact.rated_at = rating.created_at or utcnow()
            fact.assisted = bool(rating.assisted)
            fact.rating_overall = next(
                (a.score for a in rating.answers if a.indicator_code == overall), None
            )


def overall_indicator() -> int | None:
    return db.session.scalar(select(RatingIndicator.code).where(RatingIndicator.is_overall))


def register() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    events.subscribe(status_hooks.STATUS_CHANGED, on_status_change)
    events.subscribe(status_hooks.BATCH_CHANGED, on_batch)
    events.subscribe(status_hooks.FIELDS_CHANGED, on_fields_change)
    if not event.contains(Session, "before_flush", _ratings_to_facts):
        event.listen(Session, "before_flush", _ratings_to_facts)
