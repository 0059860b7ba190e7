"""The search parts' tables (search_quality, latency, http, memory)."""

from __future__ import annotations

from urllib.parse import unquote_plus

from benchmarks.harness.report import cells, table, verdict

SCORE = "n hit_at_1 mrr_at_10"


def quality_text(part: dict) -> str:
    lines = [f"1. Search quality ({part['catalog_size']} procedures, SearchIndex)"]
    for name, split in part.get("splits", {"": part}).items():
        overall = split["overall"]
        rows = [["overall", *cells(overall, SCORE)]]
        rows += [[k, *cells(v, SCORE)] for k, v in split["per_kind"].items()]
        if "english" in split:
            rows.append(["English", *cells(split["english"], SCORE)])
        rows += [[label, *cells(v, SCORE)] for label, v in split.get("by_diacritics", {}).items()]
        lines.append(
            f"   split {name}: 'no close match' said for {overall.get('no_close_match', 0)}"
        )
        lines.append(table("kind|queries|hit@1|MRR@10", rows))
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


LATENCY = (
    "build_seconds latency.search.p50_ms latency.search.p95_ms latency.search.p99_ms "
    "latency.search_cpu.p50_ms latency.suggest.p50_ms latency.suggest.p95_ms "
    "latency.suggest.p99_ms latency.suggest_cpu.p50_ms"
)


def latency_text(part: dict) -> str:
    rows = []
    for size, run in part["catalogs"].items():
        lat, embed = run["latency"], run["latency"].get("embed", {})
        rows.append(
            [f"{int(size):,}", *cells(run, LATENCY)]
            + [lat["ref_fold"]["p50_ms"] * 1000, lat["ref_dict_1000"]["p50_ms"] * 1000]
            + [run["ratios"]["search_p50_over_ref_dict_1000_p50"]]
            + [run.get("quality_by_national_code", {}).get("hit_at_1", "-")]
            + [embed.get("p50_ms", "-"), embed.get("p95_ms", "-")]
        )
    headers = (
        "procedures|build s|search p50|p95|p99|cpu p50|suggest p50|p95|p99|cpu p50|fold µs|"
        "1k dict µs|search/dict|hit@1 nat.|embed p50|p95"
    )
    lines = [
        "2. In-process latency (ms wall, cpu = thread CPU time; page of 20, suggest limit 10;"
        " search includes the query's embedding, 'embed' is the model call alone;"
        " references: fold(query) and 1,000 dict look-ups)",
        table(headers, rows),
    ]
    for size, run in part["catalogs"].items():
        if "misses_by_national_code" in run:
            lines.append(
                f"   at {int(size):,}: fold() of all names and texts alone takes "
                f"{run['fold_seconds']} s of the {run['build_seconds']} s build; "
                f"{len(run['misses_by_national_code'])} misses by national code"
            )
    return "\n".join(lines)


ENDPOINT = (
    "requests_per_second latency.p50_ms latency.p95_ms server_cpu_ms_per_request ok errors "
    "client_cpu_share"
)


def http_text(part: dict) -> str:
    rows = [[label, *cells(ep, ENDPOINT)] for label, ep in part["endpoints"].items()]
    server = part["server"]
    lines = [
        f"3. HTTP throughput (gunicorn {server['workers']} {server['worker_class']} workers, "
        f"{part['endpoints']['search']['concurrency']} client threads)",
        table("endpoint|req/s|p50 ms|p95 ms|srv CPU ms/req|ok|errors|client", rows),
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
        lines.append(
            "   in-process CPU per request (ms, mean over the query set): "
            + ", ".join(f"{k} {v}" for k, v in part["breakdown_ms"].items())
        )
    return "\n".join(lines)


WORKER = "rss_mb_before_search rss_mb peak_rss_mb first_search_seconds second_search_ms"


def memory_text(part: dict) -> str:
    rows = [[f"{int(size):,}", *cells(w, WORKER)] for size, w in part["workers"].items()]
    headers = "procedures|RSS before MB|RSS MB|peak MB|1st search s|2nd ms"
    lines = ["4. Worker memory (one gunicorn sync worker)", table(headers, rows)]
    size = max(part["workers"], key=int)
    large = part["workers"][size]
    lines.append(
        f"   target < {part['target_mb_at_100k']:g} MB at 100,000 (measured at {int(size):,}): "
        f"{verdict(part['meets_target'])}"
    )
    if "breakdown" in large:
        b, pm = large["breakdown"], large["breakdown"]["pymalloc_mb"]
        lines += [
            f"   RSS by build step (MB): {', '.join(f'{k} {v}' for k, v in b['rss_mb'].items())}",
            "   index parts (MB): " + ", ".join(f"{k} {v}" for k, v in b["index_parts_mb"].items()),
            f"   build step seconds: {b['seconds']}",
            f"   Python allocator after the build: {pm['arenas_mb']} MB of arenas, "
            f"{pm['blocks_in_use_mb']} MB in live objects, {pm['pinned_free_pools_mb']} MB "
            "free but pinned by scattered survivors",
        ]
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
