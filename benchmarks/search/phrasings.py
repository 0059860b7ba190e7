"""Unseen phrasings of the query set: the same questions asked in words not sent before.

A per-process answer cache makes a repeated query nearly free, so the query set cycled over
and over measures cache hits. These variants wrap each query in filler citizens really type
("thủ tục ...", "... ở đâu", "tôi muốn ...") that the search drops as stop words, with and
without diacritics: the ranking work is that of the original query, but every string (even
folded) is new, so no answer cache can have seen it.
"""

from __future__ import annotations

import random

from api.kernel.text import fold, strip_marks
from benchmarks.harness.common import Query

PREFIXES = (
    "",
    "thủ tục",
    "hướng dẫn",
    "cách",
    "tôi muốn",
    "xin",
    "mình muốn",
    "em muốn",
    "làm sao",
)
SUFFIXES = (
    "", "như thế nào", "ở đâu", "cần giấy tờ gì", "mất bao lâu", "hết bao nhiêu tiền",
    "làm thế nào", "ra sao", "cần những gì", "phải làm gì", "bao nhiêu tiền", "nhé", "ạ",
)  # fmt: skip


def unseen_queries(queries: list[Query], count: int, seed: int = 2) -> list[str]:
    """``count`` distinct phrasings (distinct after folding too), none equal to a query of the
    set, in a shuffled but reproducible order. Raises if the set cannot give that many."""
    seen = {fold(q.q) for q in queries}
    out: list[str] = []
    for query in queries:
        for prefix in PREFIXES:
            for suffix in SUFFIXES:
                text = f"{prefix} {query.q} {suffix}".strip()
                for variant in (text, strip_marks(text)):
                    key = fold(variant)
                    if key not in seen:
                        seen.add(key)
                        out.append(variant)
    if len(out) < count:
        raise ValueError(f"only {len(out)} unseen phrasings, {count} wanted")
    random.Random(seed).shuffle(out)
    return out[:count]
