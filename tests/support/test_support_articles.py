"""FAQ articles: lifecycle, owner unit, review dates (a stale answer says so), votes, views."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from api.kernel.database import db
from api.support.models import Article
from tests.helpers.support import UNIT, seeded_fixture, staff_fixture  # noqa: F401

BASE = "/api/v1/support"
NEW = {
    "slug": "lost_receipt",
    "title_vi": "Mất giấy biên nhận hồ sơ thì sao?",
    "title_en": "I lost my receipt",
    "short_vi": "Bạn vẫn tra cứu được bằng số định danh khi đăng nhập VNeID.",
    "short_en": "You can still look it up when signed in with VNeID.",
    "variants": ["mất biên nhận", "làm mất giấy hẹn trả kết quả"],
}


def test_lifecycle_draft_review_published_archived(client, staff):
    admin = staff["admin"]
    made = client.post(f"{BASE}/admin/articles", json=NEW, headers=admin)
    assert made.status_code == 201 and made.json["status"] == "draft"
    assert client.get(f"{BASE}/articles/lost_receipt").status_code == 404  # drafts are not public
    answer = client.post(f"{BASE}/ask", json={"question": "tôi làm mất giấy biên nhận"}).json
    assert answer["outcome"] != "answer" or answer["answer"]["key"] != "lost_receipt"

    skip = client.post(
        f"{BASE}/admin/articles/lost_receipt/transition", json={"to": "published"}, headers=admin
    )
    assert skip.status_code == 409 and skip.json["error"] == "article_bad_transition"
    for target in ("in_review", "published"):
        r = client.post(
            f"{BASE}/admin/articles/lost_receipt/transition", json={"to": target}, headers=admin
        )
        assert r.status_code == 200 and r.json["status"] == target
    published = r.json
    assert published["reviewed_on"] == date.today().isoformat() or published["reviewed_on"]
    assert published["review_due_on"] > published["reviewed_on"] and not published["stale"]

    edit = client.patch(
        f"{BASE}/admin/articles/lost_receipt", json={"short_vi": "Khác hẳn."}, headers=admin
    )
    assert edit.status_code == 409  # published text is not changed behind readers' backs
    shown = client.get(f"{BASE}/articles/lost_receipt").json
    assert shown["short_answer"].startswith("Bạn vẫn tra cứu") and shown["views"] == 1
    asked = client.post(f"{BASE}/ask", json={"question": "mất giấy biên nhận thì làm sao"}).json
    assert asked["outcome"] == "answer" and asked["answer"]["key"] == "lost_receipt"

    r = client.post(
        f"{BASE}/admin/articles/lost_receipt/transition", json={"to": "archived"}, headers=admin
    )
    assert r.status_code == 200
    assert client.get(f"{BASE}/articles/lost_receipt").status_code == 404
    asked = client.post(f"{BASE}/ask", json={"question": "mất giấy biên nhận thì làm sao"}).json
    assert asked["outcome"] != "answer" or asked["answer"]["key"] != "lost_receipt"


def test_only_the_owner_unit_edits(client, staff):
    officer, commune = staff["officer"], staff["commune"]
    made = client.post(f"{BASE}/admin/articles", json=NEW, headers=officer)
    assert made.status_code == 201 and made.json["owner_unit"] == UNIT
    r = client.patch(
        f"{BASE}/admin/articles/lost_receipt", json={"title_vi": "Đổi tên bài"}, headers=commune
    )
    assert r.status_code == 403 and r.json["error"] == "article_other_unit"
    r = client.patch(
        f"{BASE}/admin/articles/lost_receipt", json={"title_vi": "Đổi tên bài"}, headers=officer
    )
    assert r.status_code == 200 and r.json["version"] == 2
    assert client.post(f"{BASE}/admin/articles", json=NEW, headers=officer).status_code == 409
    assert client.post(f"{BASE}/admin/articles", json=NEW).status_code == 401
    bad = client.post(f"{BASE}/admin/articles", json={**NEW, "slug": "Có Dấu"}, headers=officer)
    assert bad.status_code == 422


def test_a_stale_answer_says_so(client, seeded, staff):
    with seeded.app_context():
        article = db.session.query(Article).filter_by(slug="otp_not_received").one()
        article.review_due_on = date.today() - timedelta(days=1)
        db.session.commit()
    shown = client.get(f"{BASE}/articles/otp_not_received").json
    assert shown["stale"] is True and "quá hạn rà soát" in shown["stale_note"]
    english = client.get(
        f"{BASE}/articles/otp_not_received", headers={"Accept-Language": "en"}
    ).json
    assert "past its review date" in english["stale_note"]
    asked = client.post(f"{BASE}/ask", json={"question": "không nhận được mã OTP"}).json
    assert asked["answer"]["stale"] is True and asked["answer"]["stale_note"]
    fresh = client.get(f"{BASE}/articles/track_dossier").json
    assert fresh["stale"] is False and fresh["stale_note"] is None
    stale = client.get(f"{BASE}/admin/articles?stale=true", headers=staff["admin"]).json
    assert "otp_not_received" in [a["slug"] for a in stale["items"]]
    assert "track_dossier" not in [a["slug"] for a in stale["items"]]


def test_one_vote_per_voter_and_it_can_change(client, seeded):
    url = f"{BASE}/articles/link_chat/vote"
    assert client.post(url, json={"helpful": True}).status_code == 422  # anonymous: a device
    client.post(url, json={"helpful": True, "device": "device-aaaa-1"})
    again = client.post(url, json={"helpful": True, "device": "device-aaaa-1"}).json
    assert (again["helpful"], again["not_helpful"]) == (1, 0)
    changed = client.post(url, json={"helpful": False, "device": "device-aaaa-1"}).json
    assert (changed["helpful"], changed["not_helpful"]) == (0, 1)
    other = client.post(url, json={"helpful": True, "device": "device-bbbb-2"}).json
    assert (other["helpful"], other["not_helpful"]) == (1, 1)
    assert (
        client.post(
            f"{BASE}/articles/nope/vote", json={"helpful": True, "device": "device-aaaa-1"}
        ).status_code
        == 404
    )


def test_articles_in_english(client, seeded):
    page = client.get(f"{BASE}/articles?page_size=50", headers={"Accept-Language": "en"}).json
    assert page["total"] == 18
    titles = {a["slug"]: a["title"] for a in page["items"]}
    assert titles["id_card"].startswith("Getting, renewing")
    assert all(a["short_answer"] for a in page["items"])


@pytest.mark.postgres
def test_a_double_tap_on_helpful_is_one_vote(app, seeded):
    import threading

    from api.support import articles

    start = threading.Barrier(4)
    errors: list[Exception] = []

    def tap() -> None:
        with app.app_context():
            start.wait()
            try:
                articles.vote("otp_not_received", "chat:zalo:double", True)
                db.session.commit()  # each tap is its own request: its unit of work
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        article = articles.get("otp_not_received")
        assert (article.helpful, article.not_helpful) == (1, 0)


def test_a_slug_too_long_for_a_chat_button_is_refused(client, staff):
    """Button data in Telegram is at most 64 bytes: «sv:<slug>:1», «y:<slug>:<dossier code>»."""
    body = {"slug": "a" * 33, "title_vi": "Tiêu đề", "short_vi": "Trả lời ngắn"}
    r = client.post("/api/v1/support/admin/articles", json=body, headers=staff["admin"])
    assert r.status_code == 422 and "slug" in r.json["errors"]
    survey = {"slug": "b" * 33, "kind": "general", "title_vi": "Khảo sát", "questions": [{}]}
    r = client.post("/api/v1/support/admin/surveys", json=survey, headers=staff["admin"])
    assert r.status_code == 422 and "slug" in r.json["errors"]
    ok = client.post(
        "/api/v1/support/admin/articles", json={**body, "slug": "a" * 32}, headers=staff["admin"]
    )
    assert ok.status_code == 201
    longest = f"y:{'b' * 32}:000.00.15.H12-251120-0001"
    assert len(longest.encode()) <= 64
