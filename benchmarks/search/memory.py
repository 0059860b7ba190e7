"""Part 4, resident memory of one API worker with the catalog's search index loaded.

One gunicorn sync worker serves the database; its VmRSS is read from /proc before any search
(app loaded, no index), then after one search request has built the index. VmHWM, the peak,
shows what the build itself needs. At 100,000 procedures a child process also reports RSS after
each build step (benchmarks.search.memprobe), to tell the index's own size from allocator leftovers.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.harness.common import note, progress
from benchmarks.harness.server import (
    child_json,
    get,
    gunicorn,
    prepare_database,
    proc_status_kb,
    sqlite_url,
)
from benchmarks.search.synthetic import SIZE_100K
from benchmarks.search.syntheticdb import cached_database

# With the embedding model loaded (issue 11): 350 MB; the index alone was held to 250 MB.
TARGET_MB_100K = 350.0
# The first search builds the index inside the request; at 100k that outlasts gunicorn's
# default 30 s worker timeout, so the benchmark allows more and reports the time.
FIRST_REQUEST_TIMEOUT = 600
GUNICORN_DEFAULT_TIMEOUT = 30
QUERY = "dang ky khai sinh"


def _mb(kb: int) -> float:
    return round(kb / 1024, 1)


def worker_memory(database_url: str, directory: Path) -> dict[str, object]:
    """RSS of a single gunicorn worker before and after the index is built."""
    path = "/api/v1/procedures?" + urlencode({"q": QUERY})
    with gunicorn(database_url, directory, workers=1, timeout=FIRST_REQUEST_TIMEOUT) as server:
        (worker,) = server.workers
        before = proc_status_kb(worker, "VmRSS")
        started = time.perf_counter()
        status, _ = get(server.port, path, timeout=FIRST_REQUEST_TIMEOUT)
        first = time.perf_counter() - started
        started = time.perf_counter()
        get(server.port, path)
        second = time.perf_counter() - started
        if status != 200:
            raise RuntimeError(f"search answered {status}; see {server.log}")
        return {
            "worker_pid": worker,
            "rss_mb_before_search": _mb(before),
            "rss_mb": _mb(proc_status_kb(worker, "VmRSS")),
            "peak_rss_mb": _mb(proc_status_kb(worker, "VmHWM")),
            "first_search_seconds": round(first, 2),
            "second_search_ms": round(second * 1000, 1),
        }


def run(size: int = SIZE_100K, fresh: bool = False) -> dict[str, object]:
    note("memory: one gunicorn sync worker, RSS from /proc/<pid>/status")
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="dvc-bench-mem-") as tmp:
        directory = Path(tmp)
        progress("memory: preparing the real catalog (db upgrade, catalog import)")
        small = worker_memory(prepare_database(directory), directory)
        results["283"] = small
        progress(f"memory: real catalog, worker RSS {small['rss_mb']} MB", final=True)
        path, cache = cached_database(size, fresh=fresh)
        large = worker_memory(sqlite_url(path), directory)
        progress(f"memory: {size:,} procedures, worker RSS {large['rss_mb']} MB", final=True)
        progress("memory: build-step breakdown in a child process")
        large["breakdown"] = child_json(
            "benchmarks.search.memprobe", sqlite_url(path), timeout=FIRST_REQUEST_TIMEOUT
        )
        large["database"] = cache | {"size_mb": round(path.stat().st_size / 2**20, 1)}
        large["exceeds_gunicorn_default_timeout"] = (
            large["first_search_seconds"] > GUNICORN_DEFAULT_TIMEOUT
        )
        results[str(size)] = large
    progress("memory: measured", final=True)
    return {
        "workers": results,
        "target_mb_at_100k": TARGET_MB_100K,
        "meets_target": results[str(size)]["rss_mb"] < TARGET_MB_100K,
    }
