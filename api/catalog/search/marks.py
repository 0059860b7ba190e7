"""Putting the marks back on Vietnamese typed without them ("dang ky khai sinh" → "đăng ký
khai sinh"), so the meaning path (a multilingual model) reads words it knows.

The vocabulary is the catalog's own text (names, descriptions, results, fields) plus a short
everyday word list (api/data/vi_everyday.txt); the procedures' everyday situations teach how
those words are used (learn_usage). Each folded word may stand for several marked
words ("ban" → bán, bản, ban); the choice is the path through the query that the catalog's
word pairs support best (a small Viterbi), falling back to the commonest single word.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from api.kernel.text import fold, has_marks, normalise_vietnamese

WORD_LIST = Path(__file__).resolve().parents[2] / "data" / "vi_everyday.txt"
_WORD = re.compile(r"\w+", re.UNICODE)
CANDIDATES = 6  # marked forms kept per folded word
PAIR_WEIGHT = 3.0  # a seen word pair counts this much more than single-word frequency
LIST_WEIGHT = 5  # each entry of the word list counts as this many catalog occurrences


def words_of(text: str) -> list[str]:
    """The words of a text, with their marks (Unicode normalised)."""
    return _WORD.findall(normalise_vietnamese(text))


class MarkRestorer:
    """Learns marked words and word pairs from texts; restores unmarked words in a query."""

    def __init__(self) -> None:
        self._single: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self._pairs: Counter[tuple[str, str]] = Counter()
        self._frozen: dict[str, list[tuple[str, float]]] | None = None

    def learn(self, text: str, weight: int = 1) -> None:
        words = [w for w in words_of(text) if not w.isdigit()]
        for word in words:
            self._single[fold(word)][word] += weight
        for a, b in zip(words, words[1:], strict=False):
            self._pairs[(a, b)] += weight
        self._frozen = None

    def learn_usage(self, text: str) -> None:
        """How known words are used ("đang học", "bộ đội"): a text's word pairs and the share
        of each form among the words already known, no new words (so English stays English:
        everyday messages mention "visa", "Mỹ")."""
        words = [w for w in words_of(text) if not w.isdigit()]
        known = [w for w in words if fold(w) in self._single]
        for word in known:
            self._single[fold(word)][word] += 1
        for a, b in zip(words, words[1:], strict=False):
            if fold(a) in self._single and fold(b) in self._single:
                self._pairs[(a, b)] += 1
        self._frozen = None

    def learn_all(self, texts: Iterable[str], weight: int = 1) -> None:
        for text in texts:
            self.learn(text, weight)

    def learn_word_list(self, path: Path = WORD_LIST) -> None:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    self.learn(line, LIST_WEIGHT)

    def _candidates(self) -> dict[str, list[tuple[str, float]]]:
        if self._frozen is None:
            frozen: dict[str, list[tuple[str, float]]] = {}
            for folded, forms in self._single.items():
                total = sum(forms.values())
                frozen[folded] = [
                    (w, math.log(c / total)) for w, c in forms.most_common(CANDIDATES)
                ]
            self._frozen = frozen
        return self._frozen

    @property
    def vocabulary(self) -> dict[str, list[tuple[str, float]]]:
        """Folded word → its marked forms with their log share (what restoration knows)."""
        return self._candidates()

    def restore_words(self, words: list[str]) -> list[str]:
        """Each word without marks replaced by its likeliest marked form; marked, unknown and
        non-Vietnamese words stay as typed."""
        table = self._candidates()
        options: list[list[tuple[str, float]]] = []
        for word in words:
            low = normalise_vietnamese(word)
            known = None if has_marks(low) else table.get(low)
            options.append(known or [(low, 0.0)])
        # Viterbi: best[i][form] = (score, previous form).
        best: list[dict[str, tuple[float, str | None]]] = []
        for i, choices in enumerate(options):
            column: dict[str, tuple[float, str | None]] = {}
            for form, prior in choices:
                if i == 0:
                    column[form] = (prior, None)
                    continue
                column[form] = max(
                    (score + prior + PAIR_WEIGHT * math.log1p(self._pairs[(prev, form)]), prev)
                    for prev, (score, _) in best[-1].items()
                )
            best.append(column)
        if not best:
            return []
        form = max(best[-1], key=lambda f: best[-1][f][0])
        out = [form]
        for i in range(len(best) - 1, 0, -1):
            form = best[i][form][1]  # type: ignore[assignment]
            out.append(form)
        return out[::-1]

    def restore(self, text: str) -> str:
        """The query with marks put back where they were missing ("lam so do" → "làm sổ đỏ")."""
        return " ".join(self.restore_words(words_of(text)))
