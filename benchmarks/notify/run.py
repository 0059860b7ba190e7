"""Part ``notify``: status events through the whole notification pipeline (issue 5).

A fresh PostgreSQL database (``flask db upgrade``), a Redis of its own (pgstack.PrivateRedis:
test runs flush the shared one; BENCH_NOTIFY_REDIS_URL points the part at a shared server),
two ``python -m workers`` with SMS pointed at tests.fakes.sms_gateway in its keep-alive mode
(which notes when each request_id arrives), one citizen preferring SMS per dossier. The quota
of push.channels.throttle is lifted (stack.QUOTA) and probed apart.

1. burst: ``BURST`` status changes pushed through ingest_dossiers in calls of 500, each of
   which wakes the outbox relay (coalesced: one queued wake-up at a time); the Drainer checks
   that nothing is left stranded. Deliveries per second from the first push until the gateway
   has them all, or BURST_SECONDS (what is left is then withdrawn).
2. reference: ``PINGS`` trivial jobs (workers.tasks.jobs.ping) on the same Redis and workers.
3. steady: ``RATE`` status changes a second for ``STEADY_SECONDS``, one ingest_dossiers call a
   tick; latency from the push to the gateway, p50/p95, and its stages from the rows' times.
4. the burst again to a gateway answering after SLOW_PROVIDER_SECONDS.
Then, with the workers stopped, ``notify.load profile`` says where a delivery's time goes.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rq import Queue
from sqlalchemy import create_engine, text

from benchmarks.harness import pgstack
from benchmarks.harness.common import note, percentile, progress
from benchmarks.harness.report import cells, table, verdict
from benchmarks.harness.server import cpu_ticks, machine_busy, tick_ms
from benchmarks.notify import stack
from tests.fakes.sms_gateway import FakeSmsGateway

SHARED_URL = os.environ.get("BENCH_NOTIFY_REDIS_URL", "")

DATABASE = "dvc_bench_notify"
BURST = 5_000
PINGS = 1_000
RATE = 100.0
STEADY_SECONDS = 30.0
PROFILE_EVENTS = 600
STEADY_EVENTS = int(RATE * STEADY_SECONDS)
# Then a burst to a gateway that takes this long to answer, as real ones do: what the thread
# pool of each worker (settings.delivery_threads) makes of provider latency.
SLOW_BURST = 2_000
SLOW_PROVIDER_SECONDS = 0.1
PUSH_BATCH = 500  # api.dossiers.inbound.MAX_BATCH
TARGET_PER_SECOND = 500
TARGET_P95_SECONDS = 2.0
BURST_SECONDS = 90.0  # the burst's wait for the gateway; what is left then is withdrawn
DRAIN_SECONDS = 60.0  # after the steady load, the wait for its last deliveries
EXCEPTION = re.compile(r"^[\w.]+(Error|Exception|Exit)\b")  # a traceback's last word
STALL_SECONDS = 20.0  # waiting for the gateway ends when nothing arrives for this long
# Each attempt (its id is the request_id): its dossier, when its event, notification and it were made.
ATTEMPTS = (
    "SELECT a.id, d.code, extract(epoch FROM e.created_at), "
    "extract(epoch FROM n.created_at), extract(epoch FROM a.created_at) "
    "FROM delivery_attempts a JOIN notifications n ON n.id = a.notification_id "
    "JOIN dossiers d ON d.id = n.dossier_id "
    "JOIN domain_events e ON e.dedupe_key = split_part(n.dedupe_key, ':', 1)"
)


class Drainer:
    """A check that the wake-ups drain the outbox by themselves.

    process_domain_events drains every event there is when it starts, and a change committed
    after that enqueues a new run (api.kernel.outbox.wake_relay). While the urgent queue is
    idle and events are still unprocessed, this enqueues one more run and counts it: anything
    but 0 (or a rare race with a push between its commit and its wake-up) means events were
    stranded until the sweeper's next minute."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url, pool_size=1)
        self.queue = Queue("urgent", connection=stack.connection())
        self.extra_runs = 0
        self.left_after_wakeups: int | None = None  # unprocessed when it first had to act
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="drainer", daemon=True)

    def unprocessed(self) -> int:
        with self.engine.connect() as conn:
            sql = "SELECT count(*) FROM domain_events WHERE processed_at IS NULL"
            return conn.execute(text(sql)).scalar_one()

    def _idle(self) -> bool:
        return stack.busy([self.queue]) == 0

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            if not self._idle():
                continue
            left = self.unprocessed()
            if left and self._idle():
                if self.left_after_wakeups is None:
                    self.left_after_wakeups = left
                self.queue.enqueue("workers.tasks.jobs.process_domain_events")
                self.extra_runs += 1

    def figures(self) -> dict[str, int | None]:
        return {
            "extra_wakeups_to_drain": self.extra_runs,
            "events_left_by_the_wakeups": self.left_after_wakeups or 0,
        }

    def __enter__(self) -> Drainer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)
        self.engine.dispose()


class Meter:
    """Worker CPU (work horses included) and the machine's busy share over one phase."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.ticks = cpu_ticks(pids, reaped_children=True)
        self.busy = machine_busy()

    def read(self) -> dict[str, float]:
        ticks = cpu_ticks(self.pids, reaped_children=True) - self.ticks
        busy, total = machine_busy()
        share = (busy - self.busy[0]) / max(1, total - self.busy[1])
        return {
            "worker_cpu_seconds": round(ticks * tick_ms() / 1000, 2),
            "machine_busy_share": round(share, 3),
            "loadavg_1min_after": round(os.getloadavg()[0], 2),
        }


def wait_arrivals(sms: FakeSmsGateway, want: int, limit: float, label: str) -> float:
    """Until ``want`` request_ids have arrived, ``limit`` seconds passed, or, once some came,
    nothing more came for STALL_SECONDS; returns the seconds waited."""
    started = time.monotonic()
    first = last_count = len(sms.arrived)
    last_change = started
    while (now := time.monotonic()) - started < limit:
        count = len(sms.arrived)
        if count >= want:
            break
        if count != last_count:
            last_count, last_change = count, now
        elif count > first and now - last_change > STALL_SECONDS:
            break
        progress(f"notify: {label}, {count:,}/{want:,} at the gateway, {now - started:.0f} s")
        time.sleep(0.25)
    return time.monotonic() - started


def seconds_summary(values: list[float], missing: int = 0) -> dict[str, float | int | None]:
    """p50/p95/p99/max in seconds; ``missing`` values count as never arrived, and a
    percentile that falls among them is None (later than the wait)."""
    ordered = sorted(values) + [math.inf] * missing

    def at(share: float) -> float | None:
        value = percentile(ordered, share) if ordered else math.nan
        return round(value, 3) if math.isfinite(value) else None

    return {
        "n": len(values),
        "missing": missing,
        "p50_s": at(0.50),
        "p95_s": at(0.95),
        "p99_s": at(0.99),
        "max_s": at(1.0),
    }


@dataclass
class Setup:
    env: dict[str, str]
    url: str
    sms: FakeSmsGateway
    workers: stack.Workers


def run_burst(up: Setup, first: int = 0, count: int = BURST, label: str = "burst") -> dict:
    progress(f"notify: {label}, {count:,} status changes pushed through ingest_dossiers")
    url, sms = up.url, up.sms
    base = len(sms.arrived)
    meter = Meter(up.workers.pids)
    ingest = stack.load(up.env, *f"burst --first {first} --count {count}".split())
    started = ingest["started_at"]
    with Drainer(url) as drainer:
        waited = wait_arrivals(sms, base + count, BURST_SECONDS, label)
    withdrawn = stack.withdraw(url) if len(sms.arrived) < base + count else {}
    times = sorted(t for t in sms.delivered().values() if t >= started)
    delivered = len(times)
    last = times[-1] if times else started
    cut = times[delivered // 10 : delivered - delivered // 10] if delivered >= 20 else times
    return {
        "events": count,
        "ingest": ingest,
        "pushes": math.ceil(count / PUSH_BATCH),
        **drainer.figures(),
        "delivered": delivered,
        "seconds_to_last": round(last - started, 2),
        "first_arrival_s": round(times[0] - started, 2) if times else None,
        "deliveries_per_second": round(delivered / max(last - started, 1e-9), 1),
        "middle_80pct_per_second": round(len(cut) / max(cut[-1] - cut[0], 1e-9), 1)
        if len(cut) > 1
        else None,
        "waited_s": round(waited, 1),
        "withdrawn_after_the_wait": withdrawn,
        **meter.read(),
        "window": (started, time.time()),
    }


def run_pings(up: Setup) -> dict[str, Any]:
    progress(f"notify: reference, {PINGS:,} workers.tasks.jobs.ping")
    meter = Meter(up.workers.pids)
    started = time.time()
    queue = Queue("default", connection=stack.connection())
    with queue.connection.pipeline() as pipe:
        jobs = [Queue.prepare_data("workers.tasks.jobs.ping", args=()) for _ in range(PINGS)]
        queue.enqueue_many(jobs, pipeline=pipe)
        pipe.execute()
    stack.wait_idle(120)
    jobs, _ = stack.finished_jobs()
    pings = [j for j in jobs if j.func == "ping" and j.enqueued >= started]
    first = min((j.started for j in pings), default=started)
    last = max((j.ended for j in pings), default=started)
    return {
        "jobs": len(pings),
        "seconds": round(last - started, 2),
        "jobs_per_second": round(len(pings) / max(last - started, 1e-9), 1),
        "first_start_s": round(first - started, 3),
        **meter.read(),
        "window": (started, time.time()),
    }


def run_steady(up: Setup) -> dict:
    progress(f"notify: steady, {RATE:g} status changes/s for {STEADY_SECONDS:g} s")
    url, sms = up.url, up.sms
    base = len(sms.arrived)
    meter = Meter(up.workers.pids)
    started = time.time()
    args = f"steady --first {BURST} --rate {RATE} --seconds {STEADY_SECONDS}".split()
    made = stack.load(up.env, *args, timeout=STEADY_SECONDS * 4 + 60)
    figures = meter.read() | {"queued_when_the_load_ended": stack.queue_lengths()}
    received: dict[str, float] = made.pop("received")
    with Drainer(url) as drainer:
        wait_arrivals(sms, base + len(received), DRAIN_SECONDS, "steady, draining")
    return {
        **made,
        **figures,
        "extra_wakeups_after_load": drainer.extra_runs,
        "received": received,
        "window": (started, time.time()),
    }


def latencies(url: str, sms: FakeSmsGateway, received: dict[str, float]) -> dict[str, Any]:
    """Push received → gateway per event, and its stages from the rows' own timestamps."""
    arrived = sms.delivered()
    (found,) = pgstack.run_sql(url, ATTEMPTS, rows=True)
    rows = {str(r[0]): (r[1], float(r[2]), float(r[3]), float(r[4])) for r in found}
    total, by_event = [], []
    stages = {"event_to_notification": [], "notification_to_attempt": [], "attempt_to_gateway": []}
    for request_id, (dossier, event_at, notified_at, attempt_at) in rows.items():
        if dossier not in received or request_id not in arrived:
            continue
        at = arrived[request_id]
        total.append(at - received[dossier])
        by_event.append(at - event_at)
        stages["event_to_notification"].append(notified_at - event_at)
        stages["notification_to_attempt"].append(attempt_at - notified_at)
        stages["attempt_to_gateway"].append(at - attempt_at)
    missing = len(received) - len(total)
    return {
        "push_to_gateway": seconds_summary(total, missing),
        "event_created_to_gateway": seconds_summary(by_event, missing),
        "stages": {name: seconds_summary(values) for name, values in stages.items()},
    }


def _phases(up: Setup) -> dict[str, Any]:
    burst, pings, steady = run_burst(up), run_pings(up), run_steady(up)
    up.sms.hold = SLOW_PROVIDER_SECONDS
    slow = run_burst(up, BURST + STEADY_EVENTS, SLOW_BURST, "burst, slow provider")
    up.sms.hold = 0.0
    slow["provider_latency_s"] = SLOW_PROVIDER_SECONDS
    parts = (("burst", burst), ("ping", pings), ("steady", steady), ("slow", slow))
    windows = {name: part.pop("window") for name, part in parts}
    finished, failed = stack.finished_jobs()
    jobs = {name: stack.job_summary(finished, *w) for name, w in windows.items()}
    return {
        "burst": burst,
        "ping": pings,
        "steady": steady,
        "slow_provider_burst": slow,
        "jobs": jobs,
        "failed_jobs": failed,
    }


def run() -> dict[str, Any]:
    seeded = BURST + STEADY_EVENTS + SLOW_BURST + PROFILE_EVENTS
    with (
        tempfile.TemporaryDirectory(prefix="dvc-bench-notify-") as tmp,
        stack.fake_sms() as sms,
        contextlib.nullcontext() if SHARED_URL else pgstack.PrivateRedis(Path(tmp)) as private,
    ):
        directory = Path(tmp)
        redis_url = SHARED_URL or private.url
        stack.use_redis(redis_url)
        note(
            f"notify: PostgreSQL {DATABASE} + Redis {redis_url}, 2 `python -m workers`, fake "
            f"SMS gateway on 127.0.0.1; burst {BURST:,}, pings {PINGS:,}, steady {RATE:g}/s "
            f"for {STEADY_SECONDS:g} s"
        )
        progress(f"notify: fresh database {DATABASE}, flask db upgrade, {seeded:,} citizens")
        url = pgstack.fresh_database(DATABASE)
        env = stack.app_env(url, sms.send_url)
        pgstack.migrate(url, directory / "migrate.log", env)
        stack.flush_redis()
        seed = stack.load(env, "seed", "--count", str(seeded))
        workers = stack.start_workers(env, directory)
        try:
            stack.wait_idle(60)  # the schedule's start-up jobs (a sweep among them)
            phases = _phases(Setup(env, url, sms, workers))
        finally:
            stack.stop_workers(workers)
            log_tail = _worker_errors(workers.logs)
        phases["workers_killed_at_stop"] = workers.killed
        received = phases["steady"].pop("received")
        steady_latency = latencies(url, sms, received)
        progress("notify: in-process breakdown (workers stopped)")
        args = f"profile --first {seeded - PROFILE_EVENTS} --count {PROFILE_EVENTS}".split()
        phases |= {
            "profile": stack.load(env, *args),
            "gateway_duplicates": sms.duplicates,
            "gateway_refused": sms.refused,
            "redis_intact": stack.redis_intact(),
            "redis_version": pgstack.redis_version(redis_url),
            "citizens": seed,
            "worker_log_errors": log_tail,
        }
        stack.flush_redis()
    progress("notify: measured", final=True)
    phases["steady"]["latency"] = steady_latency
    return _result(phases)


def _worker_errors(logs: list[Path], limit: int = 12) -> dict[str, Any]:
    """Warnings and errors of the workers' logs: the exception lines counted, a few lines."""
    counts: Counter = Counter()
    lines: list[str] = []
    for log in logs:
        for line in log.read_text(errors="replace").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                entry = {"level": "raw", "msg": line}
            if entry.get("level") in ("info", "debug") or not str(entry.get("msg", "")).strip():
                continue
            last = str(entry["msg"]).strip().splitlines()[-1]
            found = [x for x in str(entry["msg"]).splitlines() if EXCEPTION.match(x)]
            counts[(found[-1] if found else last)[:200]] += 1
            if len(lines) < limit:
                lines.append(f"{log.stem}: {line[:300]}")
    return {"by_message": dict(counts.most_common(10)), "first_lines": lines}


def _result(phases: dict[str, Any]) -> dict[str, Any]:
    burst, pings = phases["burst"], phases["ping"]
    rate = burst["deliveries_per_second"]
    p95 = phases["steady"]["latency"]["push_to_gateway"]["p95_s"]  # None: later than the wait
    private = "" if SHARED_URL else ", a private redis-server"
    return {
        "reproduce": ".venv/bin/python -m benchmarks notify",
        "setup": {
            "database": f"PostgreSQL {DATABASE} (fresh, flask db upgrade)",
            "redis": f"{stack.REDIS_URL} (Redis {phases['redis_version']}{private})",
            "workers": "2 x `python -m workers` (rq, jobs in-process, urgent/default/bulk)",
            "provider": "tests.fakes.sms_gateway on 127.0.0.1 (HTTP/1.1 keep-alive); answers "
            f"at once, and after {SLOW_PROVIDER_SECONDS:g} s in the slow-provider burst",
            "delivery_threads_per_worker": stack.DELIVERY_THREADS,
            "channel_rate_per_second": stack.QUOTA,
            "citizens": phases["citizens"],
        },
        **{k: phases[k] for k in ("burst", "ping", "steady", "slow_provider_burst")},
        "jobs_by_phase": phases["jobs"],
        # redis_intact False: someone flushed the benchmark's Redis mid-run; jobs were lost.
        **{k: phases[k] for k in ("failed_jobs", "redis_intact", "workers_killed_at_stop")},
        **{k: phases[k] for k in ("gateway_duplicates", "gateway_refused")},
        "ratio_deliveries_over_pings": round(rate / pings["jobs_per_second"], 3)
        if pings["jobs_per_second"]
        else None,
        "target_deliveries_per_second": TARGET_PER_SECOND,
        "target_p95_seconds": TARGET_P95_SECONDS,
        "meets_throughput_target": rate >= TARGET_PER_SECOND,
        "meets_latency_target": p95 is not None and p95 < TARGET_P95_SECONDS,
        **{k: phases[k] for k in ("profile", "worker_log_errors")},
    }


def _s(value: float | None) -> str:
    return "never (not within the wait)" if value is None else f"{value:g} s"


FIGURES = "seconds worker_cpu_seconds machine_busy_share"


def _phase_rows(part: dict) -> list[list[object]]:
    burst, ping, steady = part["burst"], part["ping"], part["steady"]
    slow = part["slow_provider_burst"]
    lat = steady["latency"]["push_to_gateway"]
    bursts = "deliveries_per_second seconds_to_last worker_cpu_seconds machine_busy_share"
    return [
        ["burst", f"{burst['delivered']:,}/{burst['events']:,}", *cells(burst, bursts)],
        ["ping (ref)", f"{ping['jobs']:,}", ping["jobs_per_second"], *cells(ping, FIGURES)],
        ["steady", f"{lat['n']:,}/{steady['events']:,}", steady["events_per_second"]]
        + cells(steady, FIGURES),
        [f"burst, provider {slow['provider_latency_s']:g} s"]
        + [f"{slow['delivered']:,}/{slow['events']:,}", *cells(slow, bursts)],
    ]


def _profile_lines(prof: dict) -> list[str]:
    cold, warm = prof["deliver_batch_in_fresh_fork"], prof["deliver_batch_warm"]
    events = prof["events_to_notifications"]
    probe = prof["quota_probe"]
    return [
        f"   in-process, one delivery (deliver_batch of 100): {warm['wall_ms_each']} ms warm "
        f"(CPU {warm['cpu_ms_each']}, in SQL {warm['sql_ms_each']}), {cold['wall_ms_each']} ms "
        f"in a fresh fork (CPU {cold['cpu_ms_each']}); statements {warm['statements_each']}",
        f"   one event → notification: {events['wall_ms_each']} ms (CPU {events['cpu_ms_each']}), "
        f"statements {events['statements_each']}; a one-row COMMIT {prof['commit_ms']} ms; "
        f"fork + reap {prof['fork_and_reap_ms']} ms",
        f"   quota probe at {probe['quota_per_second']}/s: {probe['outcomes']}, "
        f"{probe['left_pending']} left pending, {probe['jobs_enqueued_for_them']} delayed jobs "
        f"enqueued for them (due within {probe['their_next_attempt_within_s']} s); "
        f"ingest_dossiers of {events['items']} records enqueued "
        f"{prof['wakeups_enqueued_by_ingest_dossiers']} process_domain_events",
    ]


def notify_text(part: dict) -> str:
    burst, steady = part["burst"], part["steady"]
    lat = steady["latency"]["push_to_gateway"]
    lines = [
        f"6. Notifications, status change → fake SMS gateway ({part['setup']['workers']}, "
        "PostgreSQL + Redis; per s: deliveries, ping jobs, events offered)",
        table("phase|done|per s|seconds|worker CPU s|machine busy", _phase_rows(part)),
        f"   deliveries/ping = {part['ratio_deliveries_over_pings']}; target ≥ "
        f"{part['target_deliveries_per_second']:,}/s: {verdict(part['meets_throughput_target'])}",
        f"   burst: {burst['pushes']} pushes of 500; their own wake-ups left "
        f"{burst['events_left_by_the_wakeups']:,} events (the check enqueued "
        f"{burst['extra_wakeups_to_drain']} more); withdrawn after the wait: "
        f"{burst['withdrawn_after_the_wait'] or '-'}",
        f"   steady latency, push received → gateway: p50 {_s(lat['p50_s'])}, p95 {_s(lat['p95_s'])}, "
        f"p99 {_s(lat['p99_s'])}, max {_s(lat['max_s'])}, {lat['missing']} not delivered "
        f"within the wait; target p95 < {part['target_p95_seconds']:g} s: "
        f"{verdict(part['meets_latency_target'])}",
        f"   when the steady load ended, jobs queued: {steady['queued_when_the_load_ended']}",
        "   its stages p50/p95 s: "
        + ", ".join(
            f"{k} {v['p50_s']}/{v['p95_s']}" for k, v in steady["latency"]["stages"].items()
        ),
    ]
    for phase, funcs in part["jobs_by_phase"].items():
        for func, j in funcs.items():
            each = f" ({j['run_ms_per_item']} ms a notification)" if j["items"] > j["jobs"] else ""
            lines.append(
                f"   {phase}: {j['jobs']} x {func}, run p50 {j['run_ms_p50']} ms{each} (max "
                f"{j['run_ms_max']}), queue wait p50 {j['queue_wait_ms_p50']} ms (max "
                f"{j['queue_wait_ms_max']})"
            )
    lines += _profile_lines(part["profile"])
    lines.append(
        f"   gateway: {part['gateway_duplicates']} duplicates, {part['gateway_refused']} refused; "
        f"failed jobs {part['failed_jobs']}"
    )
    errors = part.get("worker_log_errors") or {}
    for message, count in list((errors.get("by_message") or {}).items())[:5]:
        lines.append(f"   worker log: {count} x {message}")
    if not part.get("redis_intact", True):
        lines.append("   WARNING: the Redis database was flushed by someone else mid-run.")
    return "\n".join(lines)


TEXT = {"notify": notify_text}
