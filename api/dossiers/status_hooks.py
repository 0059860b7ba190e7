"""The dossier events announced inside the transaction that applies a change
(``api.kernel.events``): later domains (quality figures, ...) subscribe at app start, so the
dossier domain never imports them. A subscriber writes rows in the same session and never commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from api.kernel import events

# dossier=, old= (status or None), new=, at=: after a status change.
STATUS_CHANGED = events.declare("dossier.status_applied")
# dossier_ids=: dossiers changed by a set-wise batch (batch_apply), with or without a status change.
BATCH_CHANGED = events.declare("dossier.batch_applied")
# dossier=: a dossier whose fields changed without a status change.
FIELDS_CHANGED = events.declare("dossier.fields_applied")


def status_changed(dossier: object, old: int | None, new: int, at: datetime) -> None:
    events.announce(STATUS_CHANGED, dossier=dossier, old=old, new=new, at=at)


def batch_changed(dossier_ids: Iterable[int]) -> None:
    ids = sorted(set(dossier_ids))
    if ids:
        events.announce(BATCH_CHANGED, dossier_ids=ids)


def fields_changed(dossier: object) -> None:
    events.announce(FIELDS_CHANGED, dossier=dossier)
