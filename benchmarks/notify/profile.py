"""Where a notification's time goes, in-process, after the workers have stopped.

Called by benchmarks.notify.load (``profile``) inside the app context, with the fake SMS
gateway still up. For ``count`` fresh status changes (at least 500): events → notifications
(one relay batch), then deliver_batch on batches of 100 as the worker job does: the first in
a fresh forked child, as ``python -m workers --fork`` runs it (no pooled connection, no HTTP
session), the second warm in this process as the default in-process worker runs it, the third
under cProfile. The fork alone and push.channels.throttle at a small quota are measured too.
"""

from __future__ import annotations

import cProfile
import dataclasses
import io
import json
import os
import pstats
import time
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from api.kernel.database import db
from benchmarks.harness.common import SqlMeter
from benchmarks.notify.records import queued_jobs, record
from push.notifications import models as m
from push.notifications.dispatch import deliver_batch
from push.notifications.fanout import process_pending_events

BATCH = 100  # push.notifications.queueing.BATCH: one deliver_notifications job
# A quota the batch exceeds, to show what happens to the rest.
PROBE_QUOTA = 10


def _measure(work: Callable[[], Any], items: int) -> dict[str, Any]:
    meter = SqlMeter()
    wall, cpu = time.perf_counter(), time.process_time()
    with meter.listening(db.engine):
        result = work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "items": items,
        "wall_ms_each": round(wall * 1000 / items, 3),
        "cpu_ms_each": round(cpu * 1000 / items, 3),
        "sql_ms_each": round(meter.seconds * 1000 / items, 3),
        "statements_each": {k: round(v / items, 2) for k, v in sorted(meter.kinds.items())},
        "result": result,
    }


def _in_fork(work: Callable[[], Any], items: int) -> dict[str, Any]:
    """``work`` in a forked child as rq's horse runs a job; its figures come back on a pipe."""
    db.session.remove()
    db.engine.dispose()  # the child must not share this process's connections
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: measure, report, leave without cleanup (as the horse does)
        try:
            with current_app.app_context():
                figures = _measure(work, items)
            os.write(write, json.dumps(figures).encode())
        finally:
            os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    figures = json.loads(b"".join(chunks) or b"{}")
    figures["fork_to_exit_ms"] = round((time.perf_counter() - started) * 1000, 1)
    return figures


def _fork_cost(times: int = 20) -> float:
    """Milliseconds to fork this app-sized process and reap a child that does nothing."""
    started = time.perf_counter()
    for _ in range(times):
        pid = os.fork()
        if pid == 0:
            os._exit(0)
        os.waitpid(pid, 0)
    return round((time.perf_counter() - started) * 1000 / times, 2)


def _commit_cost(nid: int, times: int = 50) -> float:
    """Milliseconds for a one-row UPDATE and its COMMIT (synchronous_commit as configured)."""
    started = time.perf_counter()
    for _ in range(times):
        db.session.execute(
            update(m.Notification)
            .where(m.Notification.id == nid)
            .values(tries_on_channel=m.Notification.tries_on_channel)
        )
        db.session.commit()
    return round((time.perf_counter() - started) * 1000 / times, 2)


def _top(profiler: cProfile.Profile, limit: int = 18) -> list[str]:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(limit)
    lines = [line.rstrip() for line in out.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return [line.replace(os.getcwd() + "/", "")[:160] for line in lines[start : start + limit + 1]]


def _quota_probe(ids: list[int]) -> dict[str, Any]:
    """deliver_batch at the default quota: how many go, and what brings the rest back."""
    app = current_app._get_current_object()
    settings = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(settings, channel_rate_per_second=PROBE_QUOTA)
    try:
        time.sleep(1.0 - time.time() % 1.0)  # a fresh throttle second
        before = queued_jobs()
        counts = deliver_batch(ids)
        waiting, due_by = db.session.execute(
            select(func.count(), func.max(m.Notification.next_attempt_at)).where(
                m.Notification.id.in_(ids), m.Notification.status == m.PENDING
            )
        ).one()
        return {
            "quota_per_second": PROBE_QUOTA,
            "batch": len(ids),
            "outcomes": counts,
            "left_pending": waiting,
            "their_next_attempt_within_s": round(due_by.timestamp() - time.time(), 2)
            if due_by
            else None,
            "jobs_enqueued_for_them": queued_jobs() - before,
        }
    finally:
        app.extensions["settings"] = settings


def profile(first: int, count: int) -> dict[str, Any]:
    from api.dossiers.inbound import ingest_dossiers

    wakeup = "workers.tasks.jobs.process_domain_events"
    queued = queued_jobs(wakeup)
    ingest_dossiers([record(i) for i in range(first, first + count)], int(time.time()))
    queued = queued_jobs(wakeup) - queued  # the push path's wake-up call, if it made one
    events = _measure(lambda: len(process_pending_events(limit=count)), count)
    ids = sorted(
        db.session.scalars(
            select(m.Notification.id).where(m.Notification.status == m.PENDING)
        ).all()
    )[: 4 * BATCH]
    if len(ids) < 4 * BATCH:
        raise RuntimeError(f"only {len(ids)} pending notifications to profile")
    cold = _in_fork(lambda: deliver_batch(ids[:BATCH]), BATCH)
    warm = _measure(lambda: deliver_batch(ids[BATCH : 2 * BATCH]), BATCH)
    profiler = cProfile.Profile()
    profiler.enable()
    deliver_batch(ids[2 * BATCH : 3 * BATCH])
    profiler.disable()
    return {
        "wakeups_enqueued_by_ingest_dossiers": queued,
        "events_to_notifications": events,
        "deliver_batch_in_fresh_fork": cold,
        "deliver_batch_warm": warm,
        "fork_and_reap_ms": _fork_cost(),
        "commit_ms": _commit_cost(ids[0]),
        "cprofile_top_cumulative": _top(profiler),
        "quota_probe": _quota_probe(ids[3 * BATCH : 4 * BATCH]),
    }
