"""The second stage of ranking: how well a procedure's name itself fits the query (coverage,
word order, exact and prefix matches, extra words, variant markers)."""

from __future__ import annotations

from collections import defaultdict

from api.catalog.search.types import NameFacts, Prepared


def name_facts(folded_name: str, markers: tuple[frozenset[str], ...]) -> NameFacts:
    """What re-ranking reads from a folded name: its words and where each occurs."""
    words = tuple(folded_name.split())
    positions: dict[str, list[int]] = defaultdict(list)
    for i, w in enumerate(words):
        positions[w].append(i)
    return NameFacts(words, frozenset(words), dict(positions), markers)


def name_score(facts: NameFacts, query: Prepared | None) -> float:
    """The name's fit to one query variant (higher is better)."""
    if query is None:
        return 0.0
    name_words, name_set, index_of = facts.words, facts.word_set, facts.positions
    hits = [not g.isdisjoint(name_set) for g in query.groups]
    coverage = sum(w for w, h in zip(query.weights, hits, strict=True) if h) / query.weight_sum
    # Consecutive query words found consecutively in the name.
    pairs = 0
    for a, b in zip(query.groups, query.groups[1:], strict=False):
        starts = {i + 1 for t in a for i in index_of.get(t, ())}
        if any(i in starts for t in b for i in index_of.get(t, ())):
            pairs += 1
    order = pairs / max(len(query.groups) - 1, 1)
    extra = len(name_words) - sum(map(query.terms.__contains__, name_words))
    markers = sum(1 for marker in facts.markers if not marker <= query.terms)
    exact = all(hits) and extra == 0
    prefix = all(i < len(name_words) and name_words[i] in g for i, g in enumerate(query.groups))
    return (
        2.0 * coverage
        + 1.0 * order
        + 1.5 * exact
        + 0.5 * prefix
        - 0.03 * min(extra, 15)
        - 0.35 * markers
    )
