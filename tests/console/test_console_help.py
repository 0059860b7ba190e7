"""The console's help sessions for community team members: the code goes to the resident's
phone on record, the helper types what the resident reads out, sees the session and ends it,
and lists whom they helped. Only the helper's own sessions; no ID number in any URL."""

from __future__ import annotations

from sqlalchemy import select

from api.assistance.models import Grant
from api.kernel.database import db
from tests.helpers.assist_world import OWNER_ID, RESIDENT_PHONE, build
from tests.helpers.common import make_staff
from tests.helpers.console import console_sign_in, csrf_of


def _start_form(client, **values):  # noqa: ANN001, ANN202
    page = client.get("/console/help/")
    assert page.status_code == 200
    data = {
        "who": OWNER_ID,
        "actions": ["follow", "message"],
        "hours": "2",
        "purpose": "Hỏi kết quả hồ sơ",
        "csrf_token": csrf_of(page.get_data(as_text=True)),
        **values,
    }
    return client.post("/console/help/start", data=data)


def test_helper_starts_confirms_and_ends_a_session(client, app):
    world = build(client, app)
    browser = app.test_client()
    assert console_sign_in(browser, "helper.a").status_code == 303
    r = _start_form(browser)
    assert r.status_code == 303, r.get_data(as_text=True)
    where = r.headers["Location"]
    assert OWNER_ID not in where and RESIDENT_PHONE not in where
    page = browser.get(where).get_data(as_text=True)
    assert "Nguyễn Thị Hoa" in page and "Đã gửi mã đến" in page
    assert RESIDENT_PHONE not in page  # masked
    code = app.extensions["otp_sender"].codes[RESIDENT_PHONE]
    # A wrong code is refused and changes nothing.
    wrong = "000000" if code != "000000" else "111111"
    r = browser.post(f"{where}/confirm", data={"code": wrong, "csrf_token": csrf_of(page)})
    assert r.status_code == 400 and 'role="alert"' in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Grant.state)) == "pending"
    r = browser.post(f"{where}/confirm", data={"code": code, "csrf_token": csrf_of(page)})
    assert r.status_code == 303
    page = browser.get(where).get_data(as_text=True)
    assert "Phiên giúp đã bắt đầu" in page and "Kết thúc phiên" in page
    # The resident sees who helps them, through the same service.
    mine = client.get("/api/v1/me/helpers", headers=world.resident)
    assert mine.status_code == 200 and [g["state"] for g in mine.json] == ["active"]
    listing = browser.get("/console/help/").get_data(as_text=True)
    assert "Phiên đang mở" in listing and listing.count("Nguyễn Thị Hoa") >= 2
    r = browser.post(f"{where}/end", data={"csrf_token": csrf_of(page)})
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Grant.state)) == "revoked"
    listing = browser.get("/console/help/").get_data(as_text=True)
    assert "Không có phiên nào đang mở" in listing
    assert "Người dân bạn đã giúp" in listing and "Nguyễn Thị Hoa" in listing


def test_unknown_resident_and_bad_scope_are_refused_on_the_page(client, app):
    build(client, app)
    browser = app.test_client()
    console_sign_in(browser, "helper.a")
    r = _start_form(browser, who="079999999999")
    assert r.status_code == 404 and 'role="alert"' in r.get_data(as_text=True)
    r = _start_form(browser, actions=[])
    assert r.status_code == 422
    r = _start_form(browser, hours="99")
    assert r.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Grant.id)) is None


def test_csrf_is_required(client, app):
    build(client, app)
    browser = app.test_client()
    console_sign_in(browser, "helper.a")
    r = browser.post("/console/help/start", data={"who": OWNER_ID, "actions": ["follow"]})
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Grant.id)) is None


def test_only_community_members_and_only_their_own_sessions(client, app):
    world = build(client, app)
    first = app.test_client()
    console_sign_in(first, "helper.a")
    where = _start_form(first).headers["Location"]
    # Another member of a team (same commune) does not see the session.
    make_staff(app, "helper.b", "community", commune_code=world.commune)
    other = app.test_client()
    console_sign_in(other, "helper.b")
    assert other.get(where).status_code == 404
    page = other.get("/console/help/").get_data(as_text=True)
    assert "Nguyễn Thị Hoa" not in page
    token = csrf_of(page)
    assert other.post(f"{where}/end", data={"csrf_token": token}).status_code == 404
    # helper.b is no team member: the service refuses to start a session for them.
    r = other.post(
        "/console/help/start",
        data={"who": OWNER_ID, "actions": ["follow"], "hours": "1", "csrf_token": token},
    )
    assert r.status_code == 403
    # Officers and admins have no help section.
    for username in ("officer.a", "admin.a"):
        staff = app.test_client()
        console_sign_in(staff, username)
        assert staff.get("/console/help/").status_code == 403
        assert staff.get(where).status_code == 403
        assert "/console/help/" not in staff.get("/console/account").get_data(as_text=True)
    assert 'href="/console/help/"' in first.get("/console/account").get_data(as_text=True)


def test_no_id_number_phone_or_code_in_the_logs(client, app, caplog):
    build(client, app)
    caplog.set_level("DEBUG")
    browser = app.test_client()
    console_sign_in(browser, "helper.a")
    where = _start_form(browser).headers["Location"]
    code = app.extensions["otp_sender"].codes[RESIDENT_PHONE]
    page = browser.get(where).get_data(as_text=True)
    browser.post(f"{where}/confirm", data={"code": code, "csrf_token": csrf_of(page)})
    browser.post(f"{where}/end", data={"csrf_token": csrf_of(page)})
    with app.app_context():
        assert db.session.scalar(select(Grant.state)) == "revoked"
    logged = caplog.text
    assert caplog.records and OWNER_ID not in logged
    assert RESIDENT_PHONE not in logged and RESIDENT_PHONE[2:] not in logged
    assert f'"{code}"' not in logged and f"={code}" not in logged
