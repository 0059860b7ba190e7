"""The production-like stack: PostgreSQL, Redis (the shared one, or a private redis-server),
and the app's environment for them.

benchmarks.harness.server runs the embedded mode (SQLite, REDIS_URL unset); the stack parts
need the real backends. BENCH_PG_URL (default postgres@127.0.0.1:5432, trust auth) and
BENCH_REDIS_URL (default database 9: the suite's xdist workers flush 15, 14 and down) point
elsewhere when needed.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import fields
from pathlib import Path

import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from api.kernel.settings import Settings
from api.portal.push_auth import sign
from benchmarks.harness import server

PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PUSH_SECRET = "benchmark-portal-push-secret"
SECRET_KEY = "benchmark-only-secret-key"
SETTING_NAMES = {f.name.upper() for f in fields(Settings)}
TERMINATE = (
    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
    "WHERE datname = :name AND pid <> pg_backend_pid()"
)


def database_url(name: str) -> str:
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)


def run_sql(url: str, *statements: str | tuple[str, dict], rows: bool = False,
            autocommit: bool = False) -> list:  # fmt: skip
    """Each statement on ``url`` (a short-lived engine, one transaction unless ``autocommit``):
    its first value, or its rows with ``rows``; the rows it changed if it returns none."""
    engine = create_engine(url, **({"isolation_level": "AUTOCOMMIT"} if autocommit else {}))
    try:
        with engine.connect() as conn:
            out = []
            for statement in statements:
                sql, params = (statement, {}) if isinstance(statement, str) else statement
                r = conn.execute(text(sql), params)
                out.append((r.all() if rows else r.scalar()) if r.returns_rows else r.rowcount)
            conn.commit()
            return out
    finally:
        engine.dispose()


def _admin(*statements: str | tuple[str, dict]) -> list:
    return run_sql(PG_URL, *statements, autocommit=True)


def drop_database(name: str) -> None:
    """Drop ``name`` (ending its sessions first)."""
    _admin((TERMINATE, {"name": name}), (f'DROP DATABASE IF EXISTS "{name}"', {}))


def fresh_database(name: str) -> str:
    """Drop and create ``name``; returns its URL."""
    drop_database(name)
    _admin((f'CREATE DATABASE "{name}"', {}))
    return database_url(name)


def run_database(prefix: str) -> str:
    """A database name for this process (``prefix`` + pid), after dropping those left by
    processes that died before cleaning up; concurrent runs never touch each other's."""
    sql = "SELECT coalesce(array_agg(datname), '{}') FROM pg_database WHERE datname LIKE :p"
    (names,) = _admin((sql, {"p": prefix + "%"}))
    for name in names:
        pid = name.removeprefix(prefix)
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            drop_database(name)
    return f"{prefix}{os.getpid()}"


def ensure_database(name: str) -> tuple[str, bool]:
    """Create ``name`` unless it exists; returns its URL and whether it was created."""
    (exists,) = _admin(("SELECT 1 FROM pg_database WHERE datname = :name", {"name": name}))
    if not exists:
        _admin((f'CREATE DATABASE "{name}"', {}))
    return database_url(name), not exists


def backend_pids(name: str) -> list[int]:
    """PostgreSQL server processes serving database ``name`` (same machine: /proc readable)."""
    sql = TERMINATE.replace("count(pg_terminate_backend(pid))", "coalesce(array_agg(pid), '{}')")
    (found,) = _admin((sql, {"name": name}))
    return list(found)


def app_env(url: str, redis_url: str = REDIS_URL, **settings: str) -> dict[str, str]:
    """What production sets: the database, Redis, the push secret and ``settings``; none of
    this shell's app settings leak in, and the app's own INFO logs (one JSON access-log line
    per request) stay on, as in production."""
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    env.update(DATABASE_URL=url, REDIS_URL=redis_url, PORTAL_PUSH_SECRET=PUSH_SECRET)
    return env | {"SECRET_KEY": SECRET_KEY, **settings}


def push_headers(body: bytes) -> dict[str, str]:
    """A portal push's headers, signed at sending time (the server allows 5 minutes)."""
    stamp = str(int(time.time()))
    signature = sign(PUSH_SECRET, stamp, body)
    return {"Content-Type": "application/json", "X-Portal-Timestamp": stamp,
            "X-Portal-Signature": signature}  # fmt: skip


def migrate(url: str, log: Path, env: dict[str, str] | None = None) -> None:
    """``flask --app wsgi db upgrade``, the command production runs (in ``env``, by default
    app_env's)."""
    server.flask(["db", "upgrade"], log, env or app_env(url))


def redis_version(url: str) -> str:
    return str(redis.Redis.from_url(url).info("server").get("redis_version", "?"))


class PrivateRedis:
    """A redis-server of its own on 127.0.0.1 (a free port unless given; no persistence):
    nobody else can flush it, and it can be stopped and started again at will."""

    def __init__(self, directory: Path, port: int | None = None) -> None:
        self.directory, self.port = directory, port or server.free_port()
        self.url = f"redis://{server.HOST}:{self.port}/0"
        self.process = None

    def start(self) -> PrivateRedis:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server not found")
        command = [binary, "--port", str(self.port), "--bind", server.HOST, "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.directory)]
        self.process = server.spawn(command, self.directory / "redis.log")
        client = redis.Redis.from_url(self.url)
        server.wait_until(client.ping, self.process, "redis-server", 20, (redis.RedisError,))
        return self

    def stop(self) -> None:
        if self.process is not None:
            server.stop(self.process, 10)

    def __enter__(self) -> PrivateRedis:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
