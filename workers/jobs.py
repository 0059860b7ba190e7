"""Job functions. Each runs inside the app context and calls the same services as the API."""

from __future__ import annotations

import logging

from api.dossiers.pull import pull_followed, pull_nightly
from api.errors import ApiError
from api.portal.client import get_gateway

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


def process_domain_events() -> dict:
    """Domain events → notifications, then hand them to delivery."""
    from api.notifications.service import process_pending_events
    from push.queueing import enqueue_delivery

    total = 0
    for _ in range(100):  # drain what is there (bounded), delivering as we go
        ids = process_pending_events()
        if not ids:
            break
        enqueue_delivery(ids)
        total += len(ids)
    return {"notifications": total}


def deliver_notifications(notification_ids: list[int]) -> dict:
    from push.dispatch import deliver_batch

    return deliver_batch(notification_ids)


def sweep_notifications() -> dict:
    from push.sweeper import sweep

    return sweep()


def send_unit_digests() -> dict:
    from api.messaging.digest import send_unit_digests as send

    return send()


def flush_portal_outbox() -> dict:
    from api.portal.outbox import flush_portal_outbox as flush

    try:
        return flush()
    except ApiError:
        log.warning("portal_not_configured: outbound ratings and messages wait in the queue")
        return {"skipped": "portal not configured"}


def refresh_catalog_from_portal() -> dict:
    from api.portal.catalog_refresh import refresh_catalog

    gateway = _gateway()
    if gateway is None:
        return {"skipped": "portal not configured"}
    summary = refresh_catalog(gateway)
    return {k: v for k, v in summary.as_dict().items() if k != "problems"}
