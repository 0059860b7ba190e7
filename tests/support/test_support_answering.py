"""Answering: thresholds behave (confident → answer, unsure → choices, nonsense → fallback),
every question is logged with its outcome (redacted), and the weekly gaps for editors."""

from __future__ import annotations

from api.support.answering import (
    ANSWER_AT,
    ARTICLE,
    CHOICES_AT,
    PROCEDURE,
    Candidate,
    Thresholds,
    decide,
)
from api.support.retrieval import ArticleDoc, ArticleMatcher
from tests.helpers.support import seeded_fixture, staff_fixture  # noqa: F401

BASE = "/api/v1/support"


def test_decide_on_fixed_scores():
    t = Thresholds(0.55, 0.34, 0.04)
    clear = [Candidate(ARTICLE, "otp_not_received", 0.9), Candidate(ARTICLE, "link_chat", 0.4)]
    assert decide(clear, t).outcome == "answer"
    close = [Candidate(ARTICLE, "otp_not_received", 0.9), Candidate(ARTICLE, "link_chat", 0.88)]
    unsure = decide(close, t)
    assert unsure.outcome == "choices" and [c.key for c in unsure.candidates] == [
        "otp_not_received",
        "link_chat",
    ]
    weak = [Candidate(ARTICLE, "otp_not_received", 0.45)]
    assert decide(weak, t).outcome == "choices"
    assert decide([Candidate(ARTICLE, "x", 0.2)], t).outcome == "fallback"
    assert decide([], t).outcome == "fallback"
    # An article and a procedure it covers are one answer, not a reason to hesitate.
    same = [
        Candidate(ARTICLE, "id_card", 1.0, "1.003190", ("1.003190", "2.000771")),
        Candidate(PROCEDURE, "2.000771", 1.0, "2.000771"),
    ]
    made = decide(same, t)
    assert made.outcome == "answer" and made.top.procedure_code == "2.000771"


def test_thresholds_are_ordered():
    assert 0 < CHOICES_AT < ANSWER_AT <= 1


def test_matcher_scores_and_typos():
    matcher = ArticleMatcher(
        [
            ArticleDoc("otp", ("không nhận được mã OTP", "mã xác nhận không về")),
            ArticleDoc("pay", ("thanh toán lệ phí trực tuyến",)),
        ]
    )
    hits = matcher.search("khong nhan duoc ma otp")
    assert hits[0].key == "otp" and hits[0].score > 0.9
    assert matcher.search("thanh toán trưc tuyên")[0].key == "pay"  # missing marks, a slip
    assert matcher.search("giá vàng hôm nay") == [] or matcher.search("giá vàng")[0].score < 0.34


def test_confident_unsure_and_nonsense_through_the_api(client, seeded):
    confident = client.post(f"{BASE}/ask", json={"question": "tôi không nhận được mã OTP"}).json
    assert confident["outcome"] == "answer"
    assert confident["answer"]["key"] == "otp_not_received"
    assert "5 phút" in confident["answer"]["short_answer"]
    procedure = client.post(f"{BASE}/ask", json={"question": "đăng ký kết hôn cần giấy tờ gì"}).json
    assert procedure["outcome"] == "answer" and procedure["answer"]["procedure_code"] == "1.009867"
    assert "Chuẩn bị giấy tờ" in procedure["answer"]["short_answer"]
    unsure = client.post(f"{BASE}/ask", json={"question": "đăng ký khai tử cho người thân"}).json
    assert unsure["outcome"] == "choices" and 2 <= len(unsure["choices"]) <= 3
    assert all(c["title"] for c in unsure["choices"])
    nonsense = client.post(f"{BASE}/ask", json={"question": "asdfgh qwerty zxcv"}).json
    assert nonsense["outcome"] == "fallback" and not nonsense["choices"]
    assert "cán bộ" in nonsense["message"]
    english = client.post(
        f"{BASE}/ask", json={"question": "asdfgh"}, headers={"Accept-Language": "en"}
    ).json
    assert "officer" in english["message"]
    assert client.post(f"{BASE}/ask", json={"question": ""}).status_code == 422


def test_every_question_is_logged_redacted_and_gaps_show_per_week(client, seeded, staff):
    for text in (
        "giá vàng hôm nay",
        "giá vàng hôm nay",
        "lịch chiếu phim",
        "không nhận được mã OTP",
        "gọi tôi số 0912345678 nhé",
    ):
        client.post(f"{BASE}/ask", json={"question": text})
    gaps = client.get(f"{BASE}/admin/unanswered", headers=staff["officer"]).json
    assert gaps["totals"]["answer"] == 1 and sum(gaps["totals"].values()) == 5
    first = gaps["items"][0]
    assert first == {"question": "giá vàng hôm nay", "count": 2, "no_answer": 2}
    assert all("0912345678" not in item["question"] for item in gaps["items"])
    assert any("[số điện thoại]" in item["question"] for item in gaps["items"])
    last_year = client.get(f"{BASE}/admin/unanswered?week=2025-W01", headers=staff["officer"])
    assert last_year.json["items"] == [] and last_year.json["week"] == "2025-W01"
    assert (
        client.get(f"{BASE}/admin/unanswered?week=2025-W99", headers=staff["officer"]).status_code
        == 422
    )
    no_such_week = client.get(f"{BASE}/admin/unanswered?week=2025-W53", headers=staff["officer"])
    assert no_such_week.status_code == 422 and "week" in no_such_week.json["errors"]  # not a 500
    assert client.get(f"{BASE}/admin/unanswered").status_code == 401


def test_guidance_is_built_from_the_catalog_record(client, seeded):
    guide = client.get(f"{BASE}/guidance/1.011954").json
    assert guide["name"] == "Đăng ký khai sinh"
    assert guide["checklist"] and guide["checklist"][0]["name"].startswith("Tờ khai")
    assert guide["fees"] and guide["duration"] and guide["where"] and guide["steps"]
    assert "biên nhận" in guide["what_next"]
    english = client.get(f"{BASE}/guidance/1.011954", headers={"Accept-Language": "en"}).json
    assert "receipt" in english["what_next"]
    assert client.get(f"{BASE}/guidance/9.999999").status_code == 404
