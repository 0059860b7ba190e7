"""Reactions to dossier changes inside the transaction that applies them, by subscription:
later domains (quality figures, ...) register here at app start, so the dossier domain never
imports them. A subscriber writes rows in the same session and never commits."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

# (dossier, old status or None, new status, when) after a status change.
StatusHook = Callable[[object, int | None, int, datetime], None]
# Dossier ids changed by a set-wise batch (batch_apply), with or without a status change.
BatchHook = Callable[[Iterable[int]], None]
# A dossier whose fields changed without a status change.
RefreshHook = Callable[[object], None]

_status: list[StatusHook] = []
_batch: list[BatchHook] = []
_refresh: list[RefreshHook] = []


def subscribe(
    status: StatusHook | None = None,
    batch: BatchHook | None = None,
    refresh: RefreshHook | None = None,
) -> None:
    for hooks, hook in ((_status, status), (_batch, batch), (_refresh, refresh)):
        if hook is not None and hook not in hooks:
            hooks.append(hook)


def status_changed(dossier: object, old: int | None, new: int, at: datetime) -> None:
    for hook in _status:
        hook(dossier, old, new, at)


def batch_changed(dossier_ids: Iterable[int]) -> None:
    ids = sorted(set(dossier_ids))
    if ids:
        for hook in _batch:
            hook(ids)


def fields_changed(dossier: object) -> None:
    for hook in _refresh:
        hook(dossier)
