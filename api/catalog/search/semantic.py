"""The meaning path of search: a query's embedding against the distinct names' vectors.

Unaccented Vietnamese gets its marks back first (marks.py): the model reads "đăng ký khai
sinh", not "dang ky khai sinh". English and other foreign words are left as typed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

import numpy as np

from api.catalog.search.embedding import Embedder
from api.catalog.search.english import glosses
from api.catalog.search.marks import MarkRestorer
from api.catalog.search.query import Lexicon, official_phrases
from api.catalog.search.types import ProcedureEntry
from api.catalog.search.vectors import passage_vectors
from api.kernel.text import fold, has_marks

QUERY_CACHE = 4096
# Restore marks only when most words are Vietnamese ones the catalog knows (not English).
KNOWN_SHARE = 0.6
# How much the official wording of a query's everyday phrases adds to its own reading, and
# of an English query's words (their mean vector, times this, added to the query's vector).
# Fitted on tuning set 2 half A (0.25-1.5 tried), checked on half B and the first tuning split.
PHRASE_SHARE = 0.5
ENGLISH_SHARE = 1.0
# How a name's texts are pooled (pooled()): 0 would be the best text alone. Chosen on the
# tuning split and half A (0.005-0.03; the meaning alone, hit@1 at 0.02: tuning 0.826 →
# 0.881, half A 0.873 → 0.934, half B 0.839 → 0.863 against the best text alone; with the
# words, see fusion.W_MEANING).
POOL_TEMPERATURE = 0.02
# Phrase vectors (the synonym list's and the English glossary's wording, a few hundred in
# all) are computed once per process and model, whatever the index.
_phrase_vectors: dict[tuple[str, str], np.ndarray] = {}


class Meant(NamedTuple):
    """What the meaning path reads of a query: the query and the official wording beside it."""

    query: str
    phrases: tuple[str, ...] = ()
    share: float = PHRASE_SHARE


PASSAGE_CHARS = 250  # of the description: enough for what the procedure is for


def passage_text(entry: ProcedureEntry) -> str:
    """What the model reads of a procedure: its name and the start of its description
    (tuning split: name and description found life events and English far better than the
    name alone, or the name with results and field)."""
    description = " ".join(entry.description.split())[:PASSAGE_CHARS]
    return f"{entry.name}. {description}" if description else entry.name


class MeaningIndex:
    def __init__(
        self,
        embedder: Embedder,
        passages: list[str],
        restorer: MarkRestorer,
        views: list[tuple[int, str]] = (),
    ) -> None:
        """``passages``: one text per distinct name; ``views``: (name, text) further texts of
        a name (its everyday situations): a name's similarity pools its texts' (pooled)."""
        self.embedder = embedder
        self.restorer = restorer
        self.vectors = passage_vectors(embedder, passages)  # one row per distinct name
        self.view_names = np.array([name for name, _ in views], np.int64)
        self.view_vectors = (
            passage_vectors(embedder, [text for _, text in views]) if views else None
        )
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def text_for(self, query: str) -> str:
        """What the model reads: the query with its marks restored when it is Vietnamese."""
        words = query.split()
        if not words or all(has_marks(w) or w.isdigit() for w in words):
            return query
        known = sum(1 for w in words if fold(w) in self.restorer.vocabulary)
        if known < KNOWN_SHARE * len(words):
            return query
        return self.restorer.restore(query)

    def is_foreign(self, query: str) -> bool:
        """English or another foreign language: no marks and few words Vietnamese knows."""
        words = query.split()
        if not words or has_marks(query):
            return False
        known = sum(1 for w in words if fold(w) in self.restorer.vocabulary)
        return known < KNOWN_SHARE * len(words)

    def query_vector(self, query: str) -> np.ndarray:
        key = " ".join(query.lower().split())
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        vector = self.embedder.queries([self.text_for(query)])[0]
        vector = vector / max(float(np.linalg.norm(vector)), 1e-6)
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > QUERY_CACHE:
                self._cache.popitem(last=False)
        return vector

    def phrase_vector(self, phrase: str) -> np.ndarray:
        """A phrase of the synonym list or glossary, read with its marks as a query."""
        key = (self.embedder.fingerprint, phrase)
        found = _phrase_vectors.get(key)
        if found is None:
            vector = self.embedder.queries([self.restorer.restore(phrase)])[0]
            found = vector / max(float(np.linalg.norm(vector)), 1e-6)
            with self._lock:
                _phrase_vectors[key] = found
        return found

    def forget(self) -> None:
        """Drop the remembered query vectors (benchmarks time the model on every query)."""
        with self._lock:
            self._cache.clear()

    def similarities(self, meant: Meant | str) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the query (with its phrases' wording) with every distinct name: its
        texts pooled (name and description, its everyday situations), and of its name and
        description alone (what the confidence was fitted on: a pool of several texts
        stands higher by chance)."""
        if isinstance(meant, str):
            meant = Meant(meant)
        vector = self.query_vector(meant.query)
        if meant.phrases:
            extra = np.mean([self.phrase_vector(p) for p in meant.phrases], axis=0)
            vector = vector + meant.share * extra
            vector = vector / max(float(np.linalg.norm(vector)), 1e-6)
        named = self.vectors @ vector
        if self.view_vectors is None:
            return named, named
        return pooled(named, self.view_names, self.view_vectors @ vector), named


def pooled(named: np.ndarray, view_names: np.ndarray, views: np.ndarray) -> np.ndarray:
    """Per name, a soft maximum of its texts' cosines (log-sum-exp at POOL_TEMPERATURE): the
    best text counts most, and several close texts count more than one lucky one."""
    cosines = np.concatenate([named, views])
    names = np.concatenate([np.arange(len(named)), view_names])
    peak = float(cosines.max())
    total = np.bincount(names, weights=np.exp((cosines - peak) / POOL_TEMPERATURE))
    return (peak + POOL_TEMPERATURE * np.log(total[: len(named)])).astype(np.float32)


def read_query(
    meaning: MeaningIndex | None,
    query: str,
    words: list[str],
    lexicon: Lexicon,
    marked: frozenset[str] | None = None,
) -> tuple[Meant, list[str]]:
    """What the meaning path reads: the query as typed (marks restored) and, beside it, the
    official wording of the everyday phrases it contains ("đẻ" → "thai sản"), or of an
    English query's words; for English, those words (folded) for the word path too.
    Tuning set 2 half A: reading the synonym rewrite alone lost the query's own words."""
    if meaning is not None and meaning.is_foreign(query):
        glossed = glosses(query)
        if glossed:
            return Meant(query, tuple(glossed), ENGLISH_SHARE), fold(" ".join(glossed)).split()
    return Meant(query, tuple(official_phrases(words, lexicon, marked))), []
