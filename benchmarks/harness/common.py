"""Shared pieces: the query set, timing statistics, machine facts and progress lines."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "benchmarks"
QUERIES_FILE = BENCH_DIR / "search_queries.json"
RESULTS_DIR = BENCH_DIR / "results"
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Query:
    q: str
    expected: str
    kind: str
    diacritics: bool | None = None  # typed with marks (frozen test split says)
    language: str = "vi"
    writer: str = ""  # who wrote it, where a file holds more than one writer's queries


def half(key: str) -> str:
    """ "A" or "B" for an evaluation item, fixed by ``key`` (the same on every machine)."""
    return "A" if hashlib.sha1(key.encode()).digest()[0] % 2 == 0 else "B"


def load_queries(path: Path = QUERIES_FILE) -> list[Query]:
    """A query file (the development set by default; "none" items have no expected code)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return [
        Query(q["q"], q.get("expected") or "", q.get("kind", "?"), q.get("diacritics"),
              "en" if q.get("kind") == "english" else "vi", q.get("writer", ""))
        for q in data["queries"]
    ]  # fmt: skip


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of already sorted values (``share`` in 0..1)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(share * len(sorted_values) + 0.5 - 1e-9))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def summarise_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in milliseconds, from durations in seconds."""
    ordered = sorted(seconds)
    ms = 1000.0
    return {
        "n": len(ordered),
        "p50_ms": round(percentile(ordered, 0.50) * ms, 4),
        "p95_ms": round(percentile(ordered, 0.95) * ms, 4),
        "p99_ms": round(percentile(ordered, 0.99) * ms, 4),
        "mean_ms": round(statistics.fmean(ordered) * ms, 4) if ordered else float("nan"),
        "max_ms": round(ordered[-1] * ms, 4) if ordered else float("nan"),
    }


def progress(message: str, *, final: bool = False) -> None:
    """One updating status line on stderr (a new line when ``final``)."""
    end = "\n" if final else ""
    sys.stderr.write(f"\r\033[K  … {message}{end}" if sys.stderr.isatty() else f"  … {message}\n")
    sys.stderr.flush()


def note(message: str) -> None:
    sys.stderr.write(f"  · {message}\n")
    sys.stderr.flush()


class SqlMeter:
    """What an engine sends ``with meter.listening(engine):`` its statements counted by first
    word, the time spent inside execute, and (``keep``) the statements with their parameters."""

    def __init__(self, keep: bool = False) -> None:
        self.kinds: Counter = Counter()
        self.seconds = 0.0
        self.keep, self.sent = keep, []
        self._started: list[float] = []

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        self.kinds[statement.split(None, 1)[0].upper()] += 1
        if self.keep:
            self.sent.append((statement, parameters))
        self._started.append(time.perf_counter())

    def _after(self, *_args: object) -> None:
        self.seconds += time.perf_counter() - self._started.pop()

    @contextmanager
    def listening(self, engine) -> Iterator[None]:  # noqa: ANN001
        from sqlalchemy import event

        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        try:
            yield
        finally:
            event.remove(engine, "before_cursor_execute", self._before)
            event.remove(engine, "after_cursor_execute", self._after)


def cpu_seconds_since(before: os.times_result) -> float:
    """User + system CPU seconds of this process since ``before`` (an ``os.times()``)."""
    after = os.times()
    return (after.user - before.user) + (after.system - before.system)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def _proc_field(path: str, prefix: str) -> str | None:
    """What follows ``prefix`` on its line of a /proc file (None without one)."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=5)
    return done.stdout.strip()


def _git_revision() -> str:
    try:
        head, dirty = _git("rev-parse", "--short", "HEAD"), _git("status", "--porcelain", "-uno")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{'+dirty' if dirty else ''}" if head else "unknown"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"


# The code whose speed and quality are measured: a digest recorded with each part tells
# which state of a changing working tree the figures belong to.
MEASURED_CODE = (
    "api/kernel/text.py",
    "api/catalog/search/*.py",
    "api/catalog/service.py",
    "api/catalog/routes.py",
    "api/catalog/schemas.py",
    "api/data/search_synonyms.json",
)


def code_digest() -> str:
    sha = hashlib.sha256()
    for pattern in MEASURED_CODE:
        for path in sorted(ROOT.glob(pattern)):
            sha.update(str(path.relative_to(ROOT)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()[:12]


def machine_info() -> dict[str, object]:
    mem = _proc_field("/proc/meminfo", "MemTotal:")
    return {
        "hostname": platform.node(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_model": _proc_field("/proc/cpuinfo", "model name")
        or platform.processor()
        or "unknown",
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "mem_total_mb": round(int(mem.split()[0]) / 1024, 1) if mem else None,
        "loadavg_at_start": [round(x, 2) for x in os.getloadavg()],
        "git": _git_revision(),
        "packages": {
            name: _version(name)
            for name in ("numpy", "rapidfuzz", "flask", "sqlalchemy", "gunicorn", "requests")
        },
    }
