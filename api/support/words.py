"""Words of support questions: folding, the catalog's synonyms, and the filler people wrap a
question in ("cho em hỏi", "như thế nào", "ạ"), which says nothing about what is asked."""

from __future__ import annotations

from api.catalog.search.query import clean_words, load_lexicon, marked_words, variants
from api.kernel.text import fold

# Folded filler words; what remains carries the question.
FILLER = frozenset(
    """
    a ah a ad admin ai anh ban bi biet cac cach can cho chi chu co con cua cu da dang de di
    dieu do duoc em gi gium giup hay hoi hon khi khong ko la lam len luc mot minh muon nao
    nay neu nguoi nhe nhi nho nhu nhung oi ong phai qua ra ran roi sao se sang thi the theo
    thu thuc toi tu tuc va vay ve vi viec voi xin xong u uh vang da ba co cho
    how do i can what is the a an to my of for in on it me please where when why which
    about get does with need using use should see this that there be will would could am
    are was has have you your from at by so if any way want im
    """.split()  # noqa: SIM905
)
# Words that say which part of a procedure is asked about, not which procedure.
ASPECT_WORDS: dict[str, tuple[str, ...]] = {
    "documents": ("giay to", "ho so gom", "chuan bi", "can mang", "papers", "documents"),
    "fee": ("le phi", "phi", "bao nhieu tien", "mat tien", "ton tien", "fee", "cost", "tien"),
    "duration": ("bao lau", "may ngay", "bao nhieu ngay", "thoi gian", "long", "days"),
    "where": ("o dau", "nop o", "where", "co quan nao", "noi nop"),
    "online": ("truc tuyen", "online", "qua mang", "tren mang", "dien thoai"),
}
_ASPECT_PHRASES = {
    tuple(p.split()): aspect for aspect, phrases in ASPECT_WORDS.items() for p in phrases
}


def aspect_of(text: str) -> str | None:
    """Which part of a procedure the question is about (documents, fee...), if it says."""
    words = fold(text).split()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            aspect = _ASPECT_PHRASES.get(tuple(words[i : i + size]))
            if aspect:
                return aspect
    return None


def content_words(words: list[str]) -> list[str]:
    """The words that say what is asked: filler dropped, and aspect phrases dropped as whole
    phrases ("mất tiền" is the fee, but "mất giấy biên nhận" is a lost receipt)."""
    drop: set[int] = set()
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            if tuple(words[i : i + size]) in _ASPECT_PHRASES and not drop & set(range(i, i + size)):
                drop.update(range(i, i + size))
    return [w for i, w in enumerate(words) if i not in drop and w not in FILLER and w]


def query_variants(text: str) -> list[list[str]]:
    """The question's content words, as typed and with each known synonym applied."""
    lexicon = load_lexicon()
    out: list[list[str]] = []
    for variant in variants(clean_words(text, lexicon), lexicon, marked_words(text)):
        kept = content_words(variant)
        if kept and kept not in out:
            out.append(kept)
    return out or [[]]


def phrase_words(text: str) -> list[str]:
    return content_words(fold(text).split())
