"""Indicators 1 and 2 scored from the dossier's own dates, shown to the citizen, not asked.

Scores follow the indicators' wording: 2 when shorter than the legal time, 1 when equal, 0 when
longer. "Equal" is the same calendar day in Vietnam (deadlines are days, not minutes). Without
the dates needed, an indicator is left unscored: never guessed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from api.dossiers.models import Dossier, TimelineEntry
from api.kernel.clock import to_local
from api.kernel.database import db


def _score(done: datetime | None, due: datetime | None) -> int | None:
    if done is None or due is None:
        return None
    done_day, due_day = to_local(done).date(), to_local(due).date()
    return 2 if done_day < due_day else 1 if done_day == due_day else 0


def total_time(dossier: Dossier) -> int | None:
    """Indicator 1: total handling time against the legal limit (the promised date)."""
    return _score(dossier.finished_processing_at or dossier.returned_at, dossier.due_at)


def unit_time(dossier: Dossier) -> int | None:
    """Indicator 2: each unit's time against its own deadline, the worst step counting; with
    no step deadlines from the portal, the handling unit's time is the total time."""
    steps = db.session.execute(
        select(TimelineEntry.occurred_at, TimelineEntry.step_due_at).where(
            TimelineEntry.dossier_id == dossier.id,
            TimelineEntry.kind == "progress",
            TimelineEntry.step_due_at.is_not(None),
        )
    )
    scores = [_score(done, due) for done, due in steps]
    scores = [s for s in scores if s is not None]
    return min(scores) if scores else total_time(dossier)


SCORERS: dict[int, Callable[[Dossier], int | None]] = {1: total_time, 2: unit_time}


def prefilled(dossier: Dossier, codes: list[int]) -> dict[int, int]:
    """Scores for the system-scored indicators ``codes`` that the dates allow."""
    found = {}
    for code in codes:
        scorer = SCORERS.get(code)
        score = scorer(dossier) if scorer else None
        if score is not None:
            found[code] = score
    return found
