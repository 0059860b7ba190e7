"""Part 2, in-process latency of SearchIndex.search (page of 20) and .suggest.

Search is timed with the query's embedding included (the remembered query vectors are
dropped before every call), beside the embedding call alone (``embed``) in the same loop.

Measured at the real catalog and at a synthetic catalog of provincial variants, with a warm-up
pass first. Each query is timed together with two trivial operations in the same loop (fold of
the query, and 1,000 dict look-ups), so the figures can be read as ratios on a noisy machine.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from api.catalog.search.index import Filters, SearchIndex
from api.catalog.search.suggest import suggest
from api.kernel.text import fold
from benchmarks.harness.common import Query, Stopwatch, load_queries, note, progress, summarise_ms
from benchmarks.search.quality import rank_queries, same_national_code, score
from benchmarks.search.synthetic import (
    SIZE_100K,
    base_catalog,
    build_index,
    field_names,
    synthetic_records,
)

PAGE_SIZE = 20
SUGGEST_LIMIT = 10
LOOKUPS = 1_000
PASSES = {283: 5}  # measured passes over the query set; larger catalogs get DEFAULT_PASSES
DEFAULT_PASSES = 3


def _dict_lookups(table: dict[int, int]) -> int:
    total = 0
    for key in range(LOOKUPS):
        total += table[key]
    return total


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall time and this thread's CPU time of ``action`` (the latter ignores time spent
    waiting for a core, so it stays readable when the machine is busy)."""
    cpu = time.thread_time()
    started = time.perf_counter()
    action()
    return time.perf_counter() - started, time.thread_time() - cpu


def measure(index: SearchIndex, queries: list[Query], passes: int) -> dict[str, dict]:
    """Warm-up pass, then ``passes`` timed passes; every query timed for each operation.

    Keys are the operations (wall time) and the same with ``_cpu`` (thread CPU time).
    """
    filters = Filters()
    table = {i: i for i in range(LOOKUPS)}
    meaning = index.meaning

    def search_fresh(q: str) -> object:
        if meaning is not None:
            meaning.forget()  # the embedding is part of every timed search
        return index.search(q, filters, 0, PAGE_SIZE)

    operations: dict[str, Callable[[str], object]] = {
        "search": search_fresh,
        "suggest": lambda q: suggest(index, q, SUGGEST_LIMIT),
        "ref_fold": fold,
        "ref_dict_1000": lambda _q: _dict_lookups(table),
    }
    if meaning is not None:
        operations["embed"] = lambda q: meaning.embedder.queries([meaning.text_for(q)])
    for query in queries:  # warm-up
        for operation in operations.values():
            operation(query.q)
    samples: dict[str, list[float]] = {}
    gc.collect()
    for number in range(passes):
        progress(f"{index.size:,} procedures: pass {number + 1}/{passes}")
        for query in queries:
            for name, operation in operations.items():
                wall, cpu = _timed(lambda op=operation, q=query.q: op(q))
                samples.setdefault(name, []).append(wall)
                samples.setdefault(f"{name}_cpu", []).append(cpu)
    return {name: summarise_ms(values) for name, values in samples.items()}


def ratios(stats: dict[str, dict]) -> dict[str, float]:
    """Search and suggest p50 expressed in units of the trivial references' p50."""
    out = {}
    for op in ("search", "suggest"):
        for ref in ("ref_fold", "ref_dict_1000"):
            out[f"{op}_p50_over_{ref}_p50"] = round(stats[op]["p50_ms"] / stats[ref]["p50_ms"], 1)
    return out


def catalog_run(records: list[dict], queries: list[Query], label: str) -> dict[str, object]:
    progress(f"{label}: building the index over {len(records):,} procedures")
    built = build_index(records)
    index = built.index
    passes = PASSES.get(index.size, DEFAULT_PASSES)
    stats = measure(index, queries, passes)
    progress(f"{label}: measured", final=True)
    result: dict[str, object] = {
        "catalog_size": index.size,
        "entries_seconds": round(built.entries_seconds, 3),
        "build_seconds": round(built.build_seconds, 3),
        "passes": passes,
        "latency": stats,
        "ratios": ratios(stats),
    }
    if index.size > len(base_catalog()["procedures"]):
        outcomes = rank_queries(index, queries, same_national_code)
        result["quality_by_national_code"] = score(outcomes)
        result["misses_by_national_code"] = [
            {"q": o.query.q, "expected": o.query.expected, "got": o.top, "got_name": o.top_name}
            for o in outcomes
            if o.rank != 1
        ]
        result["fold_seconds"] = round(_fold_cost(records), 3)
    return result


def _fold_cost(records: list[dict]) -> float:
    """What fold() alone costs on the names and searchable text the build folds (diagnosis)."""
    fields = field_names(base_catalog())

    def text(r: dict) -> str:
        return " ".join([r.get("description", ""), *r.get("results", []), fields[r["field_code"]]])

    entries_text = [(r["name"], text(r)) for r in records]
    clock = Stopwatch()
    for name, body in entries_text:
        fold(name)
        fold(body)
    return clock.seconds


def run(size: int = SIZE_100K) -> dict[str, object]:
    queries = load_queries()
    national = base_catalog()["procedures"]
    note(f"latency: {len(queries)} queries, page of {PAGE_SIZE}, suggest limit {SUGGEST_LIMIT}")
    small = catalog_run(national, queries, "real catalog")
    clock = Stopwatch()
    records = synthetic_records(size)
    generated = clock.seconds
    large = catalog_run(records, queries, "synthetic catalog")
    large["generate_seconds"] = round(generated, 3)
    del records
    gc.collect()
    return {"catalogs": {str(small["catalog_size"]): small, str(large["catalog_size"]): large}}
