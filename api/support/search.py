"""Free-text filters of the support listings that work as citizens type: without marks,
in any case, words in any order ("dang ky khai sinh" finds "Đăng ký khai sinh")."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import and_, func, or_
from sqlalchemy.sql.elements import ColumnElement

from api.kernel.text import fold, strip_marks

MAX_WORDS = 8  # a phone keyboard query; more words only slow the scan


@lru_cache(maxsize=1)
def _table() -> tuple[str, str]:
    """Every marked Latin letter Vietnamese uses, upper and lower, and its folded letter."""
    source, target = [], []
    for code in range(0x00C0, 0x1EFA):
        ch = chr(code)
        plain = strip_marks(ch).lower()
        if ch.isalpha() and len(plain) == 1 and plain.isascii() and plain != ch:
            source.append(ch)
            target.append(plain)
    return "".join(source), "".join(target)


def folded(column) -> ColumnElement:  # noqa: ANN001
    """SQL for fold(column) without the punctuation step: marks off, lower case."""
    source, target = _table()
    return func.lower(func.translate(column, source, target))


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matches(q: str | None, *columns) -> ColumnElement | None:  # noqa: ANN002
    """Every word of ``q`` (folded) appears in one of ``columns``; None when q has no words."""
    words = fold(q or "").split()[:MAX_WORDS]
    if not words:
        return None
    return and_(
        *(or_(*(folded(c).like(f"%{_escape(w)}%", escape="\\") for c in columns)) for w in words)
    )
