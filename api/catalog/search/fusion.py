"""Words and meaning together: how the two kinds of evidence are weighed, and when the best
answer is not close enough to be offered as the answer.

Every weight and threshold here was set on the tuning split (benchmarks/search_queries.json,
search_queries_tuning_extra.json and chat_messages.json) and never on the frozen test split.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from api.catalog.search.types import NameFacts

# A name's meaning score is its cosine standardised over all distinct names (how far above the
# crowd it stands), times this weight, added to the word-based re-ranking score (0..~5.5).
W_MEANING = 1.0
# ... and more when few of the query's words are catalog words as typed (English, everyday
# words): then the word evidence is mostly typo guesses.
W_MEANING_UNKNOWN = 2.0
# Refitted on tuning set 2 half A (W_MEANING 0.3-9, W_MEANING_UNKNOWN 0-3.5): these values
# stay best with the first tuning split; reciprocal rank fusion (k 5-60, meaning weight
# 0.2-0.8) lost to this score fusion on both (half A hit@1 0.64-0.70 against 0.81). With the
# names' texts pooled (semantic.pooled) the meaning reads better and W_MEANING went 0.6 → 1.0:
# on the tuning split and half A together 362-366 of 384 first for W_MEANING 0.8-1.2 and
# pooling temperatures 0.01-0.02, a flat top whose middle was taken (0.6: 361).
# ... and more for a long query: a life event told as a story shares many common words
# ("con", "bố", "xe") with names it is not about, and its meaning says more than any of
# them. Grows from nothing at LONG_QUERY words by W_MEANING_LONG over the next LONG_QUERY.
# Chosen on the tuning split, half A and tuning set 3 (the weight added for z times
# min((words - L) / 6, cap)): 595 of 640 first before; 598-600 for L 4-8, weights 0.5-2.5
# and caps 1, 2 or none, a flat top whose middle was taken (L 6, 1.5, cap 1: 600; half B,
# figures only, 138 → 140).
W_MEANING_LONG = 1.5
LONG_QUERY = 6
# Names the meaning path adds to the word-based candidates.
MEANING_DEPTH = 24
# Confidence: a logistic of the words found in the best name, its raw cosine with the query,
# how far it stands above the crowd and above the next name; below CLOSE the answer is "no
# close match" (with the nearest fields and suggestions). Fitted on the tuning split's right
# answers against its off-topic queries (kind "none"): 98 % of right answers are close, 1 of
# 12 off-topic queries is. Refitted (C_GAP 2.0 → 1.0, C_BIAS -5.4 → -6.2) when each procedure
# got short everyday messages as views (situations.py): the best of many texts stands further
# above the crowd, and 3 of 12 off-topic queries had become close; on the tuning split and
# half A again 1 of 12 off-topic and 350 of 353 right answers first are close (the grid:
# C_STANDING 0.3-0.5, C_GAP 1-3, C_BIAS -5.4 to -7.0; with the second writer's messages too,
# 1 of 12 and 350 of 354; with the texts pooled, 1 of 12 and 362 of 365). Set for
# multilingual-e5-small: another model needs a new fit.
C_WORDS, C_COSINE, C_STANDING, C_GAP, C_BIAS = 2.0, 60.0, 0.5, 1.0, -6.2
COSINE_FLOOR = 0.8
# Without the meaning path, only the words can say: most of the query's words in the name.
WORDS_ALONE_CLOSE = 0.5
CLOSE = 0.5
# Every word of the query that the catalog knows is in the name: close whatever the model
# thinks (typos and telex leftovers blur the model's reading, not the words').
ALL_WORDS = 0.99


@dataclass(frozen=True)
class Evidence:
    words: float  # IDF share of the query's known words found as such in the best name
    meaning: float  # the best name's standardised similarity (0 without the meaning path)
    confidence: float
    close: bool
    cosine: float = 0.0
    gap: float = 0.0  # standing above the next-best name by meaning


def standardise(similarities: np.ndarray) -> np.ndarray:
    """Cosines as standard scores over all names: a multilingual model's cosines sit in a
    narrow band (0.75-0.9), what matters is how far one name stands above the rest."""
    if len(similarities) < 2:
        return np.zeros_like(similarities)
    spread = float(similarities.std()) or 1.0
    return (similarities - float(similarities.mean())) / spread


def meaning_weight(groups: list[list[tuple[str, float]]], words: int = 0) -> float:
    """The meaning path's weight for a query, from its words as typed (one group a word)
    and how many words were typed."""
    longer = W_MEANING_LONG * min(max(0, words - LONG_QUERY) / LONG_QUERY, 1.0)
    if not groups:
        return W_MEANING + W_MEANING_UNKNOWN + longer
    known = sum(1 for g in groups if g and g[0][1] == 1.0) / len(groups)
    return W_MEANING + W_MEANING_UNKNOWN * (1.0 - known) + longer


def word_share(facts: NameFacts, variants: list[list[str]], idf: dict[str, float]) -> float:
    """The best share, over the query's variants (as typed, or rewritten by the synonym
    list; typo guesses do not count), of the query's information the name contains."""
    best = 0.0
    for words in variants:
        total = sum(idf.get(w, 1.0) for w in words)
        if total > 0:
            found = sum(idf[w] for w in words if w in facts.word_set and w in idf)
            best = max(best, found / total)
    return best


def meaning_close(cosine: float, standing: float) -> bool:
    """A name close by its meaning alone (no words shared, no lead over the next name)."""
    return C_COSINE * (cosine - COSINE_FLOOR) + C_STANDING * standing + C_BIAS >= 0


def judge(
    words: float, meaning: float | None = None, cosine: float = 0.0, gap: float = 0.0
) -> Evidence:
    """Evidence for the best answer; ``meaning`` None when there is no meaning path."""
    if meaning is None:
        close = words >= WORDS_ALONE_CLOSE
        return Evidence(round(words, 4), 0.0, round(words, 4), close)
    score = (
        C_WORDS * words
        + C_COSINE * (cosine - COSINE_FLOOR)
        + C_STANDING * meaning
        + C_GAP * gap
        + C_BIAS
    )
    confidence = 1.0 / (1.0 + math.exp(-score))
    if words >= ALL_WORDS:
        confidence = max(confidence, CLOSE)
    return Evidence(
        round(words, 4),
        round(meaning, 4),
        round(confidence, 4),
        confidence >= CLOSE,
        round(cosine, 4),
        round(gap, 4),
    )


def evidence_for(index, top: int, all_groups, cosines, z, by_meaning) -> Evidence:  # noqa: ANN001
    """How sure the best answer is: its words and its meaning (see fusion.judge)."""
    words = [[g[0][0] for g in groups if g and g[0][1] == 1.0] for groups in all_groups]
    share = word_share(index._name_facts(top), words, index.idf)
    if z is None:
        return judge(share)
    name = int(index.name_id[top])
    others = [float(z[n]) for n in by_meaning[:2] if n != name]
    gap = float(z[name]) - (others[0] if others else 0.0)
    return judge(share, float(z[name]), float(cosines[name]), gap)


def meaning_candidates(index, query: str, mask: np.ndarray):  # noqa: ANN001, ANN201
    """Per distinct name: how far its cosine with the query (its texts pooled) stands
    above the crowd; the best names by meaning among those the filters allow; and the cosine
    of the name and description alone, which the confidence reads: it was fitted on one text
    a name, and a pool of several texts stands higher by chance (on the tuning split, only
    so did chatter and off-topic queries stay apart from procedures)."""
    if index.meaning is None:
        return None, [], None
    cosines, named = index.meaning.similarities(query)
    z = standardise(cosines)
    allowed = np.zeros(index.name_count, bool)
    allowed[index.name_id[mask]] = True
    ranked = np.flatnonzero(allowed)
    if len(ranked) > MEANING_DEPTH:
        ranked = ranked[np.argpartition(-z[ranked], MEANING_DEPTH)[:MEANING_DEPTH]]
    return z, ranked[np.argsort(-z[ranked], kind="stable")].tolist(), named
