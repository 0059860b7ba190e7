"""The periodic schedule, run by exactly one process at a time (a Redis leader lock), so
adding worker processes never enqueues the same periodic job twice."""

from __future__ import annotations

import logging
import threading

import redis
from flask import Flask
from rq.cron import CronScheduler

from workers.tasks import jobs, quality_jobs, support_jobs

log = logging.getLogger(__name__)

LEADER_KEY = "lock:cron-leader"
LEADER_SECONDS = 60

# The workers' own periodic jobs; the other interfaces bring theirs when the app is composed
# (bots.jobs.PERIODIC, through api.kernel.jobs.add_periodic). (function, queue, timing in UTC)
PERIODIC = [
    (jobs.sweep_notifications, "urgent", {"interval": 30}),  # lost jobs found within 30 s
    (jobs.pull_followed_dossiers, "default", {"interval": 300}),
    (jobs.flush_portal_outbox, "default", {"interval": 60}),
    (jobs.expire_assistance_grants, "default", {"interval": 60}),
    (jobs.send_unit_digests, "bulk", {"interval": 3600}),
    (jobs.refresh_catalog_from_portal, "bulk", {"cron": "0 20 * * 6"}),  # Sunday 03:00 Vietnam
    (jobs.pull_all_unfinished_dossiers, "bulk", {"cron": "0 19 * * *"}),  # 02:00 Vietnam time
    (support_jobs.sync_portal_qa, "bulk", {"interval": 900}),
    (support_jobs.invite_quarterly_survey, "bulk", {"cron": "0 2 1 1,4,7,10 *"}),  # 09:00 VN
    (quality_jobs.send_emc_events, "default", {"interval": 60}),
    (quality_jobs.rebuild_quality_facts, "bulk", {"cron": "30 20 * * *"}),  # 03:30 Vietnam
    (quality_jobs.reconcile_emc_events, "bulk", {"cron": "0 21 * * *"}),  # 04:00 Vietnam
    (quality_jobs.publish_weekly_snapshots, "bulk", {"cron": "0 22 * * 0"}),  # Mon 05:00 VN
    (quality_jobs.publish_monthly_snapshots, "bulk", {"cron": "0 0 1 * *"}),  # 1st 07:00 VN
]


def build_scheduler(connection: redis.Redis, periodic: list) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, logging_level="WARNING")
    for func, queue, timing in periodic:
        scheduler.register(func, queue_name=queue, **timing)
    return scheduler


def periodic_jobs(app: Flask) -> list:
    """What the schedule runs: the workers' own jobs and those the app's interfaces added."""
    return [*PERIODIC, *app.extensions.get("periodic_jobs", [])]


def run_schedule(app: Flask, stop: threading.Event) -> None:
    connection: redis.Redis = app.extensions["redis"]
    scheduler = build_scheduler(connection, periodic_jobs(app))
    lock = connection.lock(LEADER_KEY, timeout=LEADER_SECONDS, blocking=False)
    while not stop.is_set():
        try:
            if lock.owned() or lock.acquire():
                lock.reacquire()
                scheduler.enqueue_jobs()
                wait = min(max(scheduler.calculate_sleep_interval(), 1), LEADER_SECONDS / 3)
            else:
                wait = LEADER_SECONDS / 2
        except redis.RedisError as exc:
            # Redis away: nothing is lost (the schedule resumes when it returns).
            log.warning("schedule_redis_error", extra={"error": type(exc).__name__})
            wait = 5
        stop.wait(wait)


def start_schedule_thread(app: Flask) -> threading.Event:
    stop = threading.Event()
    threading.Thread(target=run_schedule, args=(app, stop), name="schedule", daemon=True).start()
    return stop
