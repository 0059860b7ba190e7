"""``make faults``: the fault scenarios of issue 14 against the real stack.

PostgreSQL (a fresh database), a private Redis on 127.0.0.1:6405, gunicorn (2 workers), two
``python -m workers`` and the fake SMS gateway (idempotent on request_id, like the real ones),
which counts every message by recipient. Each scenario pushes COUNT status changes as signed
portal pushes (one citizen each, who reads SMS), injects a fault while they are delivered, and
waits until every change the portal got a 200 for has reached its phone:

- redis_restart: Redis stops for 3 s in the middle of the pushes and comes back empty (queued
  and delayed jobs lost, the rq scheduler's locks gone; throttling puts jobs in enqueue_in);
- worker_sigkill: one worker is killed with SIGKILL while it delivers, then started again;
- slow_gateway: for 10 s the gateway takes each SMS but answers after the client's time-out.

Passes when each has 0 lost, 0 duplicates (no phone got a message twice) and settled within
SETTLE_LIMIT seconds of the fault ending; a failed scenario fails ``python -m benchmarks``.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.harness import pgstack, server
from benchmarks.harness.common import progress
from benchmarks.harness.report import cells, table
from benchmarks.notify import stack
from benchmarks.notify.records import phone, record

DATABASE = "dvc_faults"
REDIS_PORT = 6405
COUNT = 600
PUSH_BATCH = 100
SETTLE_LIMIT = 120.0
WAIT_LIMIT = 200.0
RATE = 100  # sends a second per channel: throttled sends wait in rq's delayed jobs
SMS_TIMEOUT = 2  # seconds: the slow gateway answers later
# Notifications still waiting for their send (queued, throttled, backing off, claimed).
UNSETTLED = "SELECT count(*) FROM notifications WHERE status IN ('pending', 'delivering')"


def push(port: int, first: int, count: int) -> int:
    """Signed portal pushes of PUSH_BATCH records; a refused push is sent again, as the portal
    does. Returns the changes acknowledged with a 200."""
    acknowledged = 0
    for start in range(first, first + count, PUSH_BATCH):
        records = [record(i) for i in range(start, min(start + PUSH_BATCH, first + count))]
        body = json.dumps({"data": records}).encode()
        for _ in range(30):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                headers = pgstack.push_headers(body)
                conn.request("POST", "/api/v1/portal/dossiers", body=body, headers=headers)
                reply = conn.getresponse()
                answer = json.loads(reply.read() or b"{}")
            except OSError:
                reply, answer = None, {}
            finally:
                conn.close()
            if reply is not None and reply.status == 200:
                acknowledged += sum(1 for r in answer["result"] if r["error_code"] == 0)
                break
            time.sleep(1)
    return acknowledged


def outcome(ctx: dict, first: int, acknowledged: int, fault_end: float, repeats: int) -> dict:
    """Wait until every phone has its message and no notification waits any more (or
    WAIT_LIMIT after the fault), a few seconds more for anything sent twice, and count."""
    sms = ctx["sms"]
    phones = [phone(i) for i in range(first, first + COUNT)]
    deadline = fault_end + WAIT_LIMIT
    settled_at = None
    while time.time() < deadline:
        got = sum(1 for n in sms.messages_to(phones) if n)
        if got >= acknowledged and pgstack.run_sql(ctx["url"], UNSETTLED)[0] == 0:
            settled_at = time.time()
            break
        time.sleep(0.5)
    time.sleep(3)  # anything sent twice arrives now
    per_phone, dropped = sms.messages_to(phones), sms.duplicates - repeats
    reached = sum(1 for n in per_phone if n)
    settled = None if settled_at is None else round(max(0.0, settled_at - fault_end), 1)
    figures = {
        "changes_acknowledged": acknowledged,
        "phones_reached": reached,
        "lost": acknowledged - reached,
        "duplicates_to_a_phone": sum(n - 1 for n in per_phone if n > 1),
        "repeats_the_gateway_dropped": dropped,  # retries that carried the same request id
        "settled_seconds_after_fault": settled,
    }
    in_time = settled is not None and settled <= SETTLE_LIMIT
    clean = figures["lost"] == 0 and figures["duplicates_to_a_phone"] == 0
    return figures | {"passed": clean and in_time}


def redis_restart(ctx: dict, first: int) -> dict:
    repeats = ctx["sms"].duplicates
    half = COUNT // 2
    acknowledged = push(ctx["port"], first, half)
    ctx["redis"].stop()
    outage_started = time.time()
    acknowledged += push(ctx["port"], first + half, COUNT - half)  # during the outage
    time.sleep(max(0.0, 3 - (time.time() - outage_started)))
    ctx["redis"].start()
    return outcome(ctx, first, acknowledged, time.time(), repeats)


def worker_sigkill(ctx: dict, first: int) -> dict:
    ctx["sms"].hold = 0.05  # calls in flight when the worker dies
    repeats = ctx["sms"].duplicates
    base = len(ctx["sms"].arrived)
    acknowledged = push(ctx["port"], first, COUNT)
    for _ in range(200):
        if len(ctx["sms"].arrived) > base + COUNT // 10:
            break
        time.sleep(0.05)
    victim = ctx["workers"][0]
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait(10)
    ctx["workers"][0] = stack.start_worker(ctx["env"], ctx["dir"] / "worker-restarted.log")
    fault_end = time.time()
    figures = outcome(ctx, first, acknowledged, fault_end, repeats)
    ctx["sms"].hold = 0.0
    return figures


def slow_gateway(ctx: dict, first: int) -> dict:
    """The gateway takes every SMS but answers after the client's time-out for 10 s: the
    retries (after the first back-off, 30 s) must carry the same request id."""
    repeats = ctx["sms"].duplicates
    ctx["sms"].hold = SMS_TIMEOUT + 1.0
    acknowledged = push(ctx["port"], first, COUNT)
    time.sleep(10)
    ctx["sms"].hold = 0.0
    fault_end = time.time()
    return outcome(ctx, first, acknowledged, fault_end, repeats)


SCENARIOS: list[Callable[[dict, int], dict]] = [redis_restart, worker_sigkill, slow_gateway]


def run() -> dict[str, Any]:
    """Every scenario's figures, and whether all passed."""
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="dvc-faults-") as tmp, stack.fake_sms() as sms:
        directory = Path(tmp)
        private = pgstack.PrivateRedis(directory, REDIS_PORT).start()
        stack.use_redis(private.url)
        try:
            url = pgstack.fresh_database(DATABASE)
            env = stack.app_env(url, sms.send_url)
            env.update(CHANNEL_RATE_PER_SECOND=str(RATE), SMS_TIMEOUT_SECONDS=str(SMS_TIMEOUT))
            env["LOG_LEVEL"] = "WARNING"
            progress("faults: migrate and seed")
            pgstack.migrate(url, directory / "migrate.log", env)
            stack.load(env, "seed", "--count", str(COUNT * len(SCENARIOS)))
            logs = [directory / f"worker-{n}.log" for n in range(2)]
            workers = stack.Workers([stack.start_worker(env, log) for log in logs], logs)
            try:
                with server.gunicorn(url, directory, workers=2, env=env) as api:
                    ctx = {"port": api.port, "sms": sms, "redis": private, "env": env}
                    ctx |= {"workers": workers.processes, "dir": directory, "url": url}
                    for n, scenario in enumerate(SCENARIOS):
                        name = scenario.__name__
                        progress(f"faults: {name}")
                        results[name] = scenario(ctx, n * COUNT)
                        progress(f"faults: {name}: {results[name]}")
            finally:
                stack.stop_workers(workers, grace=20)
        finally:
            private.stop()
            pgstack.drop_database(DATABASE)
    return {"scenarios": results, "passed": all(r["passed"] for r in results.values())}


FIGURES = (
    "changes_acknowledged phones_reached lost duplicates_to_a_phone settled_seconds_after_fault"
)


def faults_text(part: dict) -> str:
    rows = [
        [name, *cells(r, FIGURES), "OK" if r["passed"] else "FAILED"]
        for name, r in part["scenarios"].items()
    ]
    return (
        "Faults (gunicorn, 2 workers, fake SMS; pass: 0 lost, 0 duplicates, settled in "
        f"{SETTLE_LIMIT:.0f} s)\n"
        + table("scenario|acknowledged|reached|lost|duplicates|settled s|", rows)
    )


TEXT = {"faults": faults_text}
