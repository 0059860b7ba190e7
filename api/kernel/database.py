"""Shared extension objects: database, migrations, OpenAPI, Redis and the job queues."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import lru_cache

import fakeredis
import redis
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

# Stable constraint names so Alembic migrations read the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class UtcDateTime(TypeDecorator):
    """A point in time, always read back with its UTC offset. PostgreSQL keeps the zone; SQLite
    (the embedded default) forgets it, and a time without an offset is not an RFC 3339
    date-time that the app or a client could compare safely."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:  # noqa: ANN001
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


migrate = Migrate(compare_type=True, render_as_batch=True)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record) -> None:  # noqa: ANN001
    # SQLite is the embedded default: WAL and a busy timeout let the worker thread and the
    # request threads share the file; foreign keys are off unless asked for.
    if _is_sqlite(dbapi_connection):
        # pysqlite's own transaction handling breaks SAVEPOINT (used to apply one portal item
        # at a time); turn it off and let SQLAlchemy emit BEGIN itself (SQLAlchemy's recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Writers wait their turn (up to 30 s) instead of failing with "database is locked".
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        # PostgreSQL's translate(), which the unaccented free-text filters use (SQLite has none).
        dbapi_connection.create_function("translate", 3, _translate, deterministic=True)


def _translate(text: str | None, source: str, target: str) -> str | None:
    """translate(text, from, to) as PostgreSQL has it: each character of ``from`` becomes the
    one at its place in ``to``, or goes when ``to`` is shorter."""
    if text is None or source is None or target is None:
        return None
    return text.translate(_translation(source, target))


@lru_cache(maxsize=8)
def _translation(source: str, target: str) -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for i, c in enumerate(source):  # a character given twice: its first place counts
        table.setdefault(ord(c), target[i] if i < len(target) else None)
    return table


def _is_sqlite(dbapi_connection) -> bool:  # noqa: ANN001
    return type(dbapi_connection).__module__.startswith("sqlite3")


# Statements that write: a transaction on SQLite starts (IMMEDIATE) just before the first.
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "SAVEPOINT", "CREATE", "DROP", "ALTER")


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:  # noqa: ANN001
    # Nothing yet: see _sqlite_write_begins. (With the driver's own BEGIN turned off, reads
    # before the first write run on their own, each statement seeing the latest commit.)
    return None


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_write_begins(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    """Writers wait their turn. A transaction that read first and writes later cannot wait:
    if another writer committed in between, SQLite refuses it at once ("database is
    locked"), which is how the embedded worker's jobs failed beside a portal push. So the
    transaction begins IMMEDIATE (taking the write lock, waiting under the busy timeout) right
    before the first write; readers never hold a lock that a writer waits for."""
    if conn.dialect.name != "sqlite":
        return
    raw = cursor.connection
    if not raw.in_transaction and statement.lstrip()[:9].upper().startswith(_WRITES):
        raw.execute("BEGIN IMMEDIATE")


_fake_server_lock = threading.Lock()
_fake_server: fakeredis.FakeServer | None = None


def fake_redis_server() -> fakeredis.FakeServer:
    """The one in-process Redis stand-in shared by the app and its worker thread."""
    global _fake_server
    with _fake_server_lock:
        if _fake_server is None:
            _fake_server = fakeredis.FakeServer()
        return _fake_server


def connect_redis(url: str) -> redis.Redis:
    """A Redis client for ``url``, or for the in-process stand-in when ``url`` is empty."""
    if not url:
        return fakeredis.FakeRedis(server=fake_redis_server())
    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
