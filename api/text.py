"""The one text-folding function for Vietnamese (DESIGN.md §2).

Citizens type without diacritics, so everything that compares Vietnamese words goes through
``fold``: lower case, tone and vowel marks removed, đ → d, punctuation → spaces.
"""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^0-9a-z]+")
_MARKS = {"đ": "d", "Đ": "D"}


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics, keeping case and punctuation ("Đăng ký" → "Dang ky")."""
    text = "".join(_MARKS.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """ "Đăng ký  khai-sinh!" → "dang ky khai sinh"."""
    return _NON_WORD.sub(" ", strip_marks(text).lower()).strip()


def tokens(text: str) -> list[str]:
    return fold(text).split()


def normalise_vietnamese(text: str) -> str:
    """NFC lower case with marks kept: the form compared when the query has diacritics."""
    return unicodedata.normalize("NFC", text).lower()


def has_marks(text: str) -> bool:
    return strip_marks(text) != text
