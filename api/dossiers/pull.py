"""Pulling from the portal: followed, unfinished dossiers every few minutes (spread out), and
a nightly wide re-pull of every unfinished dossier to catch what pushes missed.

Runs hold a Redis lock so two never overlap, and record progress in ``sync_runs``; each
dossier commits on its own, so a crash or a portal outage loses nothing and the next run
carries on from where this one stopped.

Commits on its own: a run pulls page by page and saves its progress, so a crash or a portal
outage resumes where it stopped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import redis
from flask import current_app
from sqlalchemy import exists, or_, select

from api.auth.models import Account
from api.dossiers.apply import STALE, UNCHANGED, apply_dossier_update, apply_safely, next_pull_time
from api.dossiers.models import Dossier, DossierFollow, SyncRun
from api.kernel import outbox
from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.portal.dossier_records import RecordError, dossier_from_hoso
from api.portal.gateway import PortalError, PortalGateway, PortalUnavailable

log = logging.getLogger(__name__)

LOCK_SECONDS = 15 * 60
NIGHTLY_RESUME_WINDOW = timedelta(hours=20)


def _lock(name: str):  # noqa: ANN202
    connection: redis.Redis = current_app.extensions["redis"]
    return connection.lock(f"lock:{name}", timeout=LOCK_SECONDS, blocking=False)


def _watched():
    """Dossiers someone is waiting on: followed, or owned by a signed-up citizen."""
    followed = exists().where(DossierFollow.dossier_id == Dossier.id)
    owned = exists().where(
        Account.personal_id == Dossier.applicant_id_number, Dossier.applicant_id_number != ""
    )
    contact = exists().where(Account.phone == Dossier.contact_phone, Dossier.contact_phone != "")
    return or_(followed, owned, contact)


def _pull_one(gateway: PortalGateway, dossier: Dossier, run: SyncRun) -> None:
    now = utcnow()
    try:
        record = gateway.lookup_dossier(dossier.code)
        if record is not None:
            outcome, _ = apply_safely(apply_dossier_update, dossier_from_hoso(record), now, "pull")
            run.changed += outcome not in (UNCHANGED, STALE)
    except RecordError as exc:
        run.failed += 1
        log.warning("pull_record_invalid", extra={"dossier": dossier.code, "reason": str(exc)})
    except PortalUnavailable:
        raise
    except PortalError as exc:
        run.failed += 1
        log.warning("pull_portal_error", extra={"dossier": dossier.code, "code": exc.code})
    dossier.last_synced_at = now
    dossier.next_sync_at = None if dossier.finished else next_pull_time(now)
    run.done += 1
    run.cursor = dossier.id
    db.session.commit()


def pull_followed(gateway: PortalGateway, limit: int = 200) -> SyncRun | None:
    """One pass over due, watched, unfinished dossiers. Returns the run, or None if another
    run holds the lock."""
    lock = _lock("pull_followed")
    if not lock.acquire():
        return None
    try:
        now = utcnow()
        ids = list(
            db.session.scalars(
                select(Dossier.id)
                .where(Dossier.finished.is_(False), Dossier.next_sync_at <= now, _watched())
                .order_by(Dossier.next_sync_at)
                .limit(limit)
            )
        )
        run = SyncRun(kind="followed", total=len(ids))
        db.session.add(run)
        db.session.commit()
        return _run(gateway, run, ids)
    finally:
        _release(lock)


def pull_nightly(
    gateway: PortalGateway, batch: int = 500, progress: Callable[[SyncRun], None] | None = None
) -> SyncRun | None:
    """Re-pull every unfinished dossier, resuming an interrupted run from its cursor."""
    lock = _lock("pull_nightly")
    if not lock.acquire():
        return None
    try:
        run = db.session.scalar(
            select(SyncRun)
            .where(SyncRun.kind == "nightly", SyncRun.finished_at.is_(None))
            .order_by(SyncRun.id.desc())
            .limit(1)
        )
        if run is None or as_utc(run.started_at) < utcnow() - NIGHTLY_RESUME_WINDOW:
            total = db.session.scalar(
                select(db.func.count()).select_from(Dossier).where(Dossier.finished.is_(False))
            )
            run = SyncRun(kind="nightly", total=total)
            db.session.add(run)
        run.error = ""  # a resumed run starts clean; an outage sets it again
        db.session.commit()
        while True:
            ids = list(
                db.session.scalars(
                    select(Dossier.id)
                    .where(Dossier.finished.is_(False), Dossier.id > run.cursor)
                    .order_by(Dossier.id)
                    .limit(batch)
                )
            )
            if not ids:
                break
            _run(gateway, run, ids, finish=False)
            if run.error:
                return run
            if progress:
                progress(run)
        run.finished_at = utcnow()
        db.session.commit()
        return run
    finally:
        _release(lock)


def _run(gateway: PortalGateway, run: SyncRun, ids: list[int], finish: bool = True) -> SyncRun:
    for dossier_id in ids:
        dossier = db.session.get(Dossier, dossier_id)
        try:
            _pull_one(gateway, dossier, run)
        except PortalUnavailable as exc:
            # Stop here: the rest stay due and the next run (or a resumed one) takes them.
            db.session.rollback()
            run = db.session.get(SyncRun, run.id)
            run.error = f"portal unavailable: {exc}"[:500]
            db.session.commit()
            log.warning("pull_stopped_portal_unavailable", extra={"run": run.id, "done": run.done})
            return run
    if finish:
        run.finished_at = utcnow()
        db.session.commit()
    if run.changed:
        outbox.wake_relay()
    log.info(
        "pull_run",
        extra={
            "run": run.id,
            "kind": run.kind,
            "done": run.done,
            "changed": run.changed,
            "failed": run.failed,
        },
    )
    return run


def _release(lock) -> None:  # noqa: ANN001
    try:
        lock.release()
    except redis.exceptions.LockError:
        log.warning("pull_lock_expired_before_release")
