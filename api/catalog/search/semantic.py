"""The meaning path of search: a query's embedding against the distinct names' vectors.

Unaccented Vietnamese gets its marks back first (marks.py): the model reads "đăng ký khai
sinh", not "dang ky khai sinh". English and other foreign words are left as typed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from api.catalog.search.embedding import Embedder
from api.catalog.search.marks import MarkRestorer
from api.catalog.search.types import ProcedureEntry
from api.catalog.search.vectors import passage_vectors
from api.text import fold, has_marks

QUERY_CACHE = 4096
# Restore marks only when most words are Vietnamese ones the catalog knows (not English).
KNOWN_SHARE = 0.6
PHRASE_BETA = 1.0


PASSAGE_CHARS = 250  # of the description: enough for what the procedure is for


def passage_text(entry: ProcedureEntry) -> str:
    """What the model reads of a procedure: its name and the start of its description
    (tuning split: name and description found life events and English far better than the
    name alone, or the name with results and field)."""
    description = " ".join(entry.description.split())[:PASSAGE_CHARS]
    return f"{entry.name}. {description}" if description else entry.name


class MeaningIndex:
    def __init__(self, embedder: Embedder, passages: list[str], restorer: MarkRestorer) -> None:
        self.embedder = embedder
        self.restorer = restorer
        self.vectors = passage_vectors(embedder, passages)  # one row per distinct name
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._phrases: dict[str, np.ndarray] = {}

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
        found = self._phrases.get(phrase)
        if found is None:
            v = self.embedder.queries([self.restorer.restore(phrase)])[0]
            found = self._phrases[phrase] = v / max(float(np.linalg.norm(v)), 1e-6)
        return found

    def forget(self) -> None:
        """Drop the remembered query vectors (benchmarks time the model on every query)."""
        with self._lock:
            self._cache.clear()

    def similarities(self, query) -> np.ndarray:
        """Cosine of the query with every distinct name (float32, one per name)."""
        if isinstance(query, tuple) and query[0] == "P":
            _, raw, phrases = query
            extra = np.mean([self.phrase_vector(ph) for ph in phrases], axis=0)
            v = self.query_vector(raw) + PHRASE_BETA * extra
            return self.vectors @ (v / np.linalg.norm(v))
        if isinstance(query, tuple):
            v = sum(self.query_vector(q) for q in query)
            return self.vectors @ (v / np.linalg.norm(v))
        return self.vectors @ self.query_vector(query)
