"""A worker process and a Redis restart (issue 14), against a private redis-server: the worker
waits and carries on, and delayed jobs are still moved after the blip."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue

PORT = 6404  # the private ports of this suite's fault tests
ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _start_redis() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    _until(lambda: _answers(Redis(port=PORT)), 10)
    return server


def _answers(conn: Redis) -> bool:
    try:
        return bool(conn.ping())
    except Exception:  # noqa: BLE001
        return False


def _until(condition, seconds: float) -> bool:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _status(job) -> str:  # noqa: ANN001
    try:
        return job.get_status(refresh=True)
    except Exception:  # noqa: BLE001 - Redis away for a moment
        return ""


@pytest.fixture
def redis_server():
    if not shutil.which("redis-server"):
        pytest.skip("redis-server not installed")
    servers = [_start_redis()]
    yield servers
    for server in servers:
        server.terminate()
        server.wait(10)


def test_a_worker_outlives_a_redis_restart_during_a_job(app, database_url, redis_server, tmp_path):
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{PORT}/0",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "fault-test-secret-key-0123456789abcdef",
        "LOG_LEVEL": "WARNING",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "workers"], cwd=ROOT, env=env, stdout=log, stderr=log
    )
    conn = Redis(port=PORT)
    try:
        queue = Queue("default", connection=conn)
        slow = queue.enqueue("time.sleep", 2)
        assert _until(lambda: _status(slow) == "started", 60), "the worker never started"
        redis_server[0].terminate()  # Redis goes while the job runs ...
        redis_server[0].wait(10)
        time.sleep(3)  # ... the job ends meanwhile and rq cannot record it
        redis_server.append(_start_redis())  # back, empty
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-2000:]
        after = queue.enqueue("os.getpid")
        assert _until(lambda: _status(after) == "finished", 60)
        assert after.return_value() == worker.pid
        # Delayed jobs (throttled and back-off deliveries) are moved after the blip too.
        later = queue.enqueue_in(timedelta(seconds=1), "os.getpid")
        assert _until(lambda: _status(later) == "finished", 30)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
        log.close()
    assert worker.returncode is not None
