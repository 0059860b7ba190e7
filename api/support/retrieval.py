"""Article retrieval: the one place that decides which FAQ articles fit a question.

``retrieve_articles(query, limit)`` is the seam: the answering asks it and nothing else, so
the merge can point it at the shared semantic engine of procedure search. Today it is an
IDF-weighted word match over each article's title and question variants (with the catalog's
synonyms and one-letter typos), giving a score in [0, 1] that the thresholds read.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA
from sqlalchemy import func, select

from api.kernel.database import db
from api.support.models import PUBLISHED, Article
from api.support.words import phrase_words, query_variants

TYPO_WEIGHT = 0.8
PHRASING_SHARE = 0.6  # best single phrasing vs the whole article's words


@dataclass(frozen=True)
class ArticleDoc:
    key: str  # the article's slug
    phrasings: tuple[str, ...]  # title and question variants
    text: str = ""  # short answer and keywords: searched with a lower say


@dataclass(frozen=True)
class Hit:
    key: str
    score: float  # 0..1


class ArticleMatcher:
    """An in-memory match over a set of articles (rebuilt when articles change)."""

    def __init__(self, docs: Iterable[ArticleDoc]) -> None:
        self.docs = list(docs)
        self._phrasings = [[set(phrase_words(p)) for p in d.phrasings] for d in self.docs]
        self._bags = [
            set().union(*ps, phrase_words(d.text)) if ps else set(phrase_words(d.text))
            for ps, d in zip(self._phrasings, self.docs, strict=True)
        ]
        n = max(len(self.docs), 1)
        df: dict[str, int] = {}
        for bag in self._bags:
            for word in bag:
                df[word] = df.get(word, 0) + 1
        self.idf = {w: math.log(1 + (n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self._unknown = math.log(1 + (n + 0.5) / 0.5)
        self._vocab = sorted(self.idf)

    def _weight(self, word: str) -> float:
        return self.idf.get(word, self._unknown)

    def _resolve(self, words: list[str]) -> list[tuple[str, float]]:
        """Each query word as a vocabulary word (itself, or a one-letter slip of a long word)
        with how much it counts."""
        out = []
        for word in dict.fromkeys(words):
            if word in self.idf or len(word) < 5:
                out.append((word, 1.0))
                continue
            near = [v for v in self._vocab if abs(len(v) - len(word)) <= 1 and len(v) >= 5]
            best = next((v for v in near if OSA.distance(v, word) <= 1), None)
            out.append((best, TYPO_WEIGHT) if best else (word, 1.0))
        return out

    def _score(self, query: list[tuple[str, float]], index: int) -> float:
        if not query:
            return 0.0
        q_weight = sum(self._weight(w) for w, _ in query)
        bag = self._bags[index]
        covered = sum(self._weight(w) * f for w, f in query if w in bag)
        coverage = covered / q_weight if q_weight else 0.0
        best = 0.0
        for phrasing in self._phrasings[index]:
            if not phrasing:
                continue
            shared = sum(self._weight(w) * f for w, f in query if w in phrasing)
            p_weight = sum(self._weight(w) for w in phrasing)
            best = max(best, 2 * shared / (q_weight + p_weight))
        return PHRASING_SHARE * best + (1 - PHRASING_SHARE) * coverage

    def search(self, text: str, limit: int = 5) -> list[Hit]:
        best: dict[int, float] = {}
        for variant in query_variants(text):
            query = self._resolve(variant)
            for i in range(len(self.docs)):
                score = self._score(query, i)
                if score > best.get(i, 0.0):
                    best[i] = score
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], self.docs[kv[0]].key))
        return [Hit(self.docs[i].key, round(s, 4)) for i, s in ranked[:limit] if s > 0]


def docs_from_articles(articles: Iterable) -> list[ArticleDoc]:  # noqa: ANN001 - rows or dicts
    docs = []
    for a in articles:
        get = a.get if isinstance(a, dict) else lambda k, _a=a: getattr(_a, k)
        phrasings = (get("title_vi"), get("title_en") or "", *(get("variants") or []))
        docs.append(ArticleDoc(get("slug"), tuple(p for p in phrasings if p), get("short_vi")))
    return docs


_cache: dict[str, object] = {}
_lock = threading.Lock()


def _published_matcher() -> ArticleMatcher:

    stamp = db.session.execute(
        select(
            func.count(Article.id), func.max(Article.updated_at), func.sum(Article.version)
        ).where(Article.status == PUBLISHED)
    ).one()
    key = repr(tuple(stamp))
    with _lock:
        if _cache.get("key") != key:
            rows = db.session.scalars(select(Article).where(Article.status == PUBLISHED))
            _cache["matcher"] = ArticleMatcher(docs_from_articles(rows))
            _cache["key"] = key
        return _cache["matcher"]  # type: ignore[return-value]


def retrieve_articles(query: str, limit: int = 5) -> list[Hit]:
    """Published articles that fit ``query``, best first, each with a score in [0, 1]."""
    return _published_matcher().search(query, limit)
