"""Part ``ingest``: portal push rate through POST /api/v1/portal/dossiers (issue 4).

A fresh PostgreSQL database of its own (dvc_bench_ingest_<pid>, ``flask db upgrade``, dropped
afterwards), Redis, and gunicorn with 2 sync workers as in production. Two client threads push
signed batches of 500 HoSo records from the portal simulator's own factory: new dossiers in
every status (creates), then the same one step further along (sandbox.portal_data.next_status;
updates), each a real status change: a timeline entry and a domain event (a final status gets
none). A phase stops taking batches after ``seconds`` (or when its records run out). /health
on the same server, loaded by the same two threads before and after, is the reference. CPU of
the gunicorn workers and of their PostgreSQL backends is read from /proc per phase. Then
``breakdown`` (``python -m benchmarks.dossiers.ingest`` in a child, on the same database) says
where a record's time goes in-process, for creates and updates: the whole request through
Flask's test client, the ingest function alone (wall and CPU time, SQL statements by kind and
the time waiting for them), and the parsing alone, each way on the same records under a code
prefix of its own.
"""

from __future__ import annotations

import copy
import http.client
import json
import os
import queue
import random
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.harness import pgstack
from benchmarks.harness.common import SqlMeter, cpu_seconds_since, note, progress, summarise_ms
from benchmarks.harness.loadgen import LoadResult, load, merge
from benchmarks.harness.report import cells, table, verdict
from benchmarks.harness.server import HOST, Gunicorn, child_json, cpu_ticks, gunicorn, tick_ms
from sandbox import portal_data as data

DATABASE_PREFIX = "dvc_bench_ingest_"  # + pid: concurrent runs must not drop each other's
PATH = "/api/v1/portal/dossiers"
WORKERS = 2
CLIENT_THREADS = 2
PHASE_SECONDS = 30.0  # each phase stops taking batches after this
POOL = 40_000  # creates ready to send: 20 s at the target rate
HEALTH_SECONDS = 4.0  # per round; one round before the pushes and one after
TARGET_PER_SECOND = 2_000
BATCH = 500  # the endpoint's MAX_BATCH
# Per kind and way: 1,500 creates and their ~900 status changes. Batches vary by ±20 % on a
# shared machine, more than the HTTP layer costs, so request and ingest are shown side by side
# rather than subtracted.
BATCHES = 3  # in the breakdown


@dataclass(frozen=True)
class Batch:
    body: bytes  # {"data": [...]} as sent; signed just before sending (5-minute window)
    records: int


@dataclass(frozen=True)
class PushSet:
    creates: list[dict]
    updates: list[dict | None]  # updates[i]: the status change of creates[i], if it can move


def batches(records: list[dict]) -> list[Batch]:
    """Bodies serialised ahead, so the client spends its time sending, not encoding."""
    out = []
    for start in range(0, len(records), BATCH):
        chunk = records[start : start + BATCH]
        body = json.dumps({"data": chunk}, ensure_ascii=False, separators=(",", ":"))
        out.append(Batch(body.encode(), len(chunk)))
    return out


def push_set(count: int, seed: int = 4, tag: str = "") -> PushSet:
    """``count`` new dossiers and a status change for each that can still move. ``tag``
    prefixes the codes, for a set that must not collide with another (same units and days)."""
    rng = random.Random(seed)
    catalog = data.load_catalog()
    field_names = {f["code"]: f["name"] for f in catalog.get("fields", [])}
    factory = data.DossierFactory(rng, catalog["procedures"], field_names)
    now = datetime.now(UTC)
    creates: list[dict] = []
    updates: list[dict | None] = []
    for index in range(count):
        dossier, _history = factory.build(index, now)
        if tag:
            dossier["MaHoSo"] = dossier["SoBienNhan"] = f"{tag}.{dossier['MaHoSo']}"
        # A deep copy: apply_status below appends to the record's lists.
        creates.append(copy.deepcopy(data.public_view(dossier)))
        following = data.next_status(int(dossier["TrangThaiHoSo"]), rng)
        if following is None:
            updates.append(None)
            continue
        data.apply_status(dossier, following, now + timedelta(minutes=1), timedelta(days=7), rng)
        updates.append(data.public_view(dossier))
    return PushSet(creates, updates)


@dataclass
class PushResult:
    phase: str
    batches_taken: int = 0
    records: int = 0
    seconds: float = 0.0
    batch_latencies: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    http_errors: Counter = field(default_factory=Counter)
    first_error: str = ""  # the first failed answer, to tell why without the server log
    client_cpu_seconds: float = 0.0
    server_ticks: int = 0
    postgres_ticks: int = 0

    def as_dict(self, tick_ms: float) -> dict[str, object]:
        def per_record(ticks: int) -> float | None:
            return round(ticks * tick_ms / self.records, 4) if self.records else None

        return {
            "records": self.records,
            "batches": len(self.batch_latencies),
            "seconds": round(self.seconds, 3),
            "records_per_second": round(self.records / self.seconds, 1) if self.seconds else 0.0,
            "batch_latency": summarise_ms(self.batch_latencies),
            "outcomes": dict(self.outcomes),
            "http_errors": {str(k): v for k, v in self.http_errors.items()},
            **({"first_error": self.first_error} if self.first_error else {}),
            # CPU per record: the two gunicorn workers, and the PostgreSQL backends serving them.
            "server_cpu_ms_per_record": per_record(self.server_ticks),
            "postgres_cpu_ms_per_record": per_record(self.postgres_ticks),
            "client_cpu_share": round(self.client_cpu_seconds / self.seconds, 3)
            if self.seconds
            else 0.0,
        }


def _post(conn: http.client.HTTPConnection, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", PATH, body=body, headers=pgstack.push_headers(body))
    response = conn.getresponse()
    return response.status, response.read()


class Sender:
    """Client threads taking the next batch from a shared queue until it is empty or the
    deadline has passed; a batch taken is always sent, so what was sent is a prefix."""

    def __init__(self, port: int, work: list[Batch], deadline: float, result: PushResult):
        self.port, self.deadline, self.result = port, deadline, result
        self.queue: queue.Queue[Batch] = queue.Queue()
        for batch in work:
            self.queue.put(batch)
        self.lock = threading.Lock()

    def _take(self) -> Batch | None:
        with self.lock:
            if time.perf_counter() >= self.deadline or self.queue.empty():
                return None
            self.result.batches_taken += 1
            return self.queue.get_nowait()

    def run(self) -> None:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        latencies: list[float] = []
        outcomes: Counter = Counter()
        errors: Counter = Counter()
        records = 0
        try:
            while (batch := self._take()) is not None:
                began = time.perf_counter()
                try:
                    status, payload = _post(conn, batch.body)
                except (OSError, http.client.HTTPException) as exc:
                    errors[type(exc).__name__] += 1
                    conn.close()
                    continue
                if status != 200:
                    errors[status] += 1
                    with self.lock:
                        self.result.first_error = self.result.first_error or (
                            f"{status} {payload[:300].decode(errors='replace')}"
                        )
                    continue
                latencies.append(time.perf_counter() - began)
                for item in json.loads(payload)["result"]:
                    outcomes[item["message"] if item["error_code"] == 0 else "error"] += 1
                records += batch.records
        finally:
            conn.close()
        with self.lock:
            self.result.batch_latencies.extend(latencies)
            self.result.outcomes.update(outcomes)
            self.result.http_errors.update(errors)
            self.result.records += records


def push(
    server: Gunicorn, database: str, work: list[Batch], phase: str, seconds: float
) -> PushResult:
    result = PushResult(phase)
    workers, backends = server.workers, pgstack.backend_pids(database)
    ticks = cpu_ticks(workers), cpu_ticks(backends)
    cpu = os.times()
    started = time.perf_counter()
    sender = Sender(server.port, work, started + seconds, result)
    threads = [threading.Thread(target=sender.run, daemon=True) for _ in range(CLIENT_THREADS)]
    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        progress(
            f"ingest: {phase}, {result.batches_taken}/{len(work)} batches taken, "
            f"{time.perf_counter() - started:.0f} s"
        )
        for thread in threads:
            thread.join(timeout=1.0)
    result.seconds = time.perf_counter() - started
    result.client_cpu_seconds = cpu_seconds_since(cpu)
    result.server_ticks = cpu_ticks(workers) - ticks[0]
    result.postgres_ticks = cpu_ticks(backends) - ticks[1]
    return result


def health(server: Gunicorn, seconds: float) -> tuple[LoadResult, int]:
    workers = server.workers
    before = cpu_ticks(workers)
    result = load(HOST, server.port, ["/health"], seconds, CLIENT_THREADS, "health")
    return result, cpu_ticks(workers) - before


def warm_up(server: Gunicorn, database: str, tag: str) -> int:
    """A batch per worker, so both hold a database connection and warm code paths (the
    records have a code prefix of their own and are not counted)."""
    warm = batches(push_set(WORKERS * BATCH, seed=5, tag=tag).creates)
    push(server, database, warm, "warm-up", 300.0)
    load(HOST, server.port, ["/health"], 1.0, CLIENT_THREADS, "health")
    return WORKERS * BATCH


def database_counts(url: str) -> dict[str, int]:
    tables = ("dossiers", "dossier_timeline", "domain_events")
    counts = pgstack.run_sql(url, *(f"SELECT count(*) FROM {t}" for t in tables))
    return dict(zip(tables, counts, strict=True))


def _error_lines(log: Path, limit: int = 40) -> list[str]:
    """The server log's errors and tracebacks (its access lines would bury them)."""
    lines = log.read_text(errors="replace").splitlines()
    wanted = [line for line in lines if '"level": "info"' not in line]
    return [line[:400] for line in wanted[:limit]]


def pushes(server: Gunicorn, database: str, made: PushSet, seconds: float) -> list[PushResult]:
    """Creates, then updates for the dossiers actually created (a prefix of the pool)."""
    created = push(server, database, batches(made.creates), "create", seconds)
    sent = batches([u for u in made.updates[: created.batches_taken * BATCH] if u])
    return [created, push(server, database, sent, "update", seconds)]


def _checks(results: list[PushResult], counts: dict, warm: int) -> dict:
    """Every record applied as what it is, and the rows to prove it: one dossier per create,
    one timeline entry and one domain event per status change."""
    creates = sum(r.records for r in results if r.phase == "create")
    changes = warm + sum(r.records for r in results)
    expected = {"dossiers": warm + creates, "dossier_timeline": changes, "domain_events": changes}
    ok = counts == expected and all(
        dict(r.outcomes) == {r.phase + "d": r.records} and not r.http_errors for r in results
    )
    return {"all_applied": ok, "database_counts": counts, "expected_counts": expected}


def run(seconds: float = PHASE_SECONDS, pool: int = POOL) -> dict[str, object]:
    note(
        f"ingest: gunicorn {WORKERS} sync workers on PostgreSQL + Redis, "
        f"{CLIENT_THREADS} client threads, batches of {BATCH}, at most {seconds:g} s a phase"
    )
    started = time.perf_counter()
    progress(f"ingest: generating {pool:,} HoSo records and their status changes")
    made = push_set(pool)
    generated = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="dvc-bench-ingest-") as tmp:
        directory = Path(tmp)
        database = pgstack.run_database(DATABASE_PREFIX)
        progress(f"ingest: fresh database {database}, flask db upgrade")
        url = pgstack.fresh_database(database)
        try:
            pgstack.migrate(url, directory / "migrate.log")
            with gunicorn(url, directory, workers=WORKERS, env=pgstack.app_env(url)) as server:
                warm = warm_up(server, database, "WARM")
                first = health(server, HEALTH_SECONDS)
                created, updated = pushes(server, database, made, seconds)
                second = health(server, HEALTH_SECONDS)
                command = server.command
                log_errors = _error_lines(server.log)
            checks = _checks([created, updated], database_counts(url), warm)
            progress("ingest: in-process breakdown of one record")  # ``breakdown`` below
            breakdown = child_json("benchmarks.dossiers.ingest", env=pgstack.app_env(url))
        finally:
            pgstack.drop_database(database)
    progress("ingest: measured", final=True)
    tick = tick_ms()
    phases = {r.phase: r.as_dict(tick) for r in (created, updated)}
    reference = merge([first[0], second[0]])
    health_figures = reference.as_dict() | {
        "server_cpu_ms_per_request": round((first[1] + second[1]) * tick / reference.ok, 4)
        if reference.ok
        else None
    }
    health_rate = health_figures["requests_per_second"] or float("nan")
    flag = "" if seconds == PHASE_SECONDS else f" --ingest-seconds {seconds:g}"
    return {
        "reproduce": f".venv/bin/python -m benchmarks ingest{flag}",
        "server": {
            "command": " ".join(["gunicorn", *command[1:]]).replace(str(directory), "$TMP"),
            "workers": WORKERS,
            "database": f"PostgreSQL {DATABASE_PREFIX}<pid> (fresh, flask db upgrade); "
            f"Redis {pgstack.REDIS_URL}; app log level INFO",
        },
        "client_threads": CLIENT_THREADS,
        "batch_size": BATCH,
        "phase_seconds_cap": seconds,
        "pool": pool,
        "generate_seconds": round(generated, 2),
        "phases": phases,
        "health": health_figures,
        "ratio_create_over_health": round(phases["create"]["records_per_second"] / health_rate, 3),
        "ratio_update_over_health": round(phases["update"]["records_per_second"] / health_rate, 3),
        **checks,
        "target_records_per_second": TARGET_PER_SECOND,
        "meets_target": all(
            phases[p]["records_per_second"] >= TARGET_PER_SECOND for p in ("create", "update")
        ),
        "profile": breakdown,
        **({} if checks["all_applied"] else {"gunicorn_errors": log_errors}),
    }


class Way:
    """One way of applying batches: wall and this thread's CPU time, statements, outcomes."""

    def __init__(self, apply: Callable[[list[dict]], list[dict]]) -> None:
        self.apply = apply
        self.wall = self.cpu = 0.0
        self.records = 0
        self.meter = SqlMeter()
        self.outcomes: Counter = Counter()

    def run(self, records: list[dict], engine) -> None:  # noqa: ANN001
        cpu, started = time.thread_time(), time.perf_counter()
        with self.meter.listening(engine):
            results = self.apply(records)
        self.wall += time.perf_counter() - started
        self.cpu += time.thread_time() - cpu
        self.records += len(records)
        self.outcomes.update(r["message"] if r["error_code"] == 0 else "error" for r in results)

    def ms(self, seconds: float) -> float:
        """``seconds`` as milliseconds a record."""
        return round(seconds * 1000 / self.records, 4)


def breakdown() -> dict[str, object]:
    from api.app import create_app
    from api.dossiers.inbound import ingest_dossiers
    from api.kernel.database import db
    from api.portal.dossier_records import dossier_from_hoso

    app = create_app()
    client = app.test_client()

    def request(records: list[dict]) -> list[dict]:
        body = json.dumps({"data": records}, ensure_ascii=False).encode()
        response = client.post(
            "/api/v1/portal/dossiers", data=body, headers=pgstack.push_headers(body)
        )
        assert response.status_code == 200, response.status_code
        return response.get_json()["result"]

    applies = {
        "request": request,
        "ingest": lambda records: ingest_dossiers(records, int(time.time())),
    }
    # The same records for each way but for a code prefix of its own, so each applies them.
    sets = {}
    for name in applies:
        made = push_set(BATCHES * 500, seed=6, tag=f"PROF{name.upper()}")
        sets[name] = {
            "creates": [json.loads(b.body)["data"] for b in batches(made.creates)],
            "updates": [
                json.loads(b.body)["data"] for b in batches([u for u in made.updates if u])
            ],
        }
    out: dict[str, object] = {}
    for kind in ("creates", "updates"):
        ways = {name: Way(apply) for name, apply in applies.items()}
        # Interleaved batch by batch, so drift on a shared machine hits every way alike.
        for number in range(len(sets["ingest"][kind])):  # updates: fewer than BATCHES
            for name, way in ways.items():
                with app.app_context():
                    way.run(sets[name][kind][number], db.engine)
                    db.session.remove()
        parse_started = time.thread_time()
        for records in sets["ingest"][kind]:
            for record in records:
                dossier_from_hoso(record)
        parse = time.thread_time() - parse_started
        req, ing = ways["request"], ways["ingest"]
        kinds = {k: round(v / ing.records, 2) for k, v in ing.meter.kinds.most_common()}
        out[kind] = {
            "request_total_ms": req.ms(req.wall),
            "request_cpu_ms": req.ms(req.cpu),
            "ingest_ms": ing.ms(ing.wall),
            "ingest_cpu_ms": ing.ms(ing.cpu),
            "sql_wait_ms": ing.ms(ing.meter.seconds),
            "parse_cpu_ms": ing.ms(parse),
            "statements_per_record": round(sum(ing.meter.kinds.values()) / ing.records, 2),
            "statements_by_kind_per_record": kinds,
            "outcomes": dict(ing.outcomes),
        }
    return out


TABLE_PHASE = (
    "records records_per_second batch_latency.p50_ms batch_latency.p95_ms "
    "server_cpu_ms_per_record postgres_cpu_ms_per_record client_cpu_share"
)
TABLE_HEALTH = "ok requests_per_second latency.p50_ms latency.p95_ms server_cpu_ms_per_request"


def ingest_text(part: dict) -> str:
    rows = []
    for label, phase in part["phases"].items():
        outcomes = ", ".join(f"{k} {v:,}" for k, v in phase["outcomes"].items()) or "-"
        rows.append([label, *cells(phase, TABLE_PHASE), outcomes])
    health = part["health"]
    errors = f"errors {health['errors']}"
    rows.append(
        ["/health (ref)", *cells(health, TABLE_HEALTH), "-", health["client_cpu_share"], errors]
    )
    headers = "phase|records|per s|p50 ms|p95 ms|srv CPU ms|PG CPU ms|client|outcomes"
    server = part["server"]
    lines = [
        f"5. Portal push ingest, POST /api/v1/portal/dossiers (gunicorn {server['workers']} sync "
        f"workers, PostgreSQL + Redis, {part['client_threads']} client threads, batches of "
        f"{part['batch_size']}; latency per batch, CPU per record; /health per request)",
        table(headers, rows),
        f"   create/health = {part['ratio_create_over_health']}, update/health = "
        f"{part['ratio_update_over_health']} (records/s over requests/s); target ≥ "
        f"{part['target_records_per_second']:,} records/s: {verdict(part['meets_target'])}",
        f"   all applied as sent: {'yes' if part['all_applied'] else 'NO'} "
        f"(rows {part['database_counts']}, expected {part['expected_counts']})",
    ]
    for kind, p in part.get("profile", {}).items():
        kinds = ", ".join(f"{k} {v:g}" for k, v in p["statements_by_kind_per_record"].items())
        lines += [
            f"   in-process per record, {kind}: request {p['request_total_ms']} ms (CPU "
            f"{p['request_cpu_ms']}); ingest_dossiers {p['ingest_ms']} ms (CPU "
            f"{p['ingest_cpu_ms']}, SQL wait {p['sql_wait_ms']}, parse {p['parse_cpu_ms']}), "
            f"{p['statements_per_record']:g} statements ({kinds})",
        ]
    return "\n".join(lines)


TEXT = {"ingest": ingest_text}


if __name__ == "__main__":
    print(json.dumps(breakdown()))
