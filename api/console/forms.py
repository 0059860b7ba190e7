"""Reading the console's form and query values: page numbers and optional codes."""

from __future__ import annotations


def page_number(text: str | None) -> int:
    text = text or ""
    return min(int(text), 1000) if text.isdigit() and len(text) < 6 and int(text) > 0 else 1


def int_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else None
