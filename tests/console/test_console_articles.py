"""The editors' pages: FAQ articles through their lifecycle (an officer for their unit's, an
admin for any), the week's unanswered questions, surveys and their results (an officer reads
their own unit's only)."""

from __future__ import annotations

from sqlalchemy import select

from api.kernel.database import db
from api.support import surveys
from api.support.models import Article
from tests.helpers.console import console_sign_in, csrf_of
from tests.helpers.support import UNIT, seeded_fixture, staff_fixture  # noqa: F401

BASE = "/api/v1/support"
ARTICLE = {
    "slug": "mat_can_cuoc",
    "title_vi": "Mất thẻ căn cước thì làm gì?",
    "title_en": "Lost ID card",
    "short_vi": "Báo mất và làm lại tại công an xã.",
    "short_en": "Report it and apply again at the commune police.",
    "body_vi": "",
    "body_en": "",
    "variants": "mất căn cước\nmat can cuoc",
    "procedure_codes": "",
    "field_codes": "",
    "review_due_on": "",
}


def _signed_in(app, username: str):  # noqa: ANN001, ANN202
    browser = app.test_client()
    assert console_sign_in(browser, username).status_code == 303
    return browser


def _write(browser, **changes):  # noqa: ANN001, ANN202
    token = csrf_of(browser.get("/console/articles/new").get_data(as_text=True))
    return browser.post("/console/articles/new", data={**ARTICLE, **changes, "csrf_token": token})


def _move(browser, slug: str, target: str):  # noqa: ANN001, ANN202
    token = csrf_of(browser.get(f"/console/articles/{slug}").get_data(as_text=True))
    return browser.post(
        f"/console/articles/{slug}/transition", data={"to": target, "csrf_token": token}
    )


def test_an_officer_writes_reviews_publishes_and_archives(client, app, seeded, staff):
    editor = _signed_in(app, "sp-officer")
    assert _write(editor, slug="Bad Slug!").status_code == 422  # the API's own rules
    r = _write(editor)
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/articles/mat_can_cuoc")
    with app.app_context():
        made = db.session.scalar(select(Article).where(Article.slug == "mat_can_cuoc"))
        assert made.status == "draft" and made.owner_unit == UNIT
        assert made.variants == ["mất căn cước", "mat can cuoc"]
    assert client.get(f"{BASE}/articles/mat_can_cuoc").status_code == 404  # not yet public
    assert _move(editor, "mat_can_cuoc", "published").status_code == 409  # draft → review first
    assert _move(editor, "mat_can_cuoc", "in_review").status_code == 303
    assert _move(editor, "mat_can_cuoc", "published").status_code == 303
    page = editor.get("/console/articles/mat_can_cuoc").get_data(as_text=True)
    assert "Đã đăng bài" in page and "Lưu trữ" in page and 'name="slug"' not in page
    public = client.get(f"{BASE}/articles/mat_can_cuoc")
    assert public.status_code == 200
    with app.app_context():
        made = db.session.scalar(select(Article).where(Article.slug == "mat_can_cuoc"))
        assert made.reviewed_on is not None and made.review_due_on > made.reviewed_on
    listing = editor.get("/console/articles/?status=published").get_data(as_text=True)
    assert "Mất thẻ căn cước thì làm gì?" in listing
    assert _move(editor, "mat_can_cuoc", "archived").status_code == 303
    assert client.get(f"{BASE}/articles/mat_can_cuoc").status_code == 404


def test_another_units_officer_reads_only_an_admin_may_change(client, app, seeded, staff):
    _write(_signed_in(app, "sp-officer"))
    other = _signed_in(app, "sp-commune")
    page = other.get("/console/articles/mat_can_cuoc").get_data(as_text=True)
    assert "đơn vị khác phụ trách" in page and 'name="slug"' not in page
    token = csrf_of(page)
    r = other.post(
        "/console/articles/mat_can_cuoc/transition", data={"to": "in_review", "csrf_token": token}
    )
    assert r.status_code == 403
    r = other.post(
        "/console/articles/mat_can_cuoc", data={**ARTICLE, "title_vi": "Đổi", "csrf_token": token}
    )
    assert r.status_code == 403
    r = other.post("/console/articles/mat_can_cuoc/transition", data={"to": "in_review"})
    assert r.status_code == 400  # no CSRF token
    with app.app_context():
        made = db.session.scalar(select(Article).where(Article.slug == "mat_can_cuoc"))
        assert made.status == "draft" and made.title_vi == ARTICLE["title_vi"]
    admin = _signed_in(app, "sp-admin")
    assert _move(admin, "mat_can_cuoc", "in_review").status_code == 303
    # Team members have no editor pages.
    from tests.helpers.common import make_staff

    make_staff(app, "team.x", "community", commune_code=70)
    assert _signed_in(app, "team.x").get("/console/articles/").status_code == 403


def test_gaps_list_the_weeks_unanswered_questions(client, app, seeded, staff):
    for text in ("giá vàng hôm nay", "giá vàng hôm nay", "lịch chiếu phim"):
        client.post(f"{BASE}/ask", json={"question": text})
    editor = _signed_in(app, "sp-officer")
    page = editor.get("/console/articles/gaps").get_data(as_text=True)
    assert "giá vàng hôm nay" in page and "lịch chiếu phim" in page
    assert page.index("giá vàng hôm nay") < page.index("lịch chiếu phim")
    empty = editor.get("/console/articles/gaps?week=2025-W01").get_data(as_text=True)
    assert "giá vàng" not in empty
    assert editor.get("/console/articles/gaps?week=2025-W99").status_code == 422


def test_survey_results_by_area(client, app, seeded, staff):
    with app.app_context():
        surveys.submit(
            "quarterly_satisfaction",
            {"visits": "2-3", "clarity": 4, "status": 5, "overall": 5},
            surveys.Respondent(device="kiosk-000009"),
        )
        db.session.commit()  # the test is the caller: it owns the unit of work
    admin = _signed_in(app, "sp-admin")
    listing = admin.get("/console/articles/surveys/").get_data(as_text=True)
    assert "/console/articles/surveys/quarterly_satisfaction" in listing
    page = admin.get("/console/articles/surveys/quarterly_satisfaction").get_data(as_text=True)
    assert "1 phiếu" in page and "trung bình 5" in page
    officer = _signed_in(app, "sp-officer")
    url = "/console/articles/surveys/quarterly_satisfaction?unit="
    own = officer.get(url + "000.21.15.H12").get_data(as_text=True)
    assert "0 phiếu" in own and UNIT in own  # forced to the officer's unit
    assert officer.get(url + "&period=2020-Q7").status_code == 422
