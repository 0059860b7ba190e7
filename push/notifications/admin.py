"""Operations views: one notification's attempt history, delivery statistics, failed jobs."""

from __future__ import annotations

import statistics
from datetime import timedelta

from flask import current_app
from rq.registry import FailedJobRegistry
from sqlalchemy import func, select

from api.kernel.clock import as_utc, utcnow
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.kernel.jobs import QUEUE_NAMES, get_queue
from push.notifications import models as m


def notification_detail(nid: int) -> m.Notification:
    notification = db.session.get(m.Notification, nid)
    if notification is None:
        raise ApiError(404, "notification_not_found")
    return notification


def delivery_stats(days: int = 7) -> list[dict]:
    since = utcnow() - timedelta(days=days)
    counts = db.session.execute(
        select(m.DeliveryAttempt.channel, m.DeliveryAttempt.status, func.count())
        .where(m.DeliveryAttempt.created_at >= since)
        .group_by(m.DeliveryAttempt.channel, m.DeliveryAttempt.status)
    ).all()
    by_channel: dict[str, dict] = {}
    for channel, status, count in counts:
        row = by_channel.setdefault(
            channel,
            {
                "channel": channel,
                "attempts": 0,
                "sent": 0,
                "delivered": 0,
                "failed": 0,
                "in_flight": 0,
                "median_seconds_to_delivery": None,
            },
        )
        row["attempts"] += count
        if status in (m.SENT, m.ATTEMPT_DELIVERED):
            row["sent"] += count
        if status == m.ATTEMPT_DELIVERED:
            row["delivered"] += count
        if status in (m.TEMPORARY_FAILURE, m.PERMANENT_FAILURE, m.TECHNICAL_FAILURE):
            row["failed"] += count
        if status in (m.CREATED, m.SENDING):
            row["in_flight"] += count
    # Time from the event (notification made) to delivery, for delivered notifications.
    rows = db.session.execute(
        select(
            m.Notification.delivered_channel, m.Notification.created_at, m.Notification.delivered_at
        )
        .where(
            m.Notification.delivered_at.is_not(None),
            m.Notification.created_at >= since,
            m.Notification.delivered_channel != "inbox",
        )
        .limit(100_000)
    ).all()
    durations: dict[str, list[float]] = {}
    for channel, created, delivered in rows:
        durations.setdefault(channel, []).append(
            (as_utc(delivered) - as_utc(created)).total_seconds()
        )
    for channel, values in durations.items():
        if channel in by_channel:
            by_channel[channel]["median_seconds_to_delivery"] = round(statistics.median(values), 3)
    return sorted(by_channel.values(), key=lambda r: r["channel"])


def failed_jobs(limit: int = 50) -> list[dict]:
    connection = current_app.extensions["redis"]
    out = []
    for name in QUEUE_NAMES:
        registry = FailedJobRegistry(name, connection=connection)
        for job_id in registry.get_job_ids(0, limit - 1):
            job = get_queue(name).fetch_job(job_id)
            if job is None:
                continue
            out.append(
                {
                    "id": job.id,
                    "queue": name,
                    "function": job.func_name,
                    "failed_at": job.ended_at,
                    "error": (job.latest_result().exc_string or "")[-500:]
                    if job.latest_result()
                    else "",
                }
            )
    return out[:limit]
