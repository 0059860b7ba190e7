"""The one text-folding function for Vietnamese (DESIGN.md §2).

Citizens type without diacritics, so everything that compares Vietnamese words goes through
``fold``: lower case, tone and vowel marks removed, đ → d, punctuation → spaces.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_NON_WORD = re.compile(r"[^0-9a-z]+")
_MARKS = {"đ": "d", "Đ": "D"}


def strip_marks_slowly(text: str) -> str:
    """The definition of strip_marks, character by character (kept as its reference)."""
    text = "".join(_MARKS.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


class CharTable(dict):
    """A ``str.translate`` table that works each character out once, on first sight.

    Everything searched or sent is folded, so the per-character work of a Python loop was a
    large share of a search or an SMS; translate with a table runs in C. Only the characters
    below ``limit`` are remembered, so odd input cannot grow the table without bound.
    """

    def __init__(self, work_out: Callable[[str], str], limit: int = 0x3000) -> None:
        super().__init__()
        self.work_out = work_out
        self.limit = limit

    def __missing__(self, code: int) -> str:
        value = self.work_out(chr(code))
        if code < self.limit:
            self[code] = value
        return value


_STRIP = CharTable(strip_marks_slowly)


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics, keeping case and punctuation ("Đăng ký" → "Dang ky")."""
    return text if text.isascii() else text.translate(_STRIP)


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
