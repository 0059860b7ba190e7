"""Type-ahead: procedure names as the citizen types them (the last word may be unfinished).

The same index and engine as the search: words first; when they find nothing in the names,
the search's own answer (words and meaning together) if it is close.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from api.catalog.search.query import clean_words, variants
from api.catalog.search.types import Filters
from api.kernel.text import fold

if TYPE_CHECKING:
    from api.catalog.search.index import SearchIndex

RERANK_DEPTH = 60
# Whole words typed before the meaning path is asked (a first word alone is still unfinished).
MEANING_FROM_WORDS = 2


def suggest(index: SearchIndex, query: str, limit: int = 10) -> list[int]:
    """At most ``limit`` distinct names for what is typed so far (the last word may be
    unfinished); when the words find nothing, the search engine's own close answers."""
    words = clean_words(query, index.lexicon)
    if not words:
        return []
    out = _by_words(index, query, words, limit)
    if out or len(words) < MEANING_FROM_WORDS:
        return out
    # Nothing in the names starts like this: a phrase ("nhà có người mất"), English...
    return index.search(query, Filters(), 0, limit).positions


def _by_words(index: SearchIndex, query: str, words: list[str], limit: int) -> list[int]:
    best = np.zeros(index.size, np.float32)
    matched = np.zeros(index.size, bool)
    all_groups = []
    for variant in variants(words, index.lexicon, index.marked(query)):
        groups = index._groups(variant, prefix_last=True)
        all_groups.append(groups)
        # Type-ahead narrows as the citizen types: every word must be in the name.
        score, ok = index._score_variant(groups, name_only=True, min_coverage=1.0)
        better = score > best
        best = np.where(better, score, best)
        matched |= ok & (score > 0)
    candidates = np.flatnonzero(matched)
    if len(candidates) > RERANK_DEPTH:
        candidates = candidates[np.argpartition(-best[candidates], RERANK_DEPTH)[:RERANK_DEPTH]]
    typed = fold(query)
    judged: dict[str, float] = {}
    prepared = [index._prepare(g) for g in all_groups]
    for p in candidates.tolist():
        if index.names[p] not in judged:
            judged[index.names[p]] = index._rerank(p, prepared, set())
    ranked = sorted(
        candidates.tolist(),
        key=lambda p: (
            not index.folded_names[p].startswith(typed),
            -(judged[index.names[p]] + index._document_prior(p)),
            len(index.folded_names[p]),
            not index.is_national[p],
        ),
    )
    seen: set[str] = set()
    out: list[int] = []
    for p in ranked:
        if index.names[p] in seen:
            continue  # provincial variants share the national name
        seen.add(index.names[p])
        out.append(p)
        if len(out) == limit:
            break
    return out
