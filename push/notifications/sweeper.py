"""The safety net, run every minute: events not yet turned into notifications, notifications
due or stuck with a dead worker, and receipts that never came.

Commits on its own: a periodic batch; each part commits what it re-queued before handing it to
the workers.
"""

from __future__ import annotations

import logging

from sqlalchemy import or_, select

from api.kernel.clock import utcnow
from api.kernel.database import db
from push.notifications import models as m
from push.notifications import state
from push.notifications.fanout import process_pending_events
from push.notifications.queueing import enqueue_delivery

log = logging.getLogger(__name__)


def sweep(limit: int = 5000) -> dict[str, int]:
    created = process_pending_events()
    now = utcnow()
    overdue = list(
        db.session.scalars(
            select(m.Notification)
            .where(m.Notification.status == m.AWAITING_RECEIPT, m.Notification.receipt_due_at < now)
            .order_by(m.Notification.id)
            .limit(limit)
            # Locked and re-checked: a receipt committed meanwhile is not undone.
            .with_for_update(skip_locked=True)
        )
    )
    moved_on = [n.id for n in overdue]
    for notification in overdue:
        state.receipt_overdue(notification, now)
    db.session.commit()
    due = list(
        db.session.scalars(
            select(m.Notification.id)
            .where(
                or_(
                    (m.Notification.status == m.PENDING) & (m.Notification.next_attempt_at <= now),
                    (m.Notification.status == m.DELIVERING) & (m.Notification.claimed_until < now),
                )
            )
            .order_by(m.Notification.id)
            .limit(limit)
        )
    )
    db.session.commit()
    # The receipt time-outs just moved on are due now (advance() stamped them after ``now``):
    # sent at once, not a sweep later.
    due = sorted(set(due) | set(moved_on))
    if due:
        enqueue_delivery(due)
    counts = {
        "events_to_notifications": len(created),
        "receipt_timeouts": len(overdue),
        "enqueued": len(due),
    }
    if any(counts.values()):
        log.info("sweep", extra=counts)
    return counts
