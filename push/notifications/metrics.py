"""Prometheus figures of the notification pipeline.

Counted where the work happens (the workers). A worker process on the API's host shares
PROMETHEUS_MULTIPROC_DIR with it and /metrics sums them; elsewhere WORKER_METRICS_PORT serves
a worker's own. The backlog (outbox, due notifications, queues) is read when /metrics is
scraped, so it is right whichever process answers.

Commits on its own: a /metrics scrape reads in its own app context and ends its own read
transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from api.dossiers.models import DomainEvent
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.jobs import all_queues
from push.notifications import models as m

log = logging.getLogger(__name__)

DELIVERIES = Counter(
    "dvc_notification_deliveries_total",
    "Delivery steps by channel and what came of them (sent, next_channel, retry_later, "
    "throttled, not_tried_in_time, failed)",
    ["channel", "outcome"],
)
PROVIDER_CALL = Histogram(
    "dvc_notification_provider_call_seconds",
    "Time a provider took to answer one send",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
TO_PROVIDER = Histogram(
    "dvc_notification_to_provider_seconds",
    "From the notification's creation to a provider accepting it",
    ["channel"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600),
)


class BacklogCollector(Collector):
    """What waits: unprocessed outbox events, notifications due, jobs per queue, failed jobs.
    Each figure is one indexed count or one Redis call."""

    def __init__(self, app) -> None:  # noqa: ANN001 - a Flask app
        self.app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.app.app_context():
            try:
                events = db.session.scalar(
                    select(func.count())
                    .select_from(DomainEvent)
                    .where(DomainEvent.processed_at.is_(None))
                )
                due = db.session.scalar(
                    select(func.count())
                    .select_from(m.Notification)
                    .where(
                        m.Notification.status == m.PENDING,
                        m.Notification.next_attempt_at <= utcnow(),
                    )
                )
                db.session.commit()
            except Exception:  # noqa: BLE001 - a scrape must answer even when the DB does not
                log.warning("metrics_backlog_database_unavailable")
                db.session.rollback()
            else:
                yield _gauge(
                    "dvc_outbox_unprocessed_events", "Domain events not yet relayed", events
                )
                yield _gauge("dvc_notifications_due", "Notifications due for delivery now", due)
            try:
                queues = [(q.name, q.count, q.failed_job_registry.count) for q in all_queues()]
            except Exception:  # noqa: BLE001
                log.warning("metrics_backlog_redis_unavailable")
                return
            waiting = GaugeMetricFamily(
                "dvc_queue_jobs", "Jobs waiting per queue", labels=["queue"]
            )
            failed = GaugeMetricFamily("dvc_queue_failed_jobs", "Failed jobs", labels=["queue"])
            for name, count, failures in queues:
                waiting.add_metric([name], count)
                failed.add_metric([name], failures)
            yield waiting
            yield failed


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)
