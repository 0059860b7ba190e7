"""The staff console without a browser: sessions, CSRF, security headers, language, the
officer's inbox and thread, and an area admin's staff pages; who sees what."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from api.audit.models import AuditEvent
from api.auth.models import AuthSession
from api.kernel.database import db
from api.messaging.models import Message, MessageThread
from api.messaging.storage import LocalStorage
from push.notifications.models import Notification
from tests.helpers.common import STAFF_PASSWORD, make_staff
from tests.helpers.console import console_sign_in, csrf_of, post_form
from tests.helpers.dossiers import CODE, OTHER_UNIT, UNIT, hoso, people, push

OTHER_CODE = "000.00.15.H12-251120-0002"
THREAD = f"/console/inbox/threads/{CODE}"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x11" * 200


@pytest.fixture(autouse=True)
def storage(app, tmp_path):
    app.extensions["attachment_storage"] = LocalStorage(tmp_path / "attachments")
    yield
    app.extensions.pop("attachment_storage", None)


@pytest.fixture
def who(client, app):
    push(client, [hoso(), hoso(OTHER_CODE, DonViXuLy=OTHER_UNIT, ChuHoSo="Trần Văn Khác")])
    headers = people(client, app)
    for code in (CODE, OTHER_CODE):
        r = client.post(
            f"/api/v1/dossiers/{code}/messages",
            json={"text": "Khi nào có kết quả ạ?"},
            headers=headers["owner"],
        )
        assert r.status_code == 201, r.json
    return headers


# ---- sessions, CSRF and headers ---------------------------------------------------------------


def test_pages_need_a_sign_in(client):
    for path in ("/console/", "/console/inbox/", "/console/staff/", THREAD):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["Location"].endswith("/console/login")


def test_sign_in_page_headers_and_cookie(client, app):
    r = client.get("/console/login")
    assert r.status_code == 200
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp and r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["Cache-Control"] == "no-store"
    html = r.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    assert 'lang="vi"' in html and "Đăng nhập" in html and 'href="#main"' in html
    assert "/console/static/htmx.min.js" in html
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/console" in cookie


def test_cookie_is_secure_behind_https(database_url):
    from tests.conftest import build_app

    app = build_app(database_url, app_base_url="https://dvc.example.vn")
    cookie = app.test_client().get("/console/login").headers["Set-Cookie"]
    assert "Secure" in cookie


def test_sign_in_out_and_the_session_row(client, app):
    make_staff(app, "officer.hk", "officer", unit_code=UNIT)
    r = console_sign_in(client, "officer.hk")
    assert r.status_code == 303
    assert client.get("/console/inbox/").status_code == 200
    with app.app_context():
        (session,) = db.session.scalars(select(AuthSession)).all()
        assert session.revoked_at is None
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "sign_in" in actions
        assert (
            db.session.scalar(select(AuditEvent.channel).where(AuditEvent.action == "sign_in"))
            == "console"
        )
    r = post_form(client, "/console/logout")
    assert r.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(AuthSession)).one().revoked_reason == "logout"
    assert client.get("/console/inbox/").status_code == 303


def test_wrong_password_then_lockout_as_the_api(client, app):
    make_staff(app, "officer.hk", "officer", unit_code=UNIT)
    for _ in range(5):
        r = console_sign_in(client, "officer.hk", "wrong password 1")
        assert r.status_code == 401 and "không đúng" in r.get_data(as_text=True)
    r = console_sign_in(client, "officer.hk")
    assert r.status_code == 429 and "tạm khóa" in r.get_data(as_text=True)
    # The same lock holds for the JSON API: one rule.
    api = client.post(
        "/api/v1/auth/staff/login", json={"username": "officer.hk", "password": STAFF_PASSWORD}
    )
    assert api.status_code == 429


def test_forms_without_the_token_are_refused(client, app, who):
    console_sign_in(client, "officer.hk")
    r = client.post(f"{THREAD}/close", data={})
    assert r.status_code == 400
    r = client.post(f"{THREAD}/close", data={"csrf_token": "forged"})
    assert r.status_code == 400
    token = csrf_of(client.get(THREAD).get_data(as_text=True))
    r = client.post(
        f"{THREAD}/close", data={"csrf_token": token}, headers={"Origin": "https://evil.example"}
    )
    assert r.status_code == 400
    with app.app_context():
        assert db.session.scalars(select(MessageThread.status)).all() == ["open", "open"]
    assert client.post("/console/login", data={"username": "x", "password": "y"}).status_code == 400


def test_suspension_ends_a_console_session_at_once(client, app, who):
    console_sign_in(client, "officer.hk")
    assert client.get("/console/inbox/").status_code == 200
    officer = client.get("/api/v1/admin/staff?role=officer", headers=who["admin"]).json["items"]
    officer_id = next(o["id"] for o in officer if o["username"] == "officer.hk")
    client.patch(f"/api/v1/admin/staff/{officer_id}", json={"active": False}, headers=who["admin"])
    assert client.get("/console/inbox/").status_code == 303


def test_language_switch(client, app):
    page = client.get("/console/login")
    token = csrf_of(page.get_data(as_text=True))
    r = client.post(
        "/console/language", data={"lang": "en", "next": "/console/login", "csrf_token": token}
    )
    assert r.status_code == 303 and r.headers["Location"] == "/console/login"
    html = client.get("/console/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html and "Tiếng Việt" in html
    r = client.post(
        "/console/language",
        data={"lang": "en", "next": "https://evil.example/", "csrf_token": token},
    )
    assert r.headers["Location"] == "/console/"  # no open redirect


# ---- officer ---------------------------------------------------------------------------------


def test_officer_inbox_shows_only_the_unit(client, who):
    console_sign_in(client, "officer.hk")
    html = client.get("/console/inbox/").get_data(as_text=True)
    assert CODE in html and OTHER_CODE not in html
    assert "Nguyễn Thị Hoa" in html and "Trần Văn Khác" not in html
    assert "1 chưa đọc" in html
    assert client.get(f"/console/inbox/threads/{OTHER_CODE}").status_code == 404
    # Navigation: the officer's section only, no admin pages.
    assert "/console/staff/" not in html and "/console/inbox/" in html
    assert client.get("/console/staff/").status_code == 403


def test_thread_shows_dossier_authors_and_reads(client, app, who):
    console_sign_in(client, "officer.hk")
    html = client.get(THREAD).get_data(as_text=True)
    assert "Khi nào có kết quả ạ?" in html and "Người dân" in html
    assert "Đăng ký khai sinh" in html and "Quá trình xử lý" in html and UNIT in html
    with app.app_context():
        citizen = select(Message.read_at).where(Message.author_kind == "citizen")
        assert db.session.scalar(citizen) is not None  # opening the thread read it
    html = client.get("/console/inbox/?view=unread").get_data(as_text=True)
    assert CODE not in html.split('class="threads"')[-1]


def test_reply_with_attachment_notifies_the_citizen_once(client, app, who):
    console_sign_in(client, "officer.hk")
    page = client.get(THREAD).get_data(as_text=True)
    token = csrf_of(page)
    data = {
        "csrf_token": token,
        "text": "Chiều mai chị đến nhận nhé.",
        "client_message_id": "abc123",
        "files": [(io.BytesIO(JPEG), "giay-hen.jpg")],
    }
    r = client.post(f"{THREAD}/reply", data=data, content_type="multipart/form-data")
    assert r.status_code == 303
    again = {**data, "files": [(io.BytesIO(JPEG), "giay-hen.jpg")]}
    client.post(f"{THREAD}/reply", data=again, content_type="multipart/form-data")
    html = client.get(THREAD).get_data(as_text=True)
    assert "Đã gửi trả lời" in html and html.count("Chiều mai chị đến nhận nhé.") == 1
    assert "giay-hen.jpg" in html
    with app.app_context():
        message = db.session.scalars(select(Message).where(Message.author_kind == "officer")).one()
        assert message.channel == "web" and len(message.attachments) == 1
        notes = db.session.scalars(select(Notification)).all()
        # Once per person however often the form was sent: the VNeID owner and the contact
        # whose phone is on the record (issue 12) each hear of the reply once.
        assert len(notes) == 2 and len({n.account_id for n in notes}) == 2
        assert all(n.event == "officer_reply" and n.params["code"] == CODE for n in notes)
        link = f"{THREAD}/files/{message.attachments[0].public_id}"
    download = client.get(link)
    assert download.status_code == 200 and download.data == JPEG


def test_reply_errors_keep_the_draft(client, who):
    console_sign_in(client, "officer.hk")
    token = csrf_of(client.get(THREAD).get_data(as_text=True))
    r = client.post(
        f"{THREAD}/reply",
        data={"csrf_token": token, "text": "Ảnh kèm", "files": [(io.BytesIO(b"MZ" * 50), "a.exe")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 415
    html = r.get_data(as_text=True)
    assert "không phải ảnh" in html and "Ảnh kèm</textarea>" in html


def test_canned_assign_close_reopen(client, app, who):
    console_sign_in(client, "officer.hk")
    r = post_form(
        client,
        "/console/inbox/canned",
        {"title": "Hẹn trả", "body": "Hồ sơ của bạn đang được xử lý."},
        page="/console/inbox/canned",
    )
    assert r.status_code == 303
    (reply,) = client.get("/api/v1/officer/canned-replies", headers=who["officer"]).json["items"]
    html = client.get(f"{THREAD}?canned={reply['id']}").get_data(as_text=True)
    assert "Hồ sơ của bạn đang được xử lý.</textarea>" in html
    colleague = next(
        p
        for p in client.get(
            f"/api/v1/officer/threads/{CODE}/assignees", headers=who["officer"]
        ).json["items"]
        if p["full_name"] == "Officer.Hk2"
    )
    assert f'value="{colleague["id"]}"' in html
    assert (
        post_form(
            client, f"{THREAD}/assign", {"assignee_id": colleague["id"]}, page=THREAD
        ).status_code
        == 303
    )
    listed = client.get("/api/v1/officer/threads", headers=who["officer"]).json["items"][0]
    assert listed["assigned_to"]["full_name"] == "Officer.Hk2"
    assert post_form(client, f"{THREAD}/close", page=THREAD).status_code == 303
    html = client.get(THREAD).get_data(as_text=True)
    assert "đã đóng" in html and 'name="text"' not in html
    assert post_form(client, f"{THREAD}/reopen", page=THREAD).status_code == 303
    assert 'name="text"' in client.get(THREAD).get_data(as_text=True)
    with app.app_context():
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"thread_assigned", "thread_closed", "thread_reopened"} <= actions


def test_community_member_sees_only_the_help_section(client, who):
    console_sign_in(client, "community.x")
    r = client.get("/console/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"].endswith("/console/help/")
    html = client.get("/console/help/").get_data(as_text=True)
    assert "Bắt đầu phiên giúp" in html
    assert "/console/inbox/" not in html and "/console/staff/" not in html
    assert client.get("/console/inbox/").status_code == 403


def test_logs_carry_no_names_passwords_or_message_text(app, client, who, caplog):
    caplog.set_level("DEBUG")
    console_sign_in(client, "officer.hk")
    console_sign_in(app.test_client(), "officer.other", "a wrong password 9")
    token = csrf_of(client.get(THREAD).get_data(as_text=True))
    client.post(f"{THREAD}/reply", data={"csrf_token": token, "text": "Nội dung riêng tư 42"})
    logged = "\n".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert "/console/inbox/threads/" in logged  # the requests were logged
    for secret in ("Nguyễn Thị Hoa", STAFF_PASSWORD, "a wrong password 9", "Nội dung riêng tư"):
        assert secret not in logged
