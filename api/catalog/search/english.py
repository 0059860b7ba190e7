"""English queries read beside their Vietnamese: a multilingual model matches "birth
certificate" with "giấy khai sinh" far less surely than Vietnamese with Vietnamese, so the
English words of public administration (api/data/search_english.json, general vocabulary by
the catalog's fields) give their Vietnamese wording, which the meaning path adds to the
query's own reading.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parents[2] / "data" / "search_english.json"
LONGEST = 3  # words in the longest glossary term
_WORD = re.compile(r"[a-z0-9']+")


@lru_cache(maxsize=1)
def glossary(path: str = str(GLOSSARY)) -> dict[tuple[str, ...], str]:
    terms = json.loads(Path(path).read_text(encoding="utf-8")).get("terms", {})
    return {tuple(_WORD.findall(k.lower())): v for k, v in terms.items()}


def _singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def glosses(query: str) -> list[str]:
    """The Vietnamese wording of the glossary's terms in an English query, longest first,
    left to right ("lost my passport" → ["mất cấp lại", "hộ chiếu"])."""
    table = glossary()
    words = _WORD.findall(query.lower().replace("’", "'"))
    out: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(LONGEST, len(words) - i), 0, -1):
            span = words[i : i + size]
            found = table.get(tuple(span)) or table.get(tuple(span[:-1] + [_singular(span[-1])]))
            if found:
                if found not in out:
                    out.append(found)
                i += size
                break
        else:
            i += 1
    return out
