"""A private Redis for the notify part: ``redis-server`` on a free 127.0.0.1 port.

The shared server on 6379 is used by test runs that flush their database after every test,
and their database numbers have changed under this benchmark twice (jobs vanished mid-run).
A server of its own (the same redis-server binary, no persistence) cannot be flushed by
anyone else. BENCH_NOTIFY_REDIS_URL points the part at a shared server instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from benchmarks.harness.server import HOST, free_port

SHARED_URL = os.environ.get("BENCH_NOTIFY_REDIS_URL", "")


@contextmanager
def redis_server(directory: Path) -> Iterator[str]:
    """The URL of a Redis to use: BENCH_NOTIFY_REDIS_URL, or a private server (stopped after)."""
    if SHARED_URL:
        yield SHARED_URL
        return
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not found; set BENCH_NOTIFY_REDIS_URL")
    port = free_port()
    log = directory / "redis.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"redis://{HOST}:{port}/0"
    try:
        _wait_ping(url, process, time.monotonic() + 20)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def _wait_ping(url: str, process: subprocess.Popen, deadline: float) -> None:
    client = redis.Redis.from_url(url)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("redis-server exited at start")
        try:
            if client.ping():
                return
        except redis.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError("redis-server did not answer within 20 s")


def version(url: str) -> str:
    return str(redis.Redis.from_url(url).info("server").get("redis_version", "?"))
