"""Sends the EMC outbox (an rq job run every minute). The only module that speaks HTTP to EMC.

Retried with growing delays on network errors, 5xx and 429 (a Retry-After is honoured); any
other 4xx is a permanent refusal: the row is parked as failed with the answer, never resent.
One worker holds a row at a time (a claim with an expiry); no database connection is held
while EMC answers. No authentication header was seen in use (unconfirmed).

Commits on its own: events are claimed before EMC is called (with no transaction open) and
their outcome recorded at once, so a crash never sends an event twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import or_, select, update

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.quality.emc import FAILED, PENDING, SENDING, SENT
from api.quality.models import EmcEvent

log = logging.getLogger(__name__)

CLAIM = timedelta(minutes=5)
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=6)
MAX_ATTEMPTS = 20
TIMEOUT = 10.0


class Outcome:
    SENT, RETRY, REFUSED = "sent", "retry", "refused"


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... up to 6 h."""
    return min(FIRST_DELAY * (2 ** max(attempts - 1, 0)), MAX_DELAY)


def _retry_after(response: requests.Response) -> timedelta | None:
    value = response.headers.get("Retry-After", "")
    return timedelta(seconds=int(value)) if value.isdigit() else None


def post_event(url: str, payload: dict, session: requests.Session | None = None) -> tuple:
    """(outcome, error text, delay hint) for one event."""
    try:
        response = (session or requests).post(url, json=payload, timeout=TIMEOUT)
    except requests.RequestException as exc:
        return Outcome.RETRY, f"network: {type(exc).__name__}", None
    if response.status_code < 300:
        return Outcome.SENT, "", None
    detail = f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code >= 500 or response.status_code == 429:
        return Outcome.RETRY, detail, _retry_after(response)
    return Outcome.REFUSED, detail, None


def _claim(limit: int, now: datetime) -> list[tuple[int, dict]]:
    due = list(
        db.session.scalars(
            select(EmcEvent.id)
            .where(
                or_(
                    (EmcEvent.state == PENDING) & (EmcEvent.next_attempt_at <= now),
                    (EmcEvent.state == SENDING) & (EmcEvent.claimed_until < now),
                )
            )
            .order_by(EmcEvent.occurred_at, EmcEvent.id)
            .limit(limit)
        )
    )
    won = []
    for row_id in due:
        taken = db.session.execute(
            update(EmcEvent)
            .where(
                EmcEvent.id == row_id,
                or_(
                    (EmcEvent.state == PENDING) & (EmcEvent.next_attempt_at <= now),
                    (EmcEvent.state == SENDING) & (EmcEvent.claimed_until < now),
                ),
            )
            .values(state=SENDING, claimed_until=now + CLAIM)
        ).rowcount
        if taken:
            won.append(row_id)
    db.session.commit()
    return [(row_id, dict(db.session.get(EmcEvent, row_id).payload)) for row_id in won]


def _record(row_id: int, outcome: str, error: str, hint: timedelta | None) -> str:
    row = db.session.get(EmcEvent, row_id)
    now = utcnow()
    row.claimed_until = None
    if outcome == Outcome.SENT:
        row.state, row.sent_at, row.last_error = SENT, now, ""
        return "sent"
    row.attempts += 1
    row.last_error = error[:1000]
    if outcome == Outcome.REFUSED or row.attempts >= MAX_ATTEMPTS:
        row.state = FAILED
        log.error("emc_event_failed", extra={"row": row_id, "error": error[:200]})
        return "failed"
    row.state = PENDING
    row.next_attempt_at = now + max(backoff(row.attempts), hint or timedelta(0))
    return "retry"


def flush_emc_outbox(limit: int = 200) -> dict[str, int]:
    settings = current_app.extensions["settings"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if not settings.emc_url:
        log.warning("emc_not_configured: events wait in the outbox until EMC_URL is set")
        return {**counts, "skipped": 1}
    claimed = _claim(limit, utcnow())
    db.session.close()  # no connection held while EMC answers
    results, untried = [], []
    with requests.Session() as session:
        for index, (row_id, payload) in enumerate(claimed):
            result = post_event(settings.emc_url, payload, session)
            results.append((row_id, *result))
            if result[0] == Outcome.RETRY:
                # EMC is down or throttling: the rest waits, without spending an attempt.
                untried = [row for row, _ in claimed[index + 1 :]]
                break
    for row_id, outcome, error, hint in results:
        counts[_record(row_id, outcome, error, hint)] += 1
    if untried:
        db.session.execute(
            update(EmcEvent)
            .where(EmcEvent.id.in_(untried))
            .values(state=PENDING, claimed_until=None)
        )
    db.session.commit()
    return counts
