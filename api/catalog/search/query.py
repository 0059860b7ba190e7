"""Understanding what a citizen typed: folding, stop phrases, synonyms, typo alternatives.

A query becomes one or more *variants* (as typed, and with each synonym applied); each
variant is a list of *groups*, one per word, holding the vocabulary terms that may stand for
that word (itself, or near spellings when the word is not in the vocabulary).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from api.kernel.text import fold, has_marks, normalise_vietnamese

SYNONYMS_FILE = Path(__file__).resolve().parents[2] / "data" / "search_synonyms.json"
MAX_VARIANTS = 4
_WORD = re.compile(r"\w+", re.UNICODE)
_CONFUSABLE_INITIALS = (
    ("tr", "ch"),
    ("ch", "tr"),
    ("s", "x"),
    ("x", "s"),
    ("gi", "d"),
    ("d", "gi"),
    ("r", "d"),
    ("d", "r"),
    ("l", "n"),
    ("n", "l"),
)


@dataclass(frozen=True)
class Lexicon:
    phrases: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    longest: int
    stopwords: frozenset[str]
    stop_phrases: tuple[tuple[str, ...], ...]
    variant_markers: tuple[tuple[str, ...], ...] = ()
    # Phrases written with their marks ("đẻ", "chùa"): their folded form is also a common
    # other word ("để", "chưa"), so they apply only where the query means them (see means).
    senses: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)


@lru_cache(maxsize=1)
def load_lexicon(path: str = str(SYNONYMS_FILE)) -> Lexicon:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    phrases = {
        tuple(fold(key).split()): tuple(tuple(fold(alt).split()) for alt in alts)
        for key, alts in data.get("phrases", {}).items()
    }
    return Lexicon(
        phrases=phrases,
        longest=max((len(k) for k in phrases), default=1),
        stopwords=frozenset(fold(w) for w in data.get("stopwords", [])),
        stop_phrases=tuple(
            sorted(
                (tuple(fold(p).split()) for p in data.get("stop_phrases", [])),
                key=len,
                reverse=True,
            )
        ),
        variant_markers=tuple(tuple(fold(m).split()) for m in data.get("variant_markers", [])),
        senses={
            tuple(fold(key).split()): tuple(normalise_vietnamese(key).split())
            for key in data.get("phrases", {})
            if has_marks(key)
        },
    )


def means(sense: tuple[str, ...], marked: frozenset[str] | None) -> bool:
    """Whether a query whose words are ``marked`` (as typed, or with their marks put back)
    means the marked phrase ``sense``. Someone who types marks types them all: "để lại" is
    not "đẻ", and "ngón tay" is not "Tây". Without marks anywhere it may be meant."""
    if marked is None or not any(has_marks(w) for w in marked):
        return True
    return all(word in marked for word in sense)


def _drop_stop_phrases(words: list[str], lexicon: Lexicon) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase in lexicon.stop_phrases:
            if tuple(words[i : i + len(phrase)]) == phrase:
                i += len(phrase)
                break
        else:
            out.append(words[i])
            i += 1
    return out


def clean_words(text: str, lexicon: Lexicon | None = None) -> list[str]:
    """Folded words with filler phrases ("thủ tục", "như thế nào") removed.

    Filler is kept when nothing else would remain, so "thủ tục" alone still searches.
    """
    lexicon = lexicon or load_lexicon()
    words = fold(text).split()
    return _drop_stop_phrases(words, lexicon) or words


def drop_stopwords(words: list[str], lexicon: Lexicon | None = None) -> list[str]:
    """Single filler words ("tôi", "xin", "làm") go after synonyms had a chance to use them."""
    lexicon = lexicon or load_lexicon()
    return [w for w in words if w not in lexicon.stopwords] or words


Span = tuple[int, int, tuple[tuple[str, ...], ...]]


def _spans(words: list[str], lexicon: Lexicon, marked: frozenset[str] | None = None) -> list[Span]:
    """Known phrases in ``words``, left to right, longest first: (start, end, alternatives).
    ``marked``: the query's words with their marks (see means)."""
    spans: list[Span] = []
    i = 0
    while i < len(words):
        for size in range(min(lexicon.longest, len(words) - i), 0, -1):
            key = tuple(words[i : i + size])
            alternatives = lexicon.phrases.get(key)
            sense = lexicon.senses.get(key)
            if alternatives and (sense is None or means(sense, marked)):
                spans.append((i, i + size, alternatives))
                i += size
                break
        else:
            i += 1
    return spans


def official_phrases(
    words: list[str], lexicon: Lexicon | None = None, marked: frozenset[str] | None = None
) -> list[str]:
    """The official wording (first alternative) of each known phrase in ``words``."""
    lexicon = lexicon or load_lexicon()
    return [" ".join(alts[0]) for _, _, alts in _spans(words, lexicon, marked)]


def marked_words(text: str) -> frozenset[str]:
    """The words of ``text`` as typed, with their marks (lower case)."""
    return frozenset(_WORD.findall(normalise_vietnamese(text)))


def variants(
    words: list[str], lexicon: Lexicon | None = None, marked: frozenset[str] | None = None
) -> list[list[str]]:
    """The words as typed, plus rewrites where known phrases are replaced by official wording.

    Phrases are found left to right, longest first. Variants: every phrase rewritten (with
    each phrase's first alternatives), then each phrase rewritten alone, up to MAX_VARIANTS.
    """
    lexicon = lexicon or load_lexicon()
    spans = _spans(words, lexicon, marked)
    results: list[list[str]] = [list(words)]

    def rewrite(chosen: dict[int, tuple[str, ...]]) -> list[str]:
        out: list[str] = []
        position = 0
        for start, end, _ in spans:
            out.extend(words[position:start])
            out.extend(chosen.get(start, words[start:end]))
            position = end
        out.extend(words[position:])
        return out

    candidates = []
    if spans:
        for alt in spans[0][2]:
            candidates.append(
                rewrite(
                    {start: (alt if start == spans[0][0] else alts[0]) for start, _, alts in spans}
                )
            )
    if len(spans) > 1:
        for start, _, alts in spans:
            for alt in alts:
                candidates.append(rewrite({start: alt}))
    for candidate in candidates:
        if candidate not in results:
            results.append(candidate)
    out: list[list[str]] = []
    for variant in results:
        variant = drop_stopwords(variant, lexicon)
        if variant not in out:
            out.append(variant)
    return out[:MAX_VARIANTS]


def confusions(word: str) -> list[str]:
    """Spellings of ``word`` with an initial people confuse (tr/ch, s/x, d/gi/r, l/n)."""
    return [new + word[len(old) :] for old, new in _CONFUSABLE_INITIALS if word.startswith(old)]
