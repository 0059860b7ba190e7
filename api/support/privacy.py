"""Personal data in free text: 12-digit personal numbers, phone numbers, e-mails and dossier
codes are found and masked before anything is published or logged."""

from __future__ import annotations

import re

# Order matters: dossier codes contain digit runs, so they go first.
PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    (
        "dossier_code",
        re.compile(r"(?<![\w.])[0-9A-Za-z][0-9A-Za-z.]{2,39}\s?-\s?\d{6}\s?-\s?\d{4,6}(?!\d)"),
        "[mã hồ sơ]",
    ),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    ("id_number", re.compile(r"(?<!\d)\d{12}(?!\d)"), "[số định danh]"),
    (
        "phone",
        re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"),
        "[số điện thoại]",
    ),
)


def find_personal_data(text: str) -> list[str]:
    """The kinds of personal data in ``text`` (sorted, each once)."""
    found = set()
    rest = text or ""
    for kind, pattern, _ in PATTERNS:
        if pattern.search(rest):
            found.add(kind)
            rest = pattern.sub(" ", rest)
    return sorted(found)


def redact(text: str) -> str:
    """``text`` with every piece of personal data replaced by a plain placeholder."""
    out = text or ""
    for _, pattern, placeholder in PATTERNS:
        out = pattern.sub(placeholder, out)
    return out
