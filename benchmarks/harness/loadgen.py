"""A bounded HTTP load generator: a few threads, each with its own connection, for a fixed time.

Localhost only. Sync gunicorn workers close the connection after each answer, and
http.client reopens it on the next request, so both worker kinds are driven the same way.
"""

from __future__ import annotations

import http.client
import os
import threading
import time
from dataclasses import dataclass, field

from benchmarks.harness.common import cpu_seconds_since, summarise_ms

ALLOWED_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class LoadResult:
    path_kind: str
    seconds: float
    concurrency: int
    ok: int = 0
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    client_cpu_seconds: float = 0.0

    @property
    def requests_per_second(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def as_dict(self) -> dict[str, object]:
        return {
            "endpoint": self.path_kind,
            "seconds": round(self.seconds, 3),
            "concurrency": self.concurrency,
            "ok": self.ok,
            "errors": self.errors,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            "requests_per_second": round(self.requests_per_second, 1),
            "latency": summarise_ms(self.latencies),
            # Near 1.0 per core means the client, not the server, may be the limit.
            "client_cpu_share": round(self.client_cpu_seconds / self.seconds, 3)
            if self.seconds
            else 0.0,
        }


def merge(parts: list[LoadResult]) -> LoadResult:
    """One result of several loads of the same kind (the rounds of a part)."""
    merged = LoadResult(parts[0].path_kind, 0.0, parts[0].concurrency)
    for part in parts:
        merged.seconds += part.seconds
        merged.ok += part.ok
        merged.errors += part.errors
        merged.latencies.extend(part.latencies)
        merged.client_cpu_seconds += part.client_cpu_seconds
        for status, count in part.statuses.items():
            merged.statuses[status] = merged.statuses.get(status, 0) + count
    return merged


def _worker(host: str, port: int, paths: list[str], start: int, stop_at: float,
            result: LoadResult, lock: threading.Lock) -> None:  # fmt: skip
    conn = http.client.HTTPConnection(host, port, timeout=30)
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors = 0
    i = start
    try:
        while True:
            began = time.perf_counter()
            if began >= stop_at:
                break
            try:
                conn.request("GET", paths[i % len(paths)])
                response = conn.getresponse()
                response.read()
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 200:
                    latencies.append(time.perf_counter() - began)
                else:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
            i += 1
    finally:
        conn.close()
    with lock:
        result.latencies.extend(latencies)
        result.ok += len(latencies)
        result.errors += errors
        for status, count in statuses.items():
            result.statuses[status] = result.statuses.get(status, 0) + count


def load(
    host: str, port: int, paths: list[str], seconds: float, concurrency: int, label: str
) -> LoadResult:
    """GET ``paths`` round-robin from ``concurrency`` threads for ``seconds``."""
    if host not in ALLOWED_HOSTS:
        raise ValueError(f"the load generator only targets localhost, not {host!r}")
    result = LoadResult(label, seconds, concurrency)
    lock = threading.Lock()
    cpu_before = os.times()
    started = time.perf_counter()
    stop_at = started + seconds
    starts = [n * len(paths) // concurrency for n in range(concurrency)]
    args = [(host, port, paths, start, stop_at, result, lock) for start in starts]
    threads = [threading.Thread(target=_worker, args=a, daemon=True) for a in args]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    result.seconds = time.perf_counter() - started
    result.client_cpu_seconds = cpu_seconds_since(cpu_before)
    return result
