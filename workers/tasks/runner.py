"""Running rq workers: a separate process in production, a thread in the embedded default.

A worker process outlives Redis outages: rq's work loop gives up when Redis fails while a job
is being finished, so the process waits for Redis and starts a new worker loop, until it is
asked to stop. Delayed jobs (``enqueue_in``: throttled and back-off deliveries) are moved by a
thread in every worker process instead of rq's scheduler process, which died at a Redis blip
and came back only at rq's 10-minute maintenance; the per-queue locks keep one mover at work.
The deployment still runs the workers under a supervisor (systemd ``Restart=always``) for
whatever else could end a process.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import redis
from flask import Flask
from redis import Redis
from rq import SimpleWorker, Worker
from rq.exceptions import StopRequested
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from api.catalog.search.loader import prebuild
from api.kernel.database import db
from api.kernel.jobs import QUEUE_NAMES
from workers.tasks.schedule import start_schedule_thread

log = logging.getLogger(__name__)


class _InAppContext:
    """Jobs run inside the Flask app context: they call the same services as the API."""

    app: Flask | None = None
    stop_asked = False  # SIGINT/SIGTERM: the process is to end (not a Redis failure)

    def request_stop(self, signum, frame):  # noqa: ANN001, ANN201
        self.stop_asked = True
        return super().request_stop(signum, frame)

    def perform_job(self, job, queue, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        assert self.app is not None
        with self.app.app_context():
            # The job owns its unit of work: what it wrote is committed when it succeeded.
            succeeded = super().perform_job(job, queue, *args, **kwargs)
            if succeeded:
                db.session.commit()
            else:
                db.session.rollback()
            return succeeded


class AppWorker(_InAppContext, Worker):
    """Each job in a forked child: isolation for long or risky jobs, ~25 ms of fork per job."""


class InProcessWorker(_InAppContext, SimpleWorker):
    """Runs jobs in the worker process itself. Our jobs are short batches, so the fork per job
    cost more than the work, and each forked job had to open its own database and provider
    connections; here pools, HTTP keep-alive and the search index live across jobs."""


class ThreadWorker(InProcessWorker):
    """Runs jobs in the calling thread; signals belong to the main thread, so none are set
    and job time-outs use a timer instead of SIGALRM."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        return None


def run_worker_process(app: Flask, burst: bool = False, fork: bool = False) -> None:
    """``python -m workers``: one worker (in-process jobs, or ``fork``) moving delayed jobs."""
    connection = app.extensions["redis"]
    _build_search_index(app)
    base = AppWorker if fork else InProcessWorker
    worker_class = type("BoundAppWorker", (base,), {"app": app})
    if burst:
        move_due_jobs(RQScheduler(list(QUEUE_NAMES), connection=connection))
    else:
        start_schedule_thread(app)
        _serve_metrics(app)
        threading.Thread(
            target=_move_due_jobs_forever, args=(connection,), name="rq-scheduler", daemon=True
        ).start()
    work_through_outages(lambda: worker_class(list(QUEUE_NAMES), connection=connection), burst)


def work_through_outages(
    make_worker: Callable[[], Worker], burst: bool = False, max_pause: float = 10.0
) -> None:
    """Run worker loops until one is asked to stop (or, in burst mode, ends): a loop that
    ended on a Redis failure is followed by a new one once Redis answers again."""
    pause = 0.5
    while True:
        worker = make_worker()
        try:
            worker.work(burst=burst, with_scheduler=False, logging_level="WARNING")
        except StopRequested:
            return
        except redis.RedisError as exc:  # starting or tearing down without Redis
            log.warning("worker_redis_error", extra={"error": type(exc).__name__})
        if worker.stop_asked or (burst and _redis_answers(worker.connection)):
            return
        log.warning("worker_loop_restarting")
        try:
            while not _redis_answers(worker.connection):
                time.sleep(pause)
                pause = min(pause * 2, max_pause)
        except StopRequested:  # SIGTERM while waiting for Redis
            return
        pause = 0.5


def _redis_answers(connection: Redis) -> bool:
    try:
        return bool(connection.ping())
    except redis.RedisError:
        return False


def _serve_metrics(app: Flask) -> None:
    """The worker's delivery figures on WORKER_METRICS_PORT, for a Prometheus that cannot read
    them through the API's PROMETHEUS_MULTIPROC_DIR (another host or container)."""
    settings = app.extensions["settings"]
    if settings.worker_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.worker_metrics_port, addr=settings.host)
        log.info("worker_metrics_served", extra={"port": settings.worker_metrics_port})


def _build_search_index(app: Flask) -> None:
    """Build the search index before the first job (bots search the catalog on almost every
    message); forked jobs inherit it instead of rebuilding it."""

    prebuild(app)
    with app.app_context():
        # Forked jobs must not inherit (and share) the parent's database connections.
        db.engine.dispose()


def start_worker_thread(app: Flask) -> threading.Thread:
    """The embedded default's worker: a daemon thread inside the app process."""
    connection = app.extensions["redis"]
    worker_class = type("BoundThreadWorker", (ThreadWorker,), {"app": app})
    worker = worker_class(list(QUEUE_NAMES), connection=connection)

    def loop() -> None:
        try:
            # rq's scheduler runs in a forked process, which would only see its own copy of
            # the in-process Redis stand-in: delayed jobs are moved by a thread here instead.
            worker.work(with_scheduler=False, logging_level="WARNING")
        except Exception:  # noqa: BLE001 - never take the web process down with the worker
            log.exception("embedded_worker_stopped")

    thread = threading.Thread(target=loop, name="rq-embedded-worker", daemon=True)
    thread.start()
    threading.Thread(
        target=_move_due_jobs_forever, args=(connection,), name="rq-embedded-scheduler", daemon=True
    ).start()

    start_schedule_thread(app)
    log.info("embedded_worker_started")
    return thread


def move_due_jobs(scheduler: RQScheduler) -> None:
    """Put the delayed jobs whose time has come (``enqueue_in``) into their queues."""
    scheduler.acquire_locks()  # no auto_start: that would fork
    scheduler.enqueue_scheduled_jobs()


def _move_due_jobs_forever(connection: Redis, every: float = 1.0) -> None:
    """Move due delayed jobs every second, whatever happens to Redis meanwhile."""
    scheduler = RQScheduler(list(QUEUE_NAMES), connection=connection)
    failing = False
    while True:
        try:
            move_due_jobs(scheduler)
            if failing:
                log.info("scheduler_redis_back")
            failing = False
        except redis.RedisError as exc:
            if not failing:  # once per outage, not once a second
                log.warning("scheduler_redis_error", extra={"error": type(exc).__name__})
            failing = True
        except Exception:  # noqa: BLE001 - keep moving jobs after a hiccup
            log.exception("scheduler_error")
        time.sleep(every)
