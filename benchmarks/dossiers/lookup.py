"""Part ``lookup``: status look-up latency with a million dossiers in PostgreSQL (issue 4).

benchmarks.dossiers.load makes sure dvc_bench_lookup holds the dossiers (a minute the first
time, a count check afterwards); ``probe``, in a child process (``python -m
benchmarks.dossiers.lookup SAMPLES BUDGET_SECONDS``: the app's globals stay out of this one),
times the owner's full view, the second-factor look-up, and "my dossiers" for a typical and a
heavy citizen, with ``SELECT 1`` through the same scoped session as the reference.

Each sample runs every operation once, in turn, as a request would: a fresh session from the
pool (the pool's pre-ping in every figure), removed afterwards. An operation leaves the loop
once it has used its share of the time budget and has MIN_SAMPLES (its ``n`` says how many it
got). Dossiers are picked at random; the second-factor look-up uses a new client IP each time,
so no rate limit is hit (the counters are removed afterwards). The SQL of each operation is
then explained (ANALYZE, BUFFERS).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Callable

from sqlalchemy import text

from benchmarks.dossiers import load as dossierload
from benchmarks.harness import pgstack
from benchmarks.harness.common import SqlMeter, note, progress, summarise_ms
from benchmarks.harness.report import cells, table, verdict
from benchmarks.harness.server import child_json

SAMPLES = 2_000
BUDGET_SECONDS = 120.0
TARGET_P99_MS = 10.0
JUDGED = ("get_for_full_view", "lookup", "my_dossiers")
WARMUP = 10
MIN_SAMPLES = 30


def run(
    total: int = dossierload.TOTAL,
    fresh: bool = False,
    samples: int = SAMPLES,
    budget: float = BUDGET_SECONDS,
) -> dict[str, object]:
    note(
        f"lookup: {total:,} dossiers in PostgreSQL, service functions in-process, "
        f"up to {samples:,} samples per operation within about {budget:g} s"
    )
    database = dossierload.ensure_loaded(total, fresh)
    measured = child_json(
        "benchmarks.dossiers.lookup", str(samples), str(budget), live_stderr=True,
        env=pgstack.app_env(str(database.pop("url"))), timeout=budget * 3 + 300,
    )  # fmt: skip
    latency = measured["latency"]
    flag = "" if total == dossierload.TOTAL else f" --dossiers {total}"
    return {
        "reproduce": f".venv/bin/python -m benchmarks lookup{flag}",
        "database": database,
        "redis": pgstack.REDIS_URL,
        **measured,
        "target_p99_ms": TARGET_P99_MS,
        "judged": list(JUDGED),
        "meets_target": all(latency[name]["p99_ms"] < TARGET_P99_MS for name in JUDGED),
    }


def _explain(db, statement: str, parameters: object) -> list[str]:  # noqa: ANN001
    conn = db.session.connection().connection.driver_connection
    with conn.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + statement, parameters)
        lines = [row[0] for row in cur.fetchall()]
    db.session.rollback()
    return lines


def probe(samples: int, budget: float) -> dict[str, object]:
    from api.app import create_app
    from api.auth.guard import Principal
    from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN
    from api.dossiers import service
    from api.dossiers.service import LOOKUPS_PER_IP, WRONG_FACTOR_PER_CODE
    from api.kernel.database import db
    from api.kernel.pagination import Page
    from api.kernel.ratelimit import reset
    from benchmarks.dossiers.rows import HEAVY

    app = create_app()
    rng = random.Random()  # a new draw of dossiers and IPs each run
    with app.app_context():
        total = db.session.execute(text("SELECT max(id) FROM dossiers")).scalar_one()
        accounts = db.session.execute(text("SELECT id, personal_id FROM accounts")).all()
        ids = rng.sample(range(1, total + 1), samples + WARMUP)
        rows = db.session.execute(
            text("SELECT id, code, applicant_id_number, phone FROM dossiers WHERE id = ANY(:ids)"),
            {"ids": ids},
        ).all()
        db.session.remove()
    by_id = {r.id: r for r in rows}
    picks = [by_id[i] for i in ids]
    heavy = [a for a in accounts if a.id <= HEAVY]
    typical = [a for a in accounts if a.id > HEAVY]
    ip_base = rng.randrange(2**24)

    def citizen(account_id: int, personal_id: str) -> Principal:
        return Principal(
            account_id=account_id,
            public_id=f"{account_id:032x}",
            role=ROLE_CITIZEN,
            assurance=ASSURANCE_VNEID,
            personal_id=personal_id,
        )

    def owner(k: int) -> Principal:
        return citizen(1, picks[k].applicant_id_number)

    def full_page(k: int) -> object:
        # What GET /dossiers/<code> does around the service call.
        dossier = service.get_for_full_view(owner(k), picks[k].code)
        return service.timeline(dossier), service.is_following(owner(k), dossier)

    def my(accounts_pool: list, k: int) -> object:
        account = accounts_pool[k % len(accounts_pool)]
        return service.my_dossiers(citizen(account.id, account.personal_id), None, Page(1, 20))

    ips: list[str] = []

    def lookup(k: int) -> object:
        n = (ip_base + k) % 2**24
        ip = f"10.{n >> 16}.{(n >> 8) & 255}.{n & 255}"
        ips.append(ip)
        return service.lookup(picks[k].code, picks[k].phone[-4:], ip)

    operations: dict[str, Callable[[int], object]] = {
        "ref_select_1": lambda _k: db.session.execute(text("SELECT 1")).scalar_one(),
        "get_for_full_view": lambda k: service.get_for_full_view(owner(k), picks[k].code),
        "full_view_page": full_page,
        "lookup": lookup,
        "my_dossiers": lambda k: my(typical, k),
        "my_dossiers_heavy": lambda k: my(heavy, k),
    }
    timings: dict[str, list[float]] = {name: [] for name in operations}
    started = time.perf_counter()
    with app.app_context():
        for k in range(WARMUP):
            for operation in operations.values():
                operation(samples + k)
                db.session.remove()
        share = budget / len(operations)
        spent = dict.fromkeys(operations, 0.0)
        shown = 0.0
        for k in range(samples):
            active = [n for n in operations if spent[n] < share or len(timings[n]) < MIN_SAMPLES]
            if not active:
                break
            for name in active:
                began = time.perf_counter()
                operations[name](k)
                took = time.perf_counter() - began
                timings[name].append(took)
                spent[name] += took
                db.session.remove()
            if time.perf_counter() - shown > 2.0:  # a line every 2 s, however slow the sample
                shown = time.perf_counter()
                progress(
                    f"lookup: sample {k + 1:,}/{samples:,}, {len(active)} operations still "
                    f"sampled ({time.perf_counter() - started:.0f} s)"
                )
        statements, plans = {}, {}
        for name, operation in operations.items():
            meter = SqlMeter(keep=True)
            with meter.listening(db.engine):
                operation(0)
            db.session.remove()
            statements[name] = len(meter.sent)
            if name != "ref_select_1":
                plans[name] = [_explain(db, sql, params) for sql, params in meter.sent]
        for ip in ips:
            reset(LOOKUPS_PER_IP, ip)
        for pick in picks:
            reset(WRONG_FACTOR_PER_CODE, pick.code)
    stats = {name: summarise_ms(values) for name, values in timings.items()}
    reference = stats["ref_select_1"]["p50_ms"]
    return {
        "samples_requested": samples,
        "budget_seconds": budget,
        "measure_seconds": round(time.perf_counter() - started, 1),
        "latency": stats,
        "p50_over_select_1": {
            name: round(s["p50_ms"] / reference, 1) for name, s in stats.items() if reference
        },
        "statements": statements,
        "plans": plans,
    }


def _first_scan(plan: list[str]) -> str:
    scans = [line.strip() for line in plan if "Scan" in line]
    return scans[0].split(" (actual")[0] if scans else plan[0].strip()


TABLE_LATENCY = "n p50_ms p95_ms p99_ms max_ms"


def lookup_text(part: dict) -> str:
    ref = part["latency"]["ref_select_1"]["p50_ms"]
    rows = []
    for name, lat in part["latency"].items():
        over = round(lat["p50_ms"] / ref, 1) if ref else "-"
        rows.append([name, *cells(lat, TABLE_LATENCY), over, part["statements"].get(name, "-")])
    headers = "operation|n|p50 ms|p95 ms|p99 ms|max ms|p50/SELECT 1|SQL"
    db = part["database"]
    counts = db["counts"]
    loaded = (
        f"loaded now: {db['loaded_now']:,} in {db['load_seconds']} s"
        f" ({db['rows_per_second']:,.0f}/s)"
        if db["loaded_now"]
        else "already loaded"
    )
    lines = [
        f"6. Status look-up latency, in-process, {counts['dossiers']:,} dossiers in PostgreSQL "
        "(ms wall; a fresh session per operation, pool pre-ping included)",
        table(headers, rows),
        f"   target p99 < {part['target_p99_ms']:g} ms for {', '.join(part['judged'])}: "
        f"{verdict(part['meets_target'])}",
        f"   database: {counts['dossier_timeline']:,} timeline rows, {counts['accounts']:,} "
        f"accounts, {counts['dossier_follows']:,} follows, {db['size_mb']:,} MB; {loaded}",
    ]
    for name in part["judged"]:
        if part["latency"][name]["p99_ms"] >= part["target_p99_ms"]:
            scans = "; ".join(_first_scan(plan) for plan in part["plans"].get(name, []))
            lines.append(f"   {name} over target; its statements scan: {scans}")
    return "\n".join(lines)


TEXT = {"lookup": lookup_text}


if __name__ == "__main__":
    print(json.dumps(probe(int(sys.argv[1]), float(sys.argv[2])), ensure_ascii=False))
