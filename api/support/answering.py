"""Answering a support question: articles and procedures as candidates, then one rule.

When the best candidate is confident and clearly ahead, it is the answer; when it is only
likely, a few choices are offered; below that the citizen is told plainly there is no ready
answer and offered to ask an officer. Thresholds were set on the tuning set only
(benchmarks/support_questions_tuning.json) and are settings (SUPPORT_ANSWER_AT, ...) so an operator can move them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from api.catalog.search.index import Filters, SearchIndex
from api.kernel import settings
from api.kernel.settings import Settings
from api.support.models import ANSWER, CHOICES, FALLBACK
from api.support.retrieval import Hit
from api.support.words import query_variants

# Set on the tuning split (see the module docstring); never on the frozen test split.
# The defaults, for tests and benchmarks; an operator moves them in the settings.
ANSWER_AT = Settings.support_answer_at
CHOICES_AT = Settings.support_choices_at
MARGIN = Settings.support_margin  # the best must lead the next different target by this much
MAX_CHOICES = 3
PROCEDURE_DEPTH = 3
RANK_DISCOUNT = 0.12  # each place lower in the catalog's own ranking costs this much
ARTICLE, PROCEDURE = "article", "procedure"


@dataclass(frozen=True)
class Candidate:
    kind: str  # ARTICLE | PROCEDURE
    key: str  # slug or procedure code
    score: float
    procedure_code: str | None = None  # the procedure it is about, if any
    related: tuple[str, ...] = ()  # every procedure an article covers


@dataclass
class Decision:
    outcome: str  # ANSWER | CHOICES | FALLBACK
    candidates: list[Candidate] = field(default_factory=list)  # the answer, or the choices

    @property
    def top(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None


@dataclass(frozen=True)
class Thresholds:
    answer_at: float = ANSWER_AT
    choices_at: float = CHOICES_AT
    margin: float = MARGIN

    @classmethod
    def current(cls) -> Thresholds:
        return cls(
            settings.current().support_answer_at,
            settings.current().support_choices_at,
            settings.current().support_margin,
        )


def procedure_candidates(index: SearchIndex, text: str) -> list[Candidate]:
    """The catalog search's best procedures, each scored by how much of the question's
    informative words its name holds (IDF-weighted), less a little per rank."""
    # As typed, then without the filler and aspect words ("lệ phí ... bao nhiêu"), which can
    # keep a long question from matching any procedure name at all.
    positions: list[int] = []
    for query in dict.fromkeys([text, " ".join(query_variants(text)[0])]):
        for position in index.search(query, Filters(), 0, PROCEDURE_DEPTH).positions:
            if position not in positions and len(positions) < PROCEDURE_DEPTH:
                positions.append(position)
    if not positions:
        return []
    names = [set(index.folded_names[p].split()) for p in positions]
    unknown = max(index.idf.values(), default=1.0)
    found: list[Candidate] = []
    for rank, (position, name) in enumerate(zip(positions, names, strict=True)):
        best = 0.0
        for variant in query_variants(text):
            total = sum(index.idf.get(w, unknown) for w in variant)
            if not total:
                continue
            shared = sum(index.idf.get(w, unknown) for w in variant if w in name)
            best = max(best, shared / total)
        score = max(0.0, best - RANK_DISCOUNT * rank)
        code = index.codes[position]
        found.append(Candidate(PROCEDURE, code, round(score, 4), code))
    return found


def merge(
    articles: list[Hit],
    procedures: list[Candidate],
    article_procedures: Callable[[str], list[str]],
) -> list[Candidate]:
    """One ranked list of articles and procedures."""
    merged = []
    for hit in articles:
        codes = tuple(article_procedures(hit.key))
        merged.append(Candidate(ARTICLE, hit.key, hit.score, codes[0] if codes else None, codes))
    merged += procedures
    merged.sort(key=_order)
    return merged


def _order(c: Candidate) -> tuple:
    return (-c.score, c.kind != ARTICLE, c.key)


def same_target(a: Candidate, b: Candidate) -> bool:
    """An article about a procedure and that procedure are one answer, not two."""
    if (a.kind, a.key) == (b.kind, b.key):
        return True
    if a.procedure_code and a.procedure_code == b.procedure_code:
        return True
    return bool(
        (b.procedure_code and b.procedure_code in a.related)
        or (a.procedure_code and a.procedure_code in b.related)
    )


def decide(candidates: list[Candidate], thresholds: Thresholds | None = None) -> Decision:
    t = thresholds or Thresholds.current()
    ranked = sorted(candidates, key=_order)
    if not ranked or ranked[0].score < t.choices_at:
        return Decision(FALLBACK)
    top = ranked[0]
    others = [c for c in ranked[1:] if not same_target(top, c)]
    runner_up = others[0].score if others else 0.0
    if top.score >= t.answer_at and top.score - runner_up >= t.margin:
        return Decision(ANSWER, [_focused(top, ranked)])
    choices: list[Candidate] = []
    for candidate in ranked:
        if candidate.score < t.choices_at or any(same_target(c, candidate) for c in choices):
            continue
        choices.append(_focused(candidate, ranked))
        if len(choices) == MAX_CHOICES:
            break
    return Decision(CHOICES, choices)


def _focused(chosen: Candidate, ranked: list[Candidate]) -> Candidate:
    """An article covering several procedures answers about the one the question fits best."""
    if chosen.kind != ARTICLE or not chosen.related:
        return chosen
    best = next(
        (c for c in ranked if c.kind == PROCEDURE and c.procedure_code in chosen.related), None
    )
    if best is None:
        return chosen
    return Candidate(chosen.kind, chosen.key, chosen.score, best.procedure_code, chosen.related)
