"""Batches pushed by a provincial system in the portal's own format, answered item by item.

Commits on its own: a pushed batch is answered item by item, and the outbox relay is woken only
after the batch is committed.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

from sqlalchemy.exc import DataError

from api.dossiers.apply import (
    MOVED,
    UnknownDossier,
    apply_dossier_update,
    apply_progress,
    apply_safely,
)
from api.dossiers.batch_apply import apply_batch
from api.kernel import outbox
from api.kernel.database import db
from api.portal.dossier_records import RecordError, dossier_from_hoso, progress_from_tiendo

log = logging.getLogger(__name__)

MAX_BATCH = 500
# Per-item answers in the portal's style: error_code 0 is success.
OK, INVALID, UNKNOWN_DOSSIER, CONFLICT = 0, 1, 2, 3


def _item(index: int, code: object, error_code: int, message: str) -> dict:
    return {
        "index": index,
        "MaHoSo": code if isinstance(code, str) else None,
        "error_code": error_code,
        "message": message,
    }


def ingest_dossiers(records: list, signed_at: int, source: str = "push") -> list[dict]:
    as_of = datetime.fromtimestamp(signed_at, UTC)
    results: dict[int, dict] = {}
    parsed: dict[int, object] = {}
    for index, record in enumerate(records):
        code = record.get("MaHoSo") if isinstance(record, dict) else None
        try:
            parsed[index] = dossier_from_hoso(record)
        except RecordError as exc:
            results[index] = _item(index, code, INVALID, str(exc))
    codes = [u.code for u in parsed.values()]
    if db.engine.dialect.name == "postgresql" and len(set(codes)) == len(codes) and parsed:
        try:
            with db.session.begin_nested():
                outcome, parsed = apply_batch(parsed, as_of, source)
        except DataError:
            # One record holds a value the database refuses: judge each record alone.
            log.warning("portal_batch_judged_per_record", extra={"records": len(parsed)})
            outcome = {}
        results.update(
            (i, _item(i, records[i].get("MaHoSo"), OK, value)) for i, value in outcome.items()
        )
    # The per-record path: SQLite, a batch repeating a code, or records a concurrent batch
    # raced, or a batch with a record the database refused.
    for index, update in parsed.items():
        code = records[index].get("MaHoSo")
        try:
            outcome_one, error = apply_safely(apply_dossier_update, update, as_of, source)
        except RecordError as exc:
            results[index] = _item(index, code, INVALID, str(exc))
            continue
        results[index] = (
            _item(index, code, CONFLICT, error) if error else _item(index, code, OK, outcome_one)
        )
    db.session.commit()
    ordered = [results[i] for i in sorted(results)]
    _after_commit(ordered)
    _log_summary("dossiers", ordered)
    return ordered


def ingest_progress(records: list, source: str = "push") -> list[dict]:
    results = []
    moved = False
    for index, record in enumerate(records):
        code = record.get("MaHoSo") if isinstance(record, dict) else None
        try:
            update = progress_from_tiendo(record)
            outcome, error = apply_safely(apply_progress, update, source)
        except RecordError as exc:
            results.append(_item(index, code, INVALID, str(exc)))
            continue
        except UnknownDossier:
            results.append(
                _item(index, code, UNKNOWN_DOSSIER, "unknown dossier: send its HoSo record first")
            )
            continue
        moved = moved or outcome == MOVED
        results.append(
            _item(index, code, CONFLICT, error) if error else _item(index, code, OK, outcome)
        )
    db.session.commit()
    if moved:
        # A province that sends only progress must still reach the citizen.
        outbox.wake_relay()
    _log_summary("progress", results)
    return results


def _after_commit(results: list[dict]) -> None:
    """Status changes were written with their domain events; now wake the notifier."""
    if any(r["message"] in ("created", "updated") for r in results):
        outbox.wake_relay()


def _log_summary(kind: str, results: list[dict]) -> None:
    counts = Counter(r["message"] if r["error_code"] == OK else "error" for r in results)
    log.info("portal_push", extra={"kind": kind, "counts": dict(counts)})
