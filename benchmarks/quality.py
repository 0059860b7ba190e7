"""Part 1, search quality: hit@1 and MRR@10 on the development query set, per kind too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from api.catalog.search.index import Filters, SearchIndex
from benchmarks.common import Query, load_queries, note
from benchmarks.synthetic import base_catalog, build_index

DEPTH = 10


@dataclass
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the expected procedure within the top DEPTH
    top: str | None  # what came first
    top_name: str | None


Matcher = Callable[[str, str], bool]


def exact_code(got: str, expected: str) -> bool:
    return got == expected


def same_national_code(got: str, expected: str) -> bool:
    """A provincial variant ("1.011954.000.00.00.H07") counts for its national procedure."""
    return got[:8] == expected


def rank_queries(
    index: SearchIndex, queries: list[Query], same: Matcher = exact_code, depth: int = DEPTH
) -> list[Outcome]:
    outcomes = []
    for query in queries:
        positions = index.search(query.q, Filters(), 0, depth).positions
        codes = [index.codes[p] for p in positions]
        rank = next((i for i, code in enumerate(codes, 1) if same(code, query.expected)), None)
        top = positions[0] if positions else None
        outcomes.append(
            Outcome(
                query,
                rank,
                index.codes[top] if top is not None else None,
                index.names[top] if top is not None else None,
            )
        )
    return outcomes


def score(outcomes: list[Outcome]) -> dict[str, float | int]:
    n = len(outcomes)
    hits = sum(1 for o in outcomes if o.rank == 1)
    reciprocal = sum(1.0 / o.rank for o in outcomes if o.rank)
    return {
        "n": n,
        "hit_at_1": round(hits / n, 4) if n else 0.0,
        "mrr_at_10": round(reciprocal / n, 4) if n else 0.0,
        "hits": hits,
    }


def misses(outcomes: list[Outcome], names: dict[str, str]) -> list[dict[str, object]]:
    return [
        {
            "q": o.query.q,
            "kind": o.query.kind,
            "expected": o.query.expected,
            "expected_name": names.get(o.query.expected, "?"),
            "got": o.top,
            "got_name": o.top_name,
            "expected_rank": o.rank,
        }
        for o in outcomes
        if o.rank != 1
    ]


def evaluate(
    index: SearchIndex, queries: list[Query], same: Matcher = exact_code
) -> dict[str, object]:
    outcomes = rank_queries(index, queries, same)
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_kind[outcome.query.kind].append(outcome)
    names = {r["code"]: r["name"] for r in base_catalog()["procedures"]}
    return {
        "overall": score(outcomes),
        "per_kind": {kind: score(items) for kind, items in sorted(by_kind.items())},
        "misses": misses(outcomes, names),
    }


def run() -> dict[str, object]:
    queries = load_queries()
    records = base_catalog()["procedures"]
    note(f"search_quality: {len(queries)} queries over {len(records)} procedures")
    built = build_index(records)
    result = evaluate(built.index, queries)
    return {"catalog_size": built.index.size, "depth": DEPTH, **result}
