"""The search parts' tables (search_quality, latency, http, memory)."""

from __future__ import annotations

from urllib.parse import unquote_plus

from benchmarks.harness.report import table, verdict


def quality_text(part: dict) -> str:
    lines = [f"1. Search quality ({part['catalog_size']} procedures, SearchIndex)"]
    for name, split in part.get("splits", {"": part}).items():
        overall = split["overall"]
        rows = [["overall", overall["n"], overall["hit_at_1"], overall["mrr_at_10"]]]
        rows += [[k, v["n"], v["hit_at_1"], v["mrr_at_10"]] for k, v in split["per_kind"].items()]
        if "english" in split:
            e = split["english"]
            rows.append(["English", e["n"], e["hit_at_1"], e["mrr_at_10"]])
        for label, v in split.get("by_diacritics", {}).items():
            rows.append([label, v["n"], v["hit_at_1"], v["mrr_at_10"]])
        lines.append(
            f"   split {name}: 'no close match' said for {overall.get('no_close_match', 0)}"
        )
        lines.append(table(["kind", "queries", "hit@1", "MRR@10"], rows))
        if "off_topic" in split:
            off = split["off_topic"]
            lines.append(f"   off-topic: 'no close match' for {off['no_close_match']}/{off['n']}")
        lines.append(f"   misses ({len(split['misses'])}):")
        for miss in split["misses"]:
            rank = miss["expected_rank"] or f">{part['depth']}"
            lines.append(
                f"   - [{miss['kind']}] {miss['q']!r}: expected {miss['expected']} "
                f"(rank {rank}), got {miss['got']} {miss['got_name']!r}"
            )
    return "\n".join(lines)


def latency_text(part: dict) -> str:
    rows = []
    for size, run in part["catalogs"].items():
        lat = run["latency"]
        quality = run.get("quality_by_national_code", {})
        rows.append(
            [
                f"{int(size):,}",
                run["build_seconds"],
                lat["search"]["p50_ms"],
                lat["search"]["p95_ms"],
                lat["search"]["p99_ms"],
                lat["search_cpu"]["p50_ms"],
                lat["suggest"]["p50_ms"],
                lat["suggest"]["p95_ms"],
                lat["suggest"]["p99_ms"],
                lat["suggest_cpu"]["p50_ms"],
                lat["ref_fold"]["p50_ms"] * 1000,
                lat["ref_dict_1000"]["p50_ms"] * 1000,
                run["ratios"]["search_p50_over_ref_dict_1000_p50"],
                quality.get("hit_at_1", "-"),
                lat.get("embed", {}).get("p50_ms", "-"),
                lat.get("embed", {}).get("p95_ms", "-"),
            ]
        )
    headers = [
        "procedures",
        "build s",
        "search p50",
        "p95",
        "p99",
        "cpu p50",
        "suggest p50",
        "p95",
        "p99",
        "cpu p50",
        "fold µs",
        "1k dict µs",
        "search/dict",
        "hit@1 nat.",
        "embed p50",
        "p95",
    ]
    lines = [
        "2. In-process latency (ms wall, cpu = thread CPU time; page of 20, suggest limit 10;"
        " search includes the query's embedding, 'embed' is the model call alone;"
        " references: fold(query) and 1,000 dict look-ups)",
        table(headers, rows),
    ]
    for size, run in part["catalogs"].items():
        if "misses_by_national_code" in run:
            misses = run["misses_by_national_code"]
            lines.append(
                f"   at {int(size):,}: fold() of all names and texts alone takes "
                f"{run['fold_seconds']} s of the {run['build_seconds']} s build; "
                f"{len(misses)} misses by national code"
            )
    return "\n".join(lines)


def http_text(part: dict) -> str:
    rows = []
    for label, ep in part["endpoints"].items():
        rows.append(
            [
                label,
                ep["requests_per_second"],
                ep["latency"]["p50_ms"],
                ep["latency"]["p95_ms"],
                ep["server_cpu_ms_per_request"],
                ep["ok"],
                ep["errors"],
                ep["client_cpu_share"],
            ]
        )
    headers = ["endpoint", "req/s", "p50 ms", "p95 ms", "srv CPU ms/req", "ok", "errors", "client"]
    server = part["server"]
    lines = [
        f"3. HTTP throughput (gunicorn {server['workers']} {server['worker_class']} workers, "
        f"{part['endpoints']['search']['concurrency']} client threads)",
        table(headers, rows),
        f"   search/health = {part['ratio_search_over_health']} "
        f"(target ≥ {part['target_ratio']}): {verdict(part['meets_target'])}; "
        f"by server CPU per request: {part['cpu_ratio_search_over_health']}",
    ]
    if "ratio_search_unseen_over_health" in part:
        lines.append(
            f"   search_unseen/health = {part['ratio_search_unseen_over_health']}: "
            f"{verdict(part['meets_target_unseen'])}; by server CPU per request: "
            f"{part['cpu_ratio_search_unseen_over_health']} (phrasings never sent before, "
            f"e.g. {unquote_plus(part['unseen_path_example'].split('q=', 1)[1])!r})"
        )
    if "breakdown_ms" in part:
        b = part["breakdown_ms"]
        lines.append(
            "   in-process CPU per request (ms, mean over the query set): "
            + ", ".join(f"{k} {v}" for k, v in b.items())
        )
    return "\n".join(lines)


def memory_text(part: dict) -> str:
    rows = []
    for size, w in part["workers"].items():
        rows.append(
            [
                f"{int(size):,}",
                w["rss_mb_before_search"],
                w["rss_mb"],
                w["peak_rss_mb"],
                w["first_search_seconds"],
                w["second_search_ms"],
            ]
        )
    headers = ["procedures", "RSS before MB", "RSS MB", "peak MB", "1st search s", "2nd ms"]
    lines = ["4. Worker memory (one gunicorn sync worker)", table(headers, rows)]
    size = max(part["workers"], key=int)
    large = part["workers"][size]
    lines.append(
        f"   target < {part['target_mb_at_100k']:g} MB at 100,000 (measured at {int(size):,}): "
        f"{verdict(part['meets_target'])}"
    )
    if "breakdown" in large:
        b = large["breakdown"]
        steps = ", ".join(f"{k} {v}" for k, v in b["rss_mb"].items())
        lines.append(f"   RSS by build step (MB): {steps}")
        parts = ", ".join(f"{k} {v}" for k, v in b["index_parts_mb"].items())
        lines.append(f"   index parts (MB): {parts}")
        lines.append(f"   build step seconds: {b['seconds']}")
        pm = b["pymalloc_mb"]
        lines.append(
            f"   Python allocator after the build: {pm['arenas_mb']} MB of arenas, "
            f"{pm['blocks_in_use_mb']} MB in live objects, {pm['pinned_free_pools_mb']} MB "
            "free but pinned by scattered survivors"
        )
    if large.get("exceeds_gunicorn_default_timeout"):
        lines.append(
            f"   first search took {large['first_search_seconds']} s: longer than gunicorn's "
            "default 30 s worker timeout"
        )
    return "\n".join(lines)


TEXT = {
    "search_quality": quality_text,
    "latency": latency_text,
    "http": http_text,
    "memory": memory_text,
}
