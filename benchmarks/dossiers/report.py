"""Plain-text tables for the dossier parts (ingest, lookup), in benchmarks.harness.report's style."""

from __future__ import annotations

from benchmarks.harness.report import cells, table, verdict

PHASE = (
    "records records_per_second batch_latency.p50_ms batch_latency.p95_ms "
    "server_cpu_ms_per_record postgres_cpu_ms_per_record client_cpu_share"
)
HEALTH = "ok requests_per_second latency.p50_ms latency.p95_ms server_cpu_ms_per_request"


def ingest_text(part: dict) -> str:
    rows = []
    for label, phase in part["phases"].items():
        outcomes = ", ".join(f"{k} {v:,}" for k, v in phase["outcomes"].items()) or "-"
        rows.append([label, *cells(phase, PHASE), outcomes])
    health = part["health"]
    errors = f"errors {health['errors']}"
    rows.append(["/health (ref)", *cells(health, HEALTH), "-", health["client_cpu_share"], errors])
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


def _first_scan(plan: list[str]) -> str:
    scans = [line.strip() for line in plan if "Scan" in line]
    return scans[0].split(" (actual")[0] if scans else plan[0].strip()


LATENCY = "n p50_ms p95_ms p99_ms max_ms"


def lookup_text(part: dict) -> str:
    ref = part["latency"]["ref_select_1"]["p50_ms"]
    rows = []
    for name, lat in part["latency"].items():
        over = round(lat["p50_ms"] / ref, 1) if ref else "-"
        rows.append([name, *cells(lat, LATENCY), over, part["statements"].get(name, "-")])
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


TEXT = {"ingest": ingest_text, "lookup": lookup_text}
