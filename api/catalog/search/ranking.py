"""The order of the matches: words and meaning fused per distinct name, the evidence for the
best answer, and which names only the meaning path found (see fusion.py for the weights).
"""

from __future__ import annotations

import numpy as np

from api.catalog.search.fusion import (
    evidence_for,
    judge,
    meaning_candidates,
    meaning_close,
    meaning_weight,
)
from api.catalog.search.marks import words_of
from api.kernel.text import has_marks

RERANK_DEPTH = 60


def rank(index, query, scores, hits, mask, best_groups, needed: int):  # noqa: ANN001, ANN201
    """Order the matches. Re-ranking works on distinct names (a national procedure and its
    provincial variants share one), so one much-copied name cannot crowd out the rest;
    each name is shown once (national first) before any of its other variants. Names the
    meaning path finds join the word-based candidates; both kinds of evidence are added.
    Returns the order, the evidence for the best answer and the names only the meaning
    path found."""
    all_groups, _, meant = best_groups
    z, by_meaning, named = meaning_candidates(index, meant, mask)
    candidates = np.flatnonzero(hits)
    if len(candidates) == 0 and not by_meaning:
        return [], judge(0.0), [], set()
    name_of = index.name_id[candidates]
    best = np.full(index.name_count, -np.inf, np.float32)
    np.maximum.at(best, name_of, scores[candidates])
    names_hit = np.flatnonzero(best > -np.inf)
    order_of_names = names_hit[np.argsort(-best[names_hit], kind="stable")]
    depth = max(RERANK_DEPTH, needed)
    chosen = order_of_names[:depth].tolist()
    lexical = set(chosen)
    meaning_only = [n for n in by_meaning if best[n] == -np.inf]
    chosen += [n for n in by_meaning if n not in lexical and best[n] != -np.inf]
    chosen += meaning_only
    # A name's representative: its national procedure, else its best-scoring variant.
    nationals = candidates[index.is_national[candidates]]
    representative = dict(zip(index.name_id[nationals].tolist(), nationals.tolist(), strict=True))
    missing = [n for n in chosen if n not in representative]
    if meaning_only:
        # Names only the meaning path found: their procedures the filters allow.
        extra = np.flatnonzero(mask & np.isin(index.name_id, meaning_only))
        candidates = np.concatenate([candidates, extra])
        name_of = index.name_id[candidates]
        nationals = extra[index.is_national[extra]]
        representative.update(
            zip(index.name_id[nationals].tolist(), nationals.tolist(), strict=True)
        )
        missing = [n for n in chosen if n not in representative]
    if missing:
        subset = candidates[np.isin(name_of, missing)]
        subset = subset[np.argsort(-scores[subset], kind="stable")]
        names, first = np.unique(index.name_id[subset], return_index=True)
        representative.update(zip(names.tolist(), subset[first].tolist(), strict=True))
    raw_marked = {w for w in words_of(query) if has_marks(w)} if has_marks(query) else set()
    peak = (float(best[order_of_names[0]]) if len(order_of_names) else 0.0) or 1.0
    weight = meaning_weight(all_groups[0] if all_groups else [], len(query.split()))
    prepared = [index._prepare(g) for g in all_groups]
    final: dict[int, float] = {}
    for name in chosen:
        p = representative[name]
        features = index._rerank(p, prepared, raw_marked)
        final[p] = features + index._document_prior(p) + 0.6 * float(scores[p]) / peak
        if z is not None:
            final[p] += weight * float(z[name])
    ranked = sorted(final, key=lambda p: (-final[p], len(index.names[p]), index.codes[p]))
    evidence = evidence_for(index, ranked[0], all_groups, named, z, by_meaning)
    if needed > len(ranked) and len(candidates) > len(ranked):
        # Deep pages: the other names' best variants by score, then every other variant.
        by_score = candidates[np.argsort(-scores[candidates], kind="stable")]
        names, first = np.unique(index.name_id[by_score], return_index=True)
        best_variant = dict(zip(names.tolist(), by_score[first].tolist(), strict=True))
        rest = [representative.get(n, best_variant[n]) for n in order_of_names[depth:].tolist()]
        seen = set(ranked)
        ranked.extend(rest)
        seen.update(rest)
        if needed > len(ranked):
            ranked.extend(p for p in by_score.tolist() if p not in seen)
    # A name only the meaning path found joins the results when its meaning alone is close
    # (else it is only a suggestion); "zyxwvut" finding its one procedure stays one.
    weak = {n for n in meaning_only if not meaning_close(float(named[n]), float(z[n]))}
    if evidence.close:
        weak.discard(int(index.name_id[ranked[0]]))
    return ranked, evidence, [n for n in meaning_only if n not in weak], weak
