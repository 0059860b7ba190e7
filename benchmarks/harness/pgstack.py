"""The production-like stack for the dossier benchmarks: PostgreSQL, Redis, gunicorn.

benchmarks.harness.server runs the embedded mode (SQLite, REDIS_URL unset); the dossier parts need
the real backends, so this module builds the environment for them and reuses the rest.
BENCH_PG_URL (default postgres@127.0.0.1:5432, trust auth) and BENCH_REDIS_URL (default
database 14: the test suite flushes 15) point elsewhere when needed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from benchmarks.harness import server
from benchmarks.harness.common import ROOT, VENV_BIN
from benchmarks.harness.server import Gunicorn

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
PUSH_SECRET = "benchmark-portal-push-secret"
SECRET_KEY = "benchmark-only-secret-key"


def database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def _admin(statements: list[tuple[str, dict]]) -> list[object]:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            results = [conn.execute(text(sql), params) for sql, params in statements]
            return [r.scalar() if r.returns_rows else None for r in results]
    finally:
        engine.dispose()


def fresh_database(name: str) -> str:
    """Drop and create ``name`` (ending its sessions first); returns its URL."""
    _admin(
        [
            (
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()",
                {"name": name},
            ),
            (f'DROP DATABASE IF EXISTS "{name}"', {}),
            (f'CREATE DATABASE "{name}"', {}),
        ]
    )
    return database_url(name)


def drop_database(name: str) -> None:
    _admin(
        [
            (
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()",
                {"name": name},
            ),
            (f'DROP DATABASE IF EXISTS "{name}"', {}),
        ]
    )


def run_database(prefix: str) -> str:
    """A database name for this process (``prefix`` + pid), after dropping those left by
    processes that died before cleaning up; concurrent runs never touch each other's."""
    (names,) = _admin(
        [
            (
                "SELECT coalesce(array_agg(datname), '{}') FROM pg_database "
                "WHERE datname LIKE :pattern",
                {"pattern": prefix + "%"},
            )
        ]
    )
    for name in names:
        pid = name.removeprefix(prefix)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            drop_database(name)
    return f"{prefix}{os.getpid()}"


def ensure_database(name: str) -> tuple[str, bool]:
    """Create ``name`` unless it exists; returns its URL and whether it was created."""
    (exists,) = _admin([("SELECT 1 FROM pg_database WHERE datname = :name", {"name": name})])
    if not exists:
        _admin([(f'CREATE DATABASE "{name}"', {})])
    return database_url(name), not exists


def app_env(url: str) -> dict[str, str]:
    """What production sets: the database, Redis and the push secret; the app's own INFO logs
    (one JSON access-log line per request) stay on, as in production."""
    env = {k: v for k, v in os.environ.items() if k not in {"EMBEDDED_WORKER", "LOG_LEVEL"}}
    env.update(
        DATABASE_URL=url,
        REDIS_URL=REDIS_URL,
        PORTAL_PUSH_SECRET=PUSH_SECRET,
        SECRET_KEY=SECRET_KEY,
    )
    return env


def migrate(url: str, log: Path) -> None:
    """``flask --app wsgi db upgrade``, the command production runs."""
    with log.open("ab") as out:
        subprocess.run(
            [str(VENV_BIN / "flask"), "--app", "wsgi", "db", "upgrade"],
            cwd=ROOT,
            env=app_env(url),
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )


@contextmanager
def gunicorn(
    url: str, directory: Path, *, workers: int = 2, timeout: int = 30
) -> Iterator[Gunicorn]:
    """gunicorn wsgi:app (sync workers) on PostgreSQL + Redis."""
    with server.gunicorn(url, directory, workers=workers, timeout=timeout, env=app_env(url)) as up:
        yield up


def backend_pids(name: str) -> list[int]:
    """PostgreSQL server processes serving database ``name`` (same machine: /proc readable)."""
    (found,) = _admin(
        [
            (
                "SELECT coalesce(array_agg(pid), '{}') FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()",
                {"name": name},
            )
        ]
    )
    return list(found)


def tick_ms() -> float:
    return 1000.0 / os.sysconf("SC_CLK_TCK")
