"""Outbound queue to the portal: what we must tell it (ratings, messages), written in the same
transaction as the change, sent later by ``flush_portal_outbox`` from a periodic job.

Exactly-once: a dedupe key makes the same change one row, ever. Each record carries that key
as ``MaDongBo`` so the receiving side can drop a repeat: a worker that dies after the portal
accepted but before we recorded it sends again when its claim expires. One worker at a time
holds a row (a claim with an expiry); no database connection is held while the portal answers.
Rows of one dossier and service go in order (a rating's edit never overtakes the rating).
Failures retry with growing delays; after ``MAX_ATTEMPTS`` a row is parked as "failed".

Commits on its own: rows are claimed before the portal is called (with no transaction open)
and their outcome recorded at once, so a crash never sends a row twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from api.kernel.clock import as_utc, to_local, utcnow
from api.kernel.database import UtcDateTime, db
from api.kernel.errors import ApiError
from api.portal.client import get_gateway
from api.portal.gateway import PortalError, PortalGateway
from api.portal.records import PORTAL_DATETIME_FORMAT

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"
CLAIM = timedelta(minutes=5)
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=3),
    timedelta(hours=6),
)
MAX_ATTEMPTS = 20  # about four days of trying


class PortalOutbox(db.Model):
    __tablename__ = "portal_outbox"
    __table_args__ = (Index("ix_portal_outbox_status_id", "status", "id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(128), unique=True)
    service: Mapped[str] = mapped_column(String(64))
    dossier_id: Mapped[int | None] = mapped_column(
        ForeignKey("dossiers.id"), nullable=True, index=True
    )
    payload: Mapped[dict] = mapped_column(JSON, default=dict)  # fields of the gateway call
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


def enqueue(
    service: str, record: dict, dedupe_key: str, dossier_id: int | None = None
) -> PortalOutbox | None:
    """Queue one record for ``service`` unless this key was queued before (caller commits)."""
    if db.session.scalar(select(PortalOutbox.id).where(PortalOutbox.dedupe_key == dedupe_key)):
        return None
    row = PortalOutbox(
        dedupe_key=dedupe_key,
        service=service,
        dossier_id=dossier_id,
        payload={"data": [{**record, "MaDongBo": dedupe_key}]},
        next_attempt_at=utcnow(),
    )
    db.session.add(row)
    return row


def _due(limit: int, now: datetime) -> list[tuple[int, tuple]]:
    """Due rows (id, ordering group), oldest first. A row waits while an earlier unsent row
    of the same dossier and service is not due (its retry is pending, or another worker has it).
    """
    rows = db.session.execute(
        select(
            PortalOutbox.id,
            PortalOutbox.dossier_id,
            PortalOutbox.service,
            PortalOutbox.status,
            PortalOutbox.next_attempt_at,
            PortalOutbox.claimed_until,
        )
        .where(PortalOutbox.status.in_((PENDING, SENDING)))
        .order_by(PortalOutbox.id)
        .limit(limit * 10)
    )
    due: list[tuple[int, tuple]] = []
    waiting: set[tuple] = set()
    for row_id, dossier_id, service, status, next_at, claimed in rows:
        group = (dossier_id, service) if dossier_id is not None else (None, row_id)
        ready = (status == PENDING and as_utc(next_at) <= now) or (
            status == SENDING and claimed is not None and as_utc(claimed) < now
        )
        if group in waiting:
            continue
        if not ready:
            waiting.add(group)
            continue
        due.append((row_id, group))
        if len(due) >= limit:
            break
    return due


def _claim(row_id: int, now: datetime) -> PortalOutbox | None:
    won = db.session.execute(
        update(PortalOutbox)
        .where(
            PortalOutbox.id == row_id,
            or_(
                (PortalOutbox.status == PENDING) & (PortalOutbox.next_attempt_at <= now),
                (PortalOutbox.status == SENDING) & (PortalOutbox.claimed_until < now),
            ),
        )
        .values(status=SENDING, claimed_until=now + CLAIM)
    ).rowcount
    db.session.commit()
    return db.session.get(PortalOutbox, row_id) if won else None


def _record(row_id: int, error: str | None) -> str:
    row = db.session.get(PortalOutbox, row_id)
    now = utcnow()
    row.claimed_until = None
    if error is None:
        row.status, row.sent_at, row.last_error = SENT, now, ""
        outcome = "sent"
    else:
        row.attempts += 1
        row.last_error = error[:1000]
        if row.attempts >= MAX_ATTEMPTS:
            row.status, outcome = FAILED, "failed"
            log.error("portal_outbox_gave_up", extra={"row": row_id, "service": row.service})
        else:
            row.status, outcome = PENDING, "retry"
            row.next_attempt_at = now + BACKOFF[min(row.attempts, len(BACKOFF)) - 1]
    db.session.commit()
    return outcome


def flush_portal_outbox(limit: int = 100, gateway: PortalGateway | None = None) -> dict[str, int]:
    """Send what is due to the portal (a periodic job). Returns counts per outcome."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if gateway is None:
        try:
            gateway = get_gateway()
        except ApiError:
            log.warning("portal_not_configured: outbox kept until PORTAL_BASE_URL is set")
            return {**counts, "skipped": 1}
    failed_groups: set[tuple] = set()
    for row_id, group in _due(limit, utcnow()):
        if group in failed_groups:
            continue  # keep the order: the earlier row is retried first
        row = _claim(row_id, utcnow())
        if row is None:
            failed_groups.add(group)  # another worker has it: wait behind it
            continue
        service, payload = row.service, dict(row.payload)
        db.session.close()  # no connection is held while the portal answers
        error: str | None = None
        try:
            gateway.call(service, **payload)
        except PortalError as exc:
            if exc.code == "not_configured":
                _release(row_id)
                return {**counts, "skipped": 1}
            error = f"{exc.code}: {exc.message}"
        except Exception as exc:  # noqa: BLE001 - one bad row must not stop the queue
            log.exception("portal_outbox_error", extra={"row": row_id})
            error = type(exc).__name__
        outcome = _record(row_id, error)
        counts[outcome] += 1
        if outcome != "sent":
            failed_groups.add(group)
    return counts


def _release(row_id: int) -> None:
    db.session.execute(
        update(PortalOutbox)
        .where(PortalOutbox.id == row_id)
        .values(status=PENDING, claimed_until=None)
    )
    db.session.commit()


def portal_time(value: datetime) -> str:
    """The portal's date format (yyyyMMddHHmmss, Vietnam time)."""
    return to_local(value).strftime(PORTAL_DATETIME_FORMAT)
