"""Building blocks of the search index: compact postings and per-document categories.

Plain arrays (8 bytes a posting) rather than Python objects, so a 100,000-procedure catalog
stays small in every API worker.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from api.kernel.text import fold

K1 = 1.2


@dataclass
class Postings:
    ids: np.ndarray  # int32 document positions
    weights: np.ndarray  # float32 BM25 term-frequency saturation, without IDF


def count_terms(table: dict[str, tuple[array, array]], doc: int, words: list[str]) -> None:
    # Two flat int arrays per term (8 bytes a posting) instead of a tuple per posting.
    for term, count in Counter(words).items():
        ids, counts = table.get(term) or table.setdefault(term, (array("i"), array("i")))
        ids.append(doc)
        counts.append(count)


def postings(table, lengths: np.ndarray, average: float, b: float) -> dict[str, Postings]:  # noqa: ANN001
    out: dict[str, Postings] = {}
    for term in list(table):
        raw_ids, raw_counts = table.pop(term)  # free as we go
        ids = np.frombuffer(raw_ids, dtype=np.int32).copy()
        tf = np.frombuffer(raw_counts, dtype=np.int32).astype(np.float32)
        norm = 1 - b + b * lengths[ids] / average
        out[term] = Postings(ids, (tf * (K1 + 1) / (tf + K1 * norm)).astype(np.float32))
    return out


class Categories:
    """One value per document (field, online level) as small integer codes."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.ix = array("i")

    def add(self, value: str) -> None:
        self.ix.append(self.codes.setdefault(value, len(self.codes)))

    def finish(self) -> tuple[list[str], np.ndarray]:
        return list(self.codes), np.frombuffer(self.ix, dtype=np.int32).copy()


class Pairs:
    """Many values per document (agencies, subjects) as (document, value) integer pairs."""

    def __init__(self) -> None:
        self.names: dict[str, int] = {}
        self.docs = array("i")
        self.items = array("i")

    def add(self, doc: int, values: Iterable[str]) -> None:
        for name in values:
            self.docs.append(doc)
            self.items.append(self.names.setdefault(name, len(self.names)))

    def finish(self) -> tuple[list[str], tuple[np.ndarray, np.ndarray]]:
        return list(self.names), (
            np.frombuffer(self.docs, dtype=np.int32).copy(),
            np.frombuffer(self.items, dtype=np.int32).copy(),
        )


def category_mask(codes: list[str], ix: np.ndarray, value: str) -> np.ndarray:
    try:
        return ix == codes.index(value)
    except ValueError:
        return np.zeros(len(ix), bool)


def pair_mask(folded_names: list[str], pairs, wanted: str, n: int) -> np.ndarray:
    """Procedures with an agency (or subject) whose name contains the wanted words."""
    needle = fold(wanted)
    chosen = np.array([i for i, name in enumerate(folded_names) if needle in name], np.int32)
    mask = np.zeros(n, bool)
    if len(chosen):
        docs, items = pairs
        mask[docs[np.isin(items, chosen)]] = True
    return mask


def counts(codes: list[str], ix: np.ndarray, mask: np.ndarray) -> dict[str, int]:
    counts = np.bincount(ix[mask], minlength=len(codes))
    return {code: int(c) for code, c in zip(codes, counts, strict=True) if c}
