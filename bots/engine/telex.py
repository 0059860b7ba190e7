"""Telex leftovers: words typed for a Vietnamese keyboard that did not convert.

"ddawng kys" was meant as "đăng ký": doubled letters (aa, ee, oo, dd), w after a vowel, and a
tone key (s f r x j) left inside or after the word. A word is rewritten only when it is not a
Vietnamese syllable as typed and becomes one once the keys are taken out, so ordinary words
and abbreviations are left alone; so is a message in English (looks_foreign), whose "turn",
"this" and "yes" would otherwise become "tun", "thi" and "ye".
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from functools import lru_cache

_INITIAL = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_VOWELS = r"(?:[aeiouy]{1,3})"
_FINAL = r"(?:ch|ng|nh|[cmnptiyou])?"
_SYLLABLE = re.compile(f"^{_INITIAL}{_VOWELS}{_FINAL}$")
_TONE_KEYS = "sfrxj"
_DOUBLES = re.compile(r"(aa|ee|oo)")


def is_syllable(word: str) -> bool:
    """A folded Vietnamese syllable shape ("dang", "nghieng"; not "gplx", "thanks")."""
    return bool(_SYLLABLE.match(word))


@lru_cache(maxsize=4096)
def untelex(word: str) -> str:
    """ "ddawng" → "dang", "kys" → "ky", "vieejt" → "viet"; other words unchanged."""
    if len(word) < 2 or not word.isalpha() or is_syllable(word):
        return word
    plain = word[1:] if word.startswith("dd") else word
    plain = _DOUBLES.sub(lambda m: m.group(0)[0], plain)
    plain = re.sub(r"([aou])w", r"\1", plain)
    if plain != word and is_syllable(plain):
        return plain
    # One tone key, anywhere after the first letter.
    for i in range(len(plain) - 1, 0, -1):
        if plain[i] in _TONE_KEYS:
            candidate = plain[:i] + plain[i + 1 :]
            if is_syllable(candidate):
                return candidate
    return word


# A message is foreign when this share of its words are neither Vietnamese syllables nor
# telex leftovers of one ("please", "dossier", "alerts"). Not fitted: English messages of the
# chat sets have well over half such words, Vietnamese ones a loan word or two ("online").
FOREIGN_SHARE = 0.4


def looks_foreign(words: Sequence[str], known: Container[str] = ()) -> bool:
    """English or another foreign language, not Vietnamese with telex leftovers. ``known``:
    abbreviations that are not syllables but are Vietnamese ("cccd", "gplx")."""
    unlike = sum(
        1
        for w in words
        if len(w) >= 3 and w.isalpha() and w not in known and not is_syllable(w)
        and untelex(w) == w
    )  # fmt: skip
    return bool(words) and unlike >= FOREIGN_SHARE * len(words)
