"""Intents read by meaning beside the phrase lists: a message the lists do not understand
("đừng nhắn cho tôi nữa", "speak English please") takes the intent of the example message
nearest to it in meaning (intent_examples.json, one writer's messages per intent), through
the search's own model, when it is near enough. Chatter has examples too, so it stays
"unknown".
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from api.catalog.search.vectors import passage_vectors
from api.catalog.service import search_index
from bots.engine.flows.support import has_general_answer, wants_surveys
from bots.engine.nlu import UNKNOWN

EXAMPLES = Path(__file__).with_name("intent_examples.json")
# Near enough: a cosine of CLOSE, and MARGIN above the nearest chatter example. Chosen on
# chat tuning set 2 (another writer's 150 messages; the first tuning split's phrasings are
# what the lists learned): intent accuracy 0.64 by the lists alone, 0.767 with the examples
# at 0.87 and 0.02, where 10 of 12 off-topic messages stay unknown as with the lists alone
# and the first tuning split keeps 0.996. Without the margin, 0.76 and 9 of 12, and "hôm nay
# mấy giờ rồi" became "follow"; at 0.86, 9 of 12; at 0.88 without margin, 0.747.
CLOSE = 0.87
MARGIN = 0.02
_vectors: dict[str, np.ndarray] = {}  # the examples' vectors, per model


@lru_cache(maxsize=1)
def examples() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The example messages and their intents."""
    data = json.loads(EXAMPLES.read_text(encoding="utf-8"))["messages"]
    return tuple(m["text"] for m in data), tuple(m["intent"] for m in data)


def nearest_intent(text: str) -> str | None:
    """The intent of the example nearest in meaning to ``text``, or None when none is near
    enough (or the search runs on words alone), or when a general help article answers it
    ("tôi không nhận được mã OTP"): what is not understood goes to those first."""
    meaning = search_index().meaning
    if meaning is None or not text.strip():
        return None
    texts, intents = examples()
    fingerprint = meaning.embedder.fingerprint
    vectors = _vectors.get(fingerprint)
    if vectors is None:
        vectors = _vectors[fingerprint] = passage_vectors(meaning.embedder, list(texts))
    similarity = vectors @ meaning.query_vector(text)
    best = int(np.argmax(similarity))
    if similarity[best] < CLOSE:
        return None
    chatter = [float(x) for x, intent in zip(similarity, intents, strict=True) if intent == UNKNOWN]
    if intents[best] != UNKNOWN and similarity[best] - max(chatter, default=-1.0) < MARGIN:
        return None
    # Support's articles are asked only for a message meaning would claim (the router asks
    # them again for what stays unknown, which this must not run for every such message).
    if intents[best] == UNKNOWN or wants_surveys(text) or has_general_answer(text):
        return None
    return intents[best]
