"""The synthetic catalog in a SQLite database, built with the real importer and cached.

Importing 100,000 procedures through ``import_catalog`` takes minutes, so the finished file is
kept under ~/.cache/dvc-connect-bench, named by a digest of everything that shapes the catalog
data (the catalog files, the generator, the importer, the catalog models and migration).
Other domains' migrations do not invalidate it: ``flask db upgrade`` brings the cached file to
the current head before each use, as it would a production database. ``--fresh`` rebuilds it.

Run as ``python -m benchmarks.search.syntheticdb OUT SIZE`` it builds one file (the benchmark runs it
in a child process, so the importer's memory and the app's globals stay out of the parent).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.harness.common import ROOT, note, progress
from benchmarks.harness.report import now
from benchmarks.harness.server import api_env, flask, sqlite_url

CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "dvc-connect-bench"
INPUTS = [
    "api/data/procedures.json",
    "api/data/admin_units.json",
    "api/data/catalog_codes.json",
    "api/catalog/importer.py",
    "api/catalog/records.py",
    "api/catalog/models.py",
    "migrations/versions/0001_catalog.py",
    "benchmarks/search/synthetic.py",
]
# Bump when ``build`` below changes what ends up in the file.
BUILD_VERSION = 1


def digest(size: int) -> str:
    sha = hashlib.sha256(f"{size}/{BUILD_VERSION}".encode())
    for path in [ROOT / p for p in INPUTS]:
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def cached_database(size: int, *, fresh: bool = False) -> tuple[Path, dict[str, object]]:
    """The cached SQLite file for ``size`` procedures, built first when missing or ``fresh``.

    A sidecar JSON keeps how long the import took, so runs that reuse the file still say so.
    """
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    path = CACHE_DIR / f"synthetic-{size}-{digest(size)}.db"
    sidecar = path.with_suffix(".json")
    if path.exists() and sidecar.exists() and not fresh:
        note(f"memory: reusing {path} (--fresh rebuilds it)")
        flask(["db", "upgrade"], CACHE_DIR / "upgrade.log", api_env(sqlite_url(path)))
        return path, json.loads(sidecar.read_text()) | {"path": str(path), "cached": True}
    for stale in CACHE_DIR.glob(f"synthetic-{size}-*"):
        stale.unlink()
    partial = path.with_suffix(".partial")
    note(f"memory: importing {size:,} synthetic procedures with import_catalog (minutes)")
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "benchmarks.search.syntheticdb", str(partial), str(size)],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}},
        check=True,
    )
    partial.rename(path)
    info = {"import_seconds": round(time.perf_counter() - started, 1), "built_at": now()}
    sidecar.write_text(json.dumps(info))
    return path, info | {"path": str(path), "cached": False}


def build(out: Path, size: int) -> None:
    """Migrate ``out`` and import ``size`` synthetic procedures into it, with a progress line."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from api.app import create_app
    from api.catalog.importer import import_catalog
    from api.kernel.database import db
    from api.kernel.settings import Settings
    from benchmarks.search.synthetic import synthetic_catalog

    for leftover in out.parent.glob(out.name + "*"):
        leftover.unlink()
    settings = Settings.from_env(
        env={}, database_url=sqlite_url(out), log_level="WARNING", embedded_worker=False
    )
    app = create_app(settings)
    data = synthetic_catalog(size)
    done = 0
    started = time.perf_counter()

    step = max(size // 20, 1)  # into a log file, one line per 5 %

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if sys.stderr.isatty() or done % step < count or done == size:
            elapsed = time.perf_counter() - started
            eta = elapsed / done * (size - done)
            progress(f"import {done:,}/{size:,} ({elapsed:.0f} s, about {eta:.0f} s left)")

    with app.app_context():
        upgrade()
        summary = import_catalog(data, source=f"synthetic-{size}", progress=advance)
        db.session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.commit()
        db.engine.dispose()
    took = time.perf_counter() - started
    progress(
        f"imported {summary.created:,} created, {summary.failed} failed in {took:.0f} s", final=True
    )
    if summary.failed:
        raise SystemExit(f"{summary.failed} synthetic records failed: {summary.problems[:3]}")
    for sidecar in ("-wal", "-shm"):
        Path(str(out) + sidecar).unlink(missing_ok=True)


if __name__ == "__main__":
    build(Path(sys.argv[1]), int(sys.argv[2]))
