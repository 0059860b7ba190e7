"""The plain records search works with: what it keeps of a procedure, filters, results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ProcedureEntry:
    """What the index keeps of one procedure: enough to list it without touching the database."""

    code: str
    national_code: str
    name: str
    field_code: str
    online_level: str
    levels: tuple[str, ...]
    agencies: tuple[str, ...]
    subjects: tuple[str, ...]
    body: str = ""  # description, results and field name: searched, not kept
    description: str = ""  # what the meaning path reads beside the name (not kept)


@dataclass
class Filters:
    field: str | None = None
    online_level: str | None = None
    level: str | None = None
    agency: str | None = None
    subject: str | None = None


@dataclass
class SearchResult:
    positions: list[int]
    total: int
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    evidence: Any = None  # fusion.Evidence for the best answer (None when browsing)
    nearest: list[int] = field(default_factory=list)  # the best answers, close or not


@dataclass
class NameFacts:
    """A procedure name as re-ranking reads it: its folded words, where each occurs, and the
    variant markers it carries."""

    words: tuple[str, ...]
    word_set: frozenset[str]
    positions: dict[str, list[int]]
    markers: tuple[frozenset[str], ...]


@dataclass
class Prepared:
    groups: list[frozenset[str]]
    weights: list[float]
    weight_sum: float
    terms: frozenset[str]
