"""A PostgreSQL database holding a million dossiers, loaded with COPY and kept between runs.

The database (dvc_bench_lookup) is migrated with ``flask db upgrade`` and filled outside the
API, in chunks of CHUNK dossiers (with their timeline rows) per transaction, so an interrupted
load resumes at the last committed chunk: rows are a pure function of their number
(benchmarks.dossiers.rows) and of the anchor day kept in the bench_load table. A rerun that
finds the full count does nothing but check it. A different generator, size, or schema of the
loaded tables (``version``) rebuilds the database; so does ``--fresh``. Migrations that touch
other tables are applied and change nothing here.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from benchmarks.dossiers.rows import DOSSIER_COLUMNS, TIMELINE_COLUMNS, RowMaker
from benchmarks.harness import pgstack
from benchmarks.harness.common import ROOT, Stopwatch, note, progress

DATABASE = "dvc_bench_lookup"
TOTAL = 1_000_000
CHUNK = 50_000
LOCK_KEY = 4_2026_0001  # pg_advisory_lock key of the loader
ACCOUNTS = 20_000  # signed-in citizens (account k is citizen k; the first HEAVY are heavy)
INPUTS = [
    "benchmarks/dossiers/rows.py",
    "benchmarks/dossiers/load.py",
    "sandbox/portal_data.py",
    "api/portal/dossier_records.py",
    "api/data/procedures.json",
]


LOADED_TABLES = ("dossiers", "dossier_timeline", "accounts", "dossier_follows")


def version(conn: psycopg.Connection) -> str:
    """What shapes the rows (the generator's sources, the loaded tables' columns as migrated):
    a change to any of it means a rebuild, not a mixed table."""
    sha = hashlib.sha256()
    for path in [ROOT / p for p in INPUTS]:
        sha.update(path.name.encode())
        sha.update(path.read_bytes())
    columns = conn.execute(
        "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_name = ANY(%s) "
        "ORDER BY table_name, ordinal_position",
        (list(LOADED_TABLES),),
    ).fetchall()
    sha.update(repr(columns).encode())
    return sha.hexdigest()[:16]


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _marker(conn: psycopg.Connection) -> tuple | None:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS bench_load (version text NOT NULL, total integer NOT NULL, "
        "anchor timestamptz NOT NULL, complete boolean NOT NULL DEFAULT false)"
    )
    return conn.execute("SELECT version, total, anchor, complete FROM bench_load").fetchone()


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows: list) -> None:
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row(row)


def _load_chunks(conn: psycopg.Connection, maker: RowMaker, start: int, total: int) -> int:
    """COPY dossiers [start, total) and their timeline rows, one transaction per chunk."""
    clock = Stopwatch()
    timeline_rows = 0
    for low in range(start, total, CHUNK):
        high = min(low + CHUNK, total)
        dossiers, timeline = [], []
        for i in range(low, high):
            row, steps = maker.dossier(i)
            dossiers.append(row)
            timeline.extend(steps)
        with conn.transaction():
            _copy(conn, "dossiers", DOSSIER_COLUMNS, dossiers)
            _copy(conn, "dossier_timeline", TIMELINE_COLUMNS, timeline)
        timeline_rows += len(timeline)
        done = high - start
        rate = done / clock.seconds
        progress(
            f"lookup: loaded {high:,}/{total:,} dossiers ({rate:,.0f}/s, "
            f"about {(total - high) / rate:.0f} s left)"
        )
    return timeline_rows


def _accounts_and_follows(conn: psycopg.Connection, maker: RowMaker, total: int) -> None:
    """Citizens signed in with VNeID (personal ID of citizen k), each following 0-3 dossiers
    of others (a relative's), so "my dossiers" has both halves of its condition to check."""
    now = datetime.now(UTC)
    accounts = [
        (k + 1, f"{k:032x}", "citizen", "vneid", maker.personal_id(k), f"09{k:08d}")
        + (maker.names[k % len(maker.names)], True, now)
        for k in range(ACCOUNTS)
    ]
    follows = {
        (1 + (k * 7919 + j * 104729) % total, k + 1) for k in range(ACCOUNTS) for j in range(k % 4)
    }
    with conn.transaction():
        conn.execute("DELETE FROM dossier_follows")
        conn.execute("DELETE FROM accounts")
        columns = ("id", "public_id", "role", "assurance", "personal_id", "phone")
        _copy(conn, "accounts", (*columns, "full_name", "active", "created_at"), accounts)
        rows = [(d, a, now) for d, a in sorted(follows)]
        _copy(conn, "dossier_follows", ("dossier_id", "account_id", "created_at"), rows)
        for table in LOADED_TABLES:
            # Explicit ids went in; the app's own inserts must continue after them.
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
        conn.execute("UPDATE bench_load SET complete = true")


def _prepare(total: int, fresh: bool, log: Path) -> tuple[str, tuple | None]:
    url, created = pgstack.ensure_database(DATABASE)
    if fresh and not created:
        url = pgstack.fresh_database(DATABASE)
    pgstack.migrate(url, log)
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        marker = _marker(conn)
        current = version(conn)
    if marker and (marker[0] != current or marker[1] != total):
        note(f"lookup: {DATABASE} was built by another generator or size; rebuilding it")
        url = pgstack.fresh_database(DATABASE)
        pgstack.migrate(url, log)
        with psycopg.connect(_dsn(url), autocommit=True) as conn:
            marker = _marker(conn)  # creates the table; None in a new database
    return url, marker


def ensure_loaded(total: int = TOTAL, fresh: bool = False) -> dict[str, object]:
    """Load what is missing; return the figures of the database as it now is. One run loads
    at a time: another waits on an advisory lock (held in the ``postgres`` database, which a
    rebuild does not drop), then finds the rows there."""
    with psycopg.connect(_dsn(pgstack.PG_URL), autocommit=True) as guard:
        if not guard.execute("SELECT pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
            note(f"lookup: another run is preparing {DATABASE}; waiting for it")
            guard.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        return _ensure_loaded(total, fresh)


def _ensure_loaded(total: int, fresh: bool) -> dict[str, object]:
    clock = Stopwatch()
    with tempfile.TemporaryDirectory(prefix="dvc-bench-load-") as tmp:
        progress(f"lookup: database {DATABASE}, flask db upgrade")
        url, marker = _prepare(total, fresh, Path(tmp) / "migrate.log")
    with psycopg.connect(_dsn(url), autocommit=True) as conn:
        current = version(conn)
        if marker is None:
            anchor = datetime.now(UTC).replace(hour=5, minute=0, second=0, microsecond=0)
            conn.execute(
                "INSERT INTO bench_load (version, total, anchor) VALUES (%s, %s, %s)",
                (current, total, anchor),
            )
            marker = (current, total, anchor, False)
        count, top = conn.execute("SELECT count(*), coalesce(max(id), 0) FROM dossiers").fetchone()
        if count != top:
            raise RuntimeError(
                f"{DATABASE}: {count:,} dossiers but ids up to {top:,}; rerun with --fresh"
            )
        loaded_now = total - count
        timeline_now = 0
        if loaded_now or not marker[3]:
            if count:
                note(f"lookup: resuming the load at {count:,} of {total:,} dossiers")
            else:
                note(f"lookup: loading {total:,} dossiers with COPY, {CHUNK:,} a transaction")
            progress("lookup: building row templates with the portal factory and adapter")
            maker = RowMaker(total, marker[2])
            timeline_now = _load_chunks(conn, maker, count, total)
            progress("lookup: accounts, follows, sequences")
            _accounts_and_follows(conn, maker, total)
            progress("lookup: ANALYZE")
            conn.execute("ANALYZE")
        else:
            note(f"lookup: {DATABASE} already holds {count:,} dossiers (--fresh reloads)")
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in LOADED_TABLES
        }
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    seconds = clock.seconds
    progress(f"lookup: {counts['dossiers']:,} dossiers ready ({seconds:.0f} s)", final=True)
    return {
        "database": DATABASE,
        "url": url,
        "counts": counts,
        "size_mb": round(size / 2**20, 1),
        "loaded_now": loaded_now,
        "timeline_loaded_now": timeline_now,
        "load_seconds": round(seconds, 1),
        "rows_per_second": round(loaded_now / seconds, 1) if loaded_now else None,
        "version": current,
    }
