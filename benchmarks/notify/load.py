"""The notify part's in-app side, run as a child process with the app's environment set
(DATABASE_URL, REDIS_URL, SMS_*): ``python -m benchmarks.notify.load COMMAND ...``.

seed    citizens (phone, personal id, preferences ["sms"], no quiet hours) and one dossier
        each, by bulk insert: no domain events, so nothing to notify yet.
burst   a status change for dossiers [first, first+count) through ingest_dossiers, 500 records
        a call as a portal push; each call commits and enqueues its own wake-up
        (process_domain_events, api.dossiers.inbound._after_commit).
steady  ``rate`` status changes a second for ``seconds``: every tick one ingest_dossiers call
        for the tick's records, the time it was called noted per dossier ("push received").
profile where a notification's time goes, in-process, the workers stopped (the gateway up):
        for ``count`` fresh changes, events → notifications (one relay batch), then
        deliver_batch on batches of 100 as the worker job does: in a fresh fork as ``python
        -m workers --fork`` runs it, warm as the in-process worker does, and under cProfile;
        the fork alone and push.channels.throttle at a small quota too.
Each prints one JSON line last.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import json
import os
import pstats
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from sqlalchemy import func, insert, select, update

from api.app import create_app
from api.auth.models import Account
from api.dossiers.inbound import ingest_dossiers
from api.dossiers.models import Dossier
from api.kernel.database import db
from api.profile.models import NotificationPreference
from benchmarks.harness.common import SqlMeter
from benchmarks.notify.records import (
    FROM_STATUS,
    PUSH_BATCH,
    code,
    personal_id,
    phone,
    queued_jobs,
    record,
)
from push.notifications import models as m
from push.notifications.dispatch import deliver_batch
from push.notifications.fanout import process_pending_events


def seed(count: int) -> dict:
    started = time.perf_counter()
    for start in range(0, count, 2000):
        indexes = range(start, min(start + 2000, count))
        citizens = [
            {"role": "citizen", "assurance": "vneid", "personal_id": personal_id(i),
             "phone": phone(i), "full_name": f"Nguyễn Văn {i}"}
            for i in indexes
        ]  # fmt: skip
        ids = db.session.scalars(insert(Account).returning(Account.id), citizens).all()
        db.session.execute(
            insert(NotificationPreference),
            [{"account_id": a, "channels": ["sms"], "events": {}, "language": "vi"} for a in ids],
        )
        dossiers = [
            {"code": code(i), "procedure_name": "Cấp giấy phép xây dựng",
             "applicant_id_number": personal_id(i), "status_code": FROM_STATUS}
            for i in indexes
        ]  # fmt: skip
        db.session.execute(insert(Dossier), dossiers)
        db.session.commit()
    return {"citizens": count, "seconds": round(time.perf_counter() - started, 2)}


def burst(first: int, count: int) -> dict:
    """Pushes of 500 through ingest_dossiers, back to back."""
    outcomes: Counter = Counter()
    started, clock = time.time(), time.perf_counter()
    for start in range(first, first + count, PUSH_BATCH):
        records = [record(i) for i in range(start, min(start + PUSH_BATCH, first + count))]
        outcomes.update(r["message"] for r in ingest_dossiers(records, int(time.time())))
    seconds = time.perf_counter() - clock
    return {
        "started_at": started,
        "ingest_seconds": round(seconds, 2),
        "records_per_second": round(count / seconds, 1),
        "outcomes": dict(outcomes),
    }


def steady(first: int, rate: float, seconds: float, tick: float) -> dict:
    per_tick = max(1, round(rate * tick))
    ticks = int(seconds / tick)
    received: dict[str, float] = {}
    outcomes: Counter = Counter()
    late = 0
    started = time.monotonic()
    for n in range(ticks):
        due = started + n * tick
        pause = due - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        elif pause < -tick:
            late += 1
        indexes = range(first + n * per_tick, first + (n + 1) * per_tick)
        at = time.time()
        results = ingest_dossiers([record(i) for i in indexes], int(at))
        outcomes.update(r["message"] for r in results)
        received.update({code(i): at for i in indexes})
    elapsed = time.monotonic() - started
    return {
        "events": len(received),
        "seconds": round(elapsed, 2),
        "events_per_second": round(len(received) / elapsed, 1),
        "late_ticks": late,
        "outcomes": dict(outcomes),
        "received": received,
    }


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


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.notify.load")
    sub = parser.add_subparsers(dest="command", required=True)
    options = {"seed": "count", "burst": "first count", "steady": "first rate seconds",
               "profile": "first count"}  # fmt: skip
    for name, names in options.items():
        command = sub.add_parser(name)
        for option in names.split():
            kind = float if option in ("rate", "seconds") else int
            command.add_argument(f"--{option}", type=kind, required=True)
    sub.choices["steady"].add_argument("--tick", type=float, default=0.1)
    return parser.parse_args(argv)


def dispatch(app: Flask, args: argparse.Namespace) -> dict:
    with app.app_context():
        if args.command == "seed":
            return seed(args.count)
        if args.command == "burst":
            return burst(args.first, args.count)
        if args.command == "steady":
            return steady(args.first, args.rate, args.seconds, args.tick)
        return profile(args.first, args.count)


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    print(json.dumps(dispatch(create_app(), args)), flush=True)


if __name__ == "__main__":
    main()
