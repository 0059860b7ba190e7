"""The notify part's processes: the app environment, ``python -m workers`` processes, the load
child (benchmarks.notify.load), and what rq tells about their jobs afterwards.

Redis is the one the run gives (use_redis), flushed before use, with a sentinel key that tells
afterwards whether someone else flushed it meanwhile (jobs would have been lost); PostgreSQL
as benchmarks.harness.pgstack (BENCH_PG_URL).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import redis
from rq import Queue, Worker
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from api.kernel.jobs import QUEUE_NAMES
from api.kernel.settings import Settings
from benchmarks.harness import pgstack, server
from benchmarks.harness.common import VENV_BIN
from tests.fakes.sms_gateway import FakeSmsGateway

REDIS_URL = ""  # set by use_redis()
# Provider quota per channel (push.channels.throttle). The default, 50 a second, is below both
# targets; lifted here so the pipeline is measured, and probed on its own by notify.load profile.
QUOTA = 1_000_000
DELIVERY_THREADS = Settings.delivery_threads  # the default, stated in the results
SENTINEL = "bench:notify:sentinel"
API_KEY, BRANDNAME = "bench-sms-key", "DVC-BENCH"


def fake_sms() -> FakeSmsGateway:
    """The suite's fake SMS gateway in its keep-alive mode: HTTP/1.1 on asyncio, a fraction of
    a millisecond of CPU a request, so the provider is never what the benchmark measures."""
    return FakeSmsGateway(API_KEY, BRANDNAME, keep_alive=True)


def app_env(database_url: str, sms_url: str) -> dict[str, str]:
    """Production's variables only, SMS pointed at the fake gateway."""
    return pgstack.app_env(
        database_url, REDIS_URL, SMS_GATEWAY_URL=sms_url, SMS_API_KEY=API_KEY,
        SMS_BRANDNAME=BRANDNAME, CHANNEL_RATE_PER_SECOND=str(QUOTA),
        DELIVERY_THREADS=str(DELIVERY_THREADS),
    )  # fmt: skip


def use_redis(url: str) -> None:
    global REDIS_URL  # noqa: PLW0603 - one Redis per run, read by every helper here
    REDIS_URL = url


def connection() -> redis.Redis:
    return redis.Redis.from_url(REDIS_URL)


def queues() -> list[Queue]:
    conn = connection()
    return [Queue(name, connection=conn) for name in QUEUE_NAMES]


def flush_redis() -> None:
    conn = connection()
    conn.flushdb()
    conn.set(SENTINEL, "1")


def redis_intact() -> bool:
    """False if the database was flushed by someone else since flush_redis()."""
    return bool(connection().exists(SENTINEL))


def load(env: dict[str, str], *args: str, timeout: float = 300) -> dict:
    """benchmarks.notify.load in a child process; its last output line, parsed."""
    return server.child_json("benchmarks.notify.load", *args, env=env, timeout=timeout)


@dataclass
class Workers:
    processes: list[subprocess.Popen]
    logs: list[Path]
    killed: int = 0  # set by stop_workers: processes that needed SIGKILL

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    return server.spawn([str(VENV_BIN / "python"), "-m", "workers"], log, env)


def start_workers(env: dict[str, str], directory: Path, count: int = 2) -> Workers:
    """``count`` workers, once all have registered with rq."""
    logs = [directory / f"worker-{n}.log" for n in range(count)]
    workers = Workers([start_worker(env, log) for log in logs], logs)
    conn = connection()
    deadline = time.monotonic() + 60
    try:
        while len(Worker.all(connection=conn)) < count:
            if any(p.poll() is not None for p in workers.processes):
                raise RuntimeError(f"a worker exited at start; see {logs}")
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not register within 60 s")
            time.sleep(0.2)
    except BaseException:
        stop_workers(workers)
        raise
    return workers


def stop_workers(workers: Workers, grace: float = 30) -> int:
    """SIGTERM (rq's warm shutdown: the running job finishes), then SIGKILL for a worker still
    there and for its work horse (in a process group of its own). Returns how many were killed."""
    for process in workers.processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    killed = 0
    for process in workers.processes:
        try:
            process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for pid in [*server.children(process.pid), process.pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
                    killed += 1
            process.wait(5)
    workers.killed = killed
    return killed


def queue_lengths() -> dict[str, int]:
    return {q.name: q.count for q in queues()}


def busy(qs: list[Queue]) -> int:
    """Jobs queued or running."""
    return sum(q.count + q.started_job_registry.count for q in qs)


def wait_idle(deadline_seconds: float = 60) -> bool:
    """True once no job is queued or running (the schedule's start-up jobs, say)."""
    qs = queues()
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if busy(qs) == 0:
            return True
        time.sleep(0.2)
    return False


@dataclass
class JobTimes:
    func: str
    enqueued: float
    started: float
    ended: float
    items: int  # notifications in a deliver_notifications job, else 1


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value else float("nan")


def finished_jobs() -> tuple[list[JobTimes], int]:
    """Every finished job still in Redis (rq keeps results 500 s), and the failed count."""
    conn = connection()
    times: list[JobTimes] = []
    failed = 0
    for queue in queues():
        failed += FailedJobRegistry(queue=queue).count
        ids = FinishedJobRegistry(queue=queue).get_job_ids()
        for start in range(0, len(ids), 500):
            for job in Job.fetch_many(ids[start : start + 500], connection=conn):
                if job is None:
                    continue
                items = len(job.args[0]) if job.args and isinstance(job.args[0], list) else 1
                stamps = (_stamp(job.enqueued_at), _stamp(job.started_at), _stamp(job.ended_at))
                times.append(JobTimes(job.func_name.rsplit(".", 1)[-1], *stamps, items))
    return times, failed


def job_summary(jobs: list[JobTimes], since: float, until: float) -> dict[str, dict]:
    """Per function, jobs enqueued in [since, until): count, run time and queue wait."""
    by_func: dict[str, list[JobTimes]] = defaultdict(list)
    for job in jobs:
        if since <= job.enqueued < until:
            by_func[job.func].append(job)
    summary = {}
    for func, items in sorted(by_func.items()):
        run = sorted(j.ended - j.started for j in items)
        wait = sorted(j.started - j.enqueued for j in items)
        summary[func] = {
            "jobs": len(items),
            "items": sum(j.items for j in items),
            "run_ms_per_item": round(sum(run) * 1000 / sum(j.items for j in items), 2),
            "run_ms_p50": round(run[len(run) // 2] * 1000, 1),
            "run_ms_max": round(run[-1] * 1000, 1),
            "run_seconds_total": round(sum(run), 2),
            "queue_wait_ms_p50": round(wait[len(wait) // 2] * 1000, 1),
            "queue_wait_ms_max": round(wait[-1] * 1000, 1),
        }
    return summary


def withdraw(database_url: str, grace: float = 30) -> dict[str, int]:
    """Take back what a cut-short phase left: queued jobs (after the running ones end), events
    not yet processed and notifications not yet sent, so the next phase starts clean."""
    qs = queues()
    dropped = sum(q.count for q in qs)
    for queue in qs:
        queue.empty()
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(q.started_job_registry.count for q in qs):
        time.sleep(0.2)
    for queue in qs:  # what the last running jobs enqueued on their way out
        dropped += queue.count
        queue.empty()
    events, notes = pgstack.run_sql(
        database_url,
        "UPDATE domain_events SET processed_at = now() WHERE processed_at IS NULL",
        "UPDATE notifications SET status = 'failed', claimed_until = NULL "
        "WHERE status IN ('pending', 'delivering')",
    )
    return {"jobs": dropped, "events": events, "notifications": notes}
