"""Claims on notifications: a delivery job owns what it claimed until it records the outcome
or the claim ends. A live job renews its claims every CLAIM_RENEW_SECONDS, so a dead
worker's claims end within a minute and the sweeper hands them to another worker.

Commits on its own: a claim must be visible to every other worker the moment it is taken or
renewed.
"""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from api.kernel.clock import utcnow
from api.kernel.database import db
from push.notifications import models as m
from push.notifications import state

log = logging.getLogger(__name__)

CLAIM = timedelta(seconds=60)
CLAIM_RENEW_SECONDS = 20.0


def claim(ids: list[int]) -> list[int]:
    if not ids:
        return []
    now = utcnow()
    owned = state.claim(ids, now, now + CLAIM)
    db.session.commit()
    return owned


class ClaimRenewal:
    """While a batch runs, a thread extends its claims; it stops with the batch (or dies with
    the worker, and then the claims end within CLAIM)."""

    def __init__(self, ids: list[int]) -> None:
        self.ids = list(ids)
        self.done = threading.Event()
        self.app = current_app._get_current_object()
        self.thread = threading.Thread(target=self._loop, name="claim-renewal", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.done.wait(CLAIM_RENEW_SECONDS):
            try:
                with self.app.app_context():
                    renew_claims(self.ids)
            except Exception:  # noqa: BLE001 - a missed renewal only lets a claim end early
                log.warning("claim_renewal_failed", exc_info=True)

    def stop(self) -> None:
        self.done.set()


def renew_claims(ids: list[int]) -> int:
    """Extend the claims still held on ``ids`` (those not yet sent or released)."""
    n = m.Notification
    count = db.session.execute(
        update(n)
        .where(n.id.in_(ids), n.status == m.DELIVERING, n.claimed_until.is_not(None))
        .values(claimed_until=utcnow() + CLAIM)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    return count
