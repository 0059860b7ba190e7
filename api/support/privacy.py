"""Personal data in free text: 12-digit personal numbers (and the old 9-digit ID card numbers
when named as such), phone numbers, e-mails, dossier codes and the asker's own full name are
found and masked before anything is published or logged."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from api.kernel.text import fold, strip_marks


def _keep_label(placeholder: str):  # noqa: ANN202
    return lambda match: f"{match.group(1)}{placeholder}"


# Order matters: dossier codes contain digit runs, so they go first.
PATTERNS: tuple[tuple[str, re.Pattern[str], object], ...] = (
    (
        "dossier_code",
        re.compile(r"(?<![\w.])[0-9A-Za-z][0-9A-Za-z.]{2,39}\s?-\s?\d{6}\s?-\s?\d{4,6}(?!\d)"),
        "[mã hồ sơ]",
    ),
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    ("id_number", re.compile(r"(?<!\d)\d{12}(?!\d)"), "[số định danh]"),
    (
        # The old 9-digit ID card (CMND), still carried by many older people: only when named,
        # since a bare 9-digit run may be an amount.
        "id_number",
        re.compile(
            r"(?i)((?:cmnd|cmt|ch[uứ]ng minh(?: nh[aâ]n d[aâ]n| th[uư])?)\W{0,3}"
            r"(?:s[oố]\W{0,3})?)\d{9}(?!\d)"
        ),
        _keep_label("[số định danh]"),
    ),
    (
        "phone",
        re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)"),
        "[số điện thoại]",
    ),
)
NAME_PLACEHOLDER = "[họ tên]"


@lru_cache(maxsize=64)
def _letters(base: str) -> str:
    """A regex class of every letter that folds to ``base`` (a → a, à, ă, ằ, ...)."""
    same = {base, base.upper()}
    for code in range(0x00C0, 0x1EFA):
        ch = chr(code)
        if ch.isalpha() and strip_marks(ch).lower() == base:
            same.add(ch)
    return "[" + "".join(sorted(re.escape(c) for c in same)) + "]"


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A full name (two words or more) as typed with or without marks, in any case."""
    words = fold(name).split()
    if len(words) < 2:
        return None  # a given name alone is too often an ordinary word
    parts = ["".join(_letters(ch) if ch.isalpha() else re.escape(ch) for ch in w) for w in words]
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)")


def _names(names: Iterable[str | None]) -> list[re.Pattern[str]]:
    return [p for p in (_name_pattern(n) for n in names if n) if p is not None]


def find_personal_data(text: str, names: Iterable[str | None] = ()) -> list[str]:
    """The kinds of personal data in ``text`` (sorted, each once); ``names`` are the asker's
    known full names (contact name, account name)."""
    found = set()
    rest = text or ""
    for kind, pattern, _ in PATTERNS:
        if pattern.search(rest):
            found.add(kind)
            rest = pattern.sub(" ", rest)
    if any(p.search(rest) for p in _names(names)):
        found.add("name")
    return sorted(found)


def redact(text: str, names: Iterable[str | None] = ()) -> str:
    """``text`` with every piece of personal data replaced by a plain placeholder."""
    out = text or ""
    for _, pattern, placeholder in PATTERNS:
        out = pattern.sub(placeholder, out)
    for pattern in _names(names):
        out = pattern.sub(NAME_PLACEHOLDER, out)
    return out
