"""Raw updates in, work out: store each update once (the unique key drops redeliveries),
enqueue its processing after the commit, and a sweep for what Redis lost."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from api.kernel import jobs, settings
from api.kernel.clock import utcnow
from api.kernel.database import db
from bots.models import BotUpdate

log = logging.getLogger(__name__)

QUEUE = "urgent"  # a person is waiting for the answer
TASK = "process_bot_update"
SWEEP_AFTER = timedelta(seconds=30)  # younger updates may still be on their way


def store(channel: str, external_id: str, chat_id: str, kind: str, payload: dict) -> int | None:
    """The new update's id, or None when this update was stored before."""
    row = BotUpdate(
        channel=channel,
        external_id=external_id[:128],
        chat_id=chat_id[:64],
        kind=kind[:48],
        payload=payload,
    )
    db.session.add(row)
    try:
        db.session.flush()
        update_id = row.id  # read now: after the commit it would cost another query
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return None
    return update_id


def enqueue(update_id: int) -> None:
    # Stored already: if Redis is away, the sweep enqueues it once Redis is back.
    jobs.enqueue(TASK, update_id, queue=QUEUE)


def sweep(limit: int = 500) -> dict[str, int]:
    """Re-enqueue updates nobody processed (Redis down at the time, a worker died), and drop
    processed updates past the retention time. Run every minute."""
    now = utcnow()
    stale = list(
        db.session.scalars(
            select(BotUpdate.id)
            .where(
                BotUpdate.processed_at.is_(None),
                BotUpdate.received_at < now - SWEEP_AFTER,
                or_(BotUpdate.claimed_until.is_(None), BotUpdate.claimed_until < now),
            )
            .order_by(BotUpdate.id)
            .limit(limit)
        )
    )
    keep = timedelta(days=settings.current().bot_update_retention_days)
    purged = db.session.execute(
        delete(BotUpdate).where(
            BotUpdate.processed_at.is_not(None), BotUpdate.processed_at < now - keep
        )
    ).rowcount
    db.session.commit()
    for update_id in stale:
        enqueue(update_id)
    counts = {"enqueued": len(stale), "purged": purged}
    if stale or purged:
        log.info("bot_sweep", extra=counts)
    return counts
