"""Intents read by meaning beside the phrase lists (bots.engine.meaning): a phrasing the
lists do not know takes the intent of the nearest example message; chatter stays unknown."""

from __future__ import annotations

import pytest

from bots.engine import meaning, nlu
from bots.engine.flows.procedures import top_names
from bots.engine.router import handle
from bots.engine.types import TEXT, Incoming


def test_only_what_the_lists_do_not_understand_is_read_by_meaning():
    asked: list[str] = []

    def says(intent):  # noqa: ANN001, ANN202
        return lambda text: asked.append(text) or intent

    def nothing(topic):  # noqa: ANN001, ANN202
        return []  # a catalog that knows none of it

    assert nlu.understand("xin chào", nothing, says(nlu.FOLLOW)).intent == nlu.GREETING
    assert asked == []  # understood by the lists: the model is not asked
    assert nlu.understand("abc xyz", nothing, says(nlu.UNFOLLOW)).intent == nlu.UNFOLLOW
    assert nlu.understand("abc xyz", nothing, says(None)).intent == nlu.UNKNOWN
    assert nlu.understand("abc xyz", nothing, says(nlu.FIND)).intent == nlu.UNKNOWN
    english = nlu.understand("abc xyz", nothing, says(nlu.LANGUAGE))
    assert (english.intent, english.language) == (nlu.LANGUAGE, "en")
    vietnamese = nlu.understand("abc tieng viet", nothing, says(nlu.LANGUAGE))
    assert (vietnamese.intent, vietnamese.language) == (nlu.LANGUAGE, "vi")


def test_every_example_names_an_intent():
    texts, intents = meaning.examples()
    assert len(texts) == len(intents) >= 100
    assert set(intents) <= set(nlu.INTENTS) and nlu.UNKNOWN in intents


@pytest.mark.parametrize(
    "text, intent, language",
    [
        ("write in english please", nlu.LANGUAGE, "en"),
        ("đổi qua tiếng Việt đi", nlu.LANGUAGE, "vi"),
        ("hôm nay mấy giờ rồi", nlu.UNKNOWN, None),
        ("đội nào vô địch world cup", nlu.UNKNOWN, None),
    ],
)
def test_a_new_phrasing_is_understood_and_chatter_is_not(app_ctx, text, intent, language):
    assert nlu.understand(text, top_names).intent == nlu.UNKNOWN  # the lists alone
    understood = nlu.understand(text, top_names, meaning.nearest_intent)
    assert (understood.intent, understood.language) == (intent, language)


def test_the_bot_switches_language_when_asked_in_new_words(app_ctx):
    replies = handle(Incoming("telegram", "meaning-lang", TEXT, text="write in english please"))
    said = " ".join(r.text for r in replies)
    assert "English" in said, said
