"""The same retrieval for any list of documents (the FAQ of user support, help pages...).

Each document is indexed like a procedure: its ``text`` (a question, a title) like a name,
its ``extra`` (the answer, keywords) like the description. A query gets the same lexical and
semantic fusion, mark restoration and calibrated "no close match" as the procedure search::

    faq = DocumentIndex([("q1", "Quên mật khẩu thì làm sao?", "Bấm «Quên mật khẩu»..."), ...])
    answer = faq.search("quen mat khau", limit=3)
    answer.ids          # best first (empty when not close)
    answer.close        # False: say so plainly and offer answer.suggestions as choices
    answer.confidence   # 0..1, calibrated on the procedure tuning split (close from 0.5)

Documents with the same ``text`` are treated as copies of one (like provincial copies of a
procedure): the first one's id stands for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from api.catalog.search.embedding import Embedder
from api.catalog.search.index import DEFAULT, SearchIndex
from api.catalog.search.query import Lexicon
from api.catalog.search.types import Filters, ProcedureEntry


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    extra: str = ""


@dataclass(frozen=True)
class DocumentAnswer:
    ids: list[str]  # the answers, best first; empty when nothing is close
    close: bool
    confidence: float
    suggestions: list[str] = field(default_factory=list)  # the nearest ids, close or not


class DocumentIndex:
    def __init__(
        self,
        documents: Iterable[Document | tuple[str, str] | tuple[str, str, str]],
        embedder: Embedder | None | str = DEFAULT,
        lexicon: Lexicon | None = None,
        min_confidence: float | None = None,
    ) -> None:
        """``min_confidence``: another bar for "close" than the procedure search's (0.5), once
        it is fitted on this document set's own tuning questions."""
        self.min_confidence = min_confidence
        entries = []
        for doc in documents:
            d = doc if isinstance(doc, Document) else Document(*doc)
            entries.append(
                ProcedureEntry(
                    code=d.id,
                    national_code=d.id,
                    name=d.text,
                    field_code="",
                    online_level="",
                    levels=(),
                    agencies=(),
                    subjects=(),
                    body=d.extra,
                    description=d.extra,
                )
            )
        self.index = SearchIndex(entries, lexicon=lexicon, embedder=embedder, situations={})

    def __len__(self) -> int:
        return self.index.size

    def search(self, query: str, limit: int = 5) -> DocumentAnswer:
        if not (query or "").strip() or not self.index.size:
            return DocumentAnswer([], False, 0.0)
        result = self.index.search(query, Filters(), 0, limit)
        codes = self.index.codes
        evidence = result.evidence
        confidence = float(evidence.confidence) if evidence else 0.0
        close = bool(evidence and evidence.close)
        if self.min_confidence is not None:
            close = confidence >= self.min_confidence
        shown = result.positions or (result.nearest if close else [])
        return DocumentAnswer(
            [codes[p] for p in shown[:limit]] if close else [],
            close,
            confidence,
            [codes[p] for p in result.nearest[:limit]],
        )
