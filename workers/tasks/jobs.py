"""Job functions. Each runs inside the app context and calls the same services as the API."""

from __future__ import annotations

import logging

from api.assistance.grants import expire_due
from api.catalog.portal_refresh import refresh_catalog
from api.dossiers.pull import pull_followed, pull_nightly
from api.kernel.errors import ApiError
from api.kernel.outbox import relay_lock, wake_relay, wake_up_taken
from api.messaging.digest import send_unit_digests as send
from api.portal.client import get_gateway
from api.portal.outbox import flush_portal_outbox as flush
from push.notifications.dispatch import deliver_batch
from push.notifications.fanout import events_waiting, relay
from push.notifications.queueing import enqueue_delivery
from push.notifications.sweeper import sweep

log = logging.getLogger(__name__)


def ping(value: str = "pong") -> str:
    """A trivial job: the reference the benchmarks compare real jobs against."""
    return value


def _gateway():  # noqa: ANN202
    try:
        return get_gateway()
    except ApiError:
        log.warning("portal_not_configured: set PORTAL_BASE_URL to pull from the portal")
        return None


def pull_followed_dossiers() -> dict:
    gateway = _gateway()
    if gateway is None:
        return {"skipped": "portal not configured"}
    run = pull_followed(gateway)
    return (
        {"skipped": True} if run is None else {"run": run.id, "done": run.done, "error": run.error}
    )


def pull_all_unfinished_dossiers() -> dict:
    gateway = _gateway()
    if gateway is None:
        return {"skipped": "portal not configured"}
    run = pull_nightly(gateway)
    return (
        {"skipped": True} if run is None else {"run": run.id, "done": run.done, "error": run.error}
    )


def process_domain_events(max_rounds: int = 40) -> dict:
    """Domain events → notifications, handed to delivery a batch at a time, until the outbox
    is empty (or, after ``max_rounds`` batches, hand the rest to a fresh run)."""

    wake_up_taken()
    total, rounds = 0, 0
    lock = relay_lock()
    # One relay at a time: a second worker is worth more delivering what the first relays.
    # Whoever holds the lock looks again after letting go, so nothing waits for the sweeper.
    while lock.acquire():
        try:
            while rounds < max_rounds:
                relayed = relay()
                rounds += 1
                if not relayed.events:
                    break
                urgent = set(relayed.urgent_ids)
                # Supplement or payment requests and results go before routine changes.
                enqueue_delivery(relayed.urgent_ids, urgent=True)
                enqueue_delivery([i for i in relayed.notification_ids if i not in urgent])
                total += len(relayed.notification_ids)
                lock.extend()
        finally:
            lock.release()
        if rounds >= max_rounds:
            wake_relay()  # let other queued work in before the next rounds
            return {"notifications": total, "more": True}
        if not events_waiting():
            break
    return {"notifications": total}


def deliver_notifications(notification_ids: list[int]) -> dict:

    return deliver_batch(notification_ids)


def sweep_notifications() -> dict:

    return sweep()


def expire_assistance_grants() -> dict:

    return {"expired": expire_due()}


def send_unit_digests() -> dict:

    return send()


def flush_portal_outbox() -> dict:

    try:
        return flush()
    except ApiError:
        log.warning("portal_not_configured: outbound ratings and messages wait in the queue")
        return {"skipped": "portal not configured"}


def refresh_catalog_from_portal() -> dict:

    gateway = _gateway()
    if gateway is None:
        return {"skipped": "portal not configured"}
    summary = refresh_catalog(gateway)
    return {k: v for k, v in summary.as_dict().items() if k != "problems"}
