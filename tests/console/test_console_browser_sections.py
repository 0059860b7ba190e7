"""The console's sections in a real headless Chromium (as tests/console/test_console_browser.py): a
community team member starts and ends a help session, an editor publishes an article, an admin
reads a figure and its drill-down. Pages at 375 px and 1280 px are photographed and checked to
show their content, with no CSP complaint. Skipped, loudly, without Chromium and its driver."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from api.kernel.database import db
from api.quality import snapshots
from api.support.models import Article
from tests.helpers.assist_world import OWNER_ID, RESIDENT_PHONE, build
from tests.helpers.browser import (
    MISSING,
    accessible,
    csp_problems,
    photograph,
    sign_in,
    wait_text,
)
from tests.helpers.common import make_staff
from tests.helpers.quality import CUTOFF, UNIT_A, _seed
from tests.helpers.support import UNIT

pytestmark = pytest.mark.skipif(
    MISSING, reason="chromium/chromium-driver not installed: browser tests SKIPPED"
)


def _body(driver) -> str:  # noqa: ANN001
    return driver.find_element("tag name", "body").text


def test_a_team_member_starts_and_ends_a_help_session(app, client, live_server, browser, shots):
    build(client, app)
    sign_in(browser, live_server, "helper.a")
    wait_text(browser, "Bắt đầu phiên giúp")
    photograph(browser, shots, "help", "Bắt đầu phiên giúp")
    accessible(browser)
    browser.find_element("id", "who").send_keys(OWNER_ID)
    browser.find_element("id", "purpose").send_keys("Hỏi kết quả hồ sơ")
    browser.find_element("css selector", "form.card button.primary").click()
    wait_text(browser, "Xin người dân đọc mã cho bạn.")
    assert OWNER_ID not in browser.current_url
    code = app.extensions["otp_sender"].codes[RESIDENT_PHONE]
    browser.find_element("id", "code").send_keys(code)
    photograph(browser, shots, "help-code", "Mã người dân đọc")
    browser.find_element("css selector", "form button.primary").click()
    wait_text(browser, "Phiên giúp đã bắt đầu.")
    assert (
        "Nguyễn Thị Hoa" in _body(browser) and "Đang có hiệu lực".lower() in _body(browser).lower()
    )
    photograph(browser, shots, "help-active", "Kết thúc phiên")
    browser.find_element("xpath", "//button[normalize-space()='Kết thúc phiên']").click()
    wait_text(browser, "Phiên giúp đã kết thúc.")
    wait_text(browser, "Người dân bạn đã giúp")
    assert "Không có phiên nào đang mở" in _body(browser)
    photograph(browser, shots, "help-helped", "Người dân bạn đã giúp")
    assert csp_problems(browser) == []


def test_an_editor_publishes_an_article(app, client, live_server, browser, shots):
    with app.app_context():
        from sandbox.demo_support import seed_demo_support

        seed_demo_support()
    make_staff(app, "editor.a", "officer", unit_code=UNIT)
    sign_in(browser, live_server, "editor.a")
    wait_text(browser, "Dossier inbox".replace("Dossier inbox", "Hộp thư hồ sơ"))
    browser.find_element("link text", "Bài hỏi đáp").click()
    wait_text(browser, "Viết bài mới")
    photograph(browser, shots, "articles", "Viết bài mới")
    browser.find_element("link text", "Viết bài mới").click()
    wait_text(browser, "Mã bài")
    accessible(browser)
    browser.find_element("id", "slug").send_keys("doi_ten_khai_sinh")
    browser.find_element("id", "title_vi").send_keys("Đổi tên trong giấy khai sinh")
    browser.find_element("id", "short_vi").send_keys("Nộp tờ khai tại UBND xã nơi đăng ký.")
    browser.find_element("css selector", "form.card button.primary").click()
    wait_text(browser, "Đã lưu.")
    browser.find_element("xpath", "//button[normalize-space()='Gửi duyệt']").click()
    wait_text(browser, "Đã gửi duyệt.")
    browser.find_element("xpath", "//button[normalize-space()='Đăng bài']").click()
    wait_text(browser, "Đã đăng bài.")
    photograph(browser, shots, "article-published", "Đã đăng bài.")
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == "doi_ten_khai_sinh"))
        assert article.status == "published" and article.review_due_on is not None
    assert client.get("/api/v1/support/articles/doi_ten_khai_sinh").status_code == 200
    assert csp_problems(browser) == []


def test_an_admin_reads_a_figure_and_its_drilldown(app, client, live_server, browser, shots):
    with app.app_context():
        _seed(client)
        made = snapshots.create_snapshot(
            "unit", UNIT_A, "month", "2025-11", cutoff=CUTOFF, publish=True
        )
        snapshots.create_snapshot(
            "province", "all", "month", "2025-11", cutoff=CUTOFF, publish=True
        )
        db.session.commit()
        content = json.loads(made.content)
    figure = next(f for f in content["figures"] if f["status"] == "measured" and f["numerator"])
    make_staff(app, "admin.fig", "admin")
    sign_in(browser, live_server, "admin.fig")
    wait_text(browser, "Cán bộ")
    browser.find_element("link text", "Chỉ số").click()
    wait_text(browser, "Tổng điểm")
    assert browser.execute_script("return document.querySelectorAll('svg.chart').length") >= 3
    Select(browser.find_element("id", "scope")).select_by_value(f"unit:{UNIT_A}")
    browser.find_element("css selector", "form.inline button").click()
    wait_text(browser, "Ủy ban nhân dân xã Tân Hòa")
    photograph(browser, shots, "figures", "Tổng điểm")
    accessible(browser)
    link = browser.find_element("css selector", f"a[href$='/{made.id}/{figure['code']}/numerator']")
    link.click()
    wait_text(browser, "mục được tính")
    assert f"{figure['numerator']} mục được tính" in _body(browser)
    assert "000.21.15.H12-251103-" in _body(browser)
    photograph(browser, shots, "figure-dossiers", "mục được tính")
    assert csp_problems(browser) == []
