"""Officers' questions to the agency in the console: a tab of the inbox, their unit's questions
only, answering (the asker is told), publishing the redacted text, closing. And a message a
helper wrote for a resident shows as such, with the resident's name."""

from __future__ import annotations

from sqlalchemy import select

from api.kernel.database import db
from api.support.models import AgencyQuestion
from push.notifications.models import Notification
from tests.helpers import assist_world
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.console import console_sign_in, csrf_of
from tests.helpers.dossiers import CODE
from tests.helpers.support import COMMUNE_UNIT, staff_fixture  # noqa: F401

BASE = "/api/v1/support"
ASKED = "Xin hỏi đăng ký khai sinh cho con cần những giấy tờ gì?"


def _ask(client, app) -> int:  # noqa: ANN001
    tokens = sign_in_verified(app, "001090123999")
    r = client.post(
        f"{BASE}/questions",
        json={"text": ASKED, "procedure_code": "1.011954"},
        headers=bearer(tokens),
    )
    assert r.status_code == 201 and r.json["unit_code"] == COMMUNE_UNIT, r.json
    return r.json["id"]


def test_officer_answers_publishes_and_closes_from_the_inbox(client, app, staff):
    qid = _ask(client, app)
    browser = app.test_client()
    console_sign_in(browser, "sp-commune")
    inbox = browser.get("/console/inbox/").get_data(as_text=True)
    assert "Câu hỏi gửi cơ quan" in inbox and 'href="/console/inbox/questions/"' in inbox
    listing = browser.get("/console/inbox/questions/").get_data(as_text=True)
    assert ASKED[:40] in listing and f"/console/inbox/questions/{qid}" in listing
    page = browser.get(f"/console/inbox/questions/{qid}").get_data(as_text=True)
    token = csrf_of(page)
    # An empty answer is refused by the API's own rules, and nothing changes.
    r = browser.post(
        f"/console/inbox/questions/{qid}/answer", data={"answer": "", "csrf_token": token}
    )
    assert r.status_code == 422
    answer = "Cần tờ khai và giấy chứng sinh; nộp tại UBND xã."
    r = browser.post(
        f"/console/inbox/questions/{qid}/answer",
        data={"answer": answer, "title": "Công chức tư pháp", "csrf_token": token},
    )
    assert r.status_code == 303
    with app.app_context():
        question = db.session.get(AgencyQuestion, qid)
        assert question.status == "answered" and question.answer == answer
        notes = db.session.scalars(
            select(Notification).where(Notification.event == "support_answer")
        ).all()
        assert len(notes) == 1 and notes[0].account_id == question.account_id
    page = browser.get(f"/console/inbox/questions/{qid}").get_data(as_text=True)
    assert answer in page and "Công khai thành hỏi đáp" in page
    # Publishing checks the texts again: a phone number put back is refused.
    r = browser.post(
        f"/console/inbox/questions/{qid}/publish",
        data={
            "public_question": "Gọi tôi 0912345678",
            "public_answer": answer,
            "csrf_token": token,
        },
    )
    assert r.status_code == 422
    r = browser.post(
        f"/console/inbox/questions/{qid}/publish",
        data={"public_question": ASKED, "public_answer": answer, "csrf_token": token},
    )
    assert r.status_code == 303
    assert client.get(f"{BASE}/qa").json["total"] == 1
    r = browser.post(f"/console/inbox/questions/{qid}/close", data={"csrf_token": token})
    assert r.status_code == 303
    closed = browser.get("/console/inbox/questions/?view=closed").get_data(as_text=True)
    assert f"/console/inbox/questions/{qid}" in closed


def test_only_the_units_own_questions(client, app, staff):
    qid = _ask(client, app)
    other = app.test_client()
    console_sign_in(other, "sp-officer")  # another unit
    assert f"/console/inbox/questions/{qid}" not in other.get("/console/inbox/questions/").get_data(
        as_text=True
    )
    assert other.get(f"/console/inbox/questions/{qid}").status_code == 403
    token = csrf_of(other.get("/console/inbox/questions/").get_data(as_text=True))
    r = other.post(
        f"/console/inbox/questions/{qid}/answer", data={"answer": "Không", "csrf_token": token}
    )
    assert r.status_code == 403
    assert (
        other.post(f"/console/inbox/questions/{qid}/close", data={"csrf_token": token}).status_code
        == 403
    )
    with app.app_context():
        assert db.session.get(AgencyQuestion, qid).status == "received"
    # No CSRF token: refused.
    mine = app.test_client()
    console_sign_in(mine, "sp-commune")
    r = mine.post(f"/console/inbox/questions/{qid}/answer", data={"answer": "Có"})
    assert r.status_code == 400
    # Admins and team members have no inbox.
    admin = app.test_client()
    console_sign_in(admin, "sp-admin")
    assert admin.get("/console/inbox/questions/").status_code == 403


def test_a_helpers_message_shows_for_whom(client, app):
    world = assist_world.build(client, app)
    _grant, acting = assist_world.start(client, app, world)
    r = client.post(
        f"/api/v1/assist/dossiers/{CODE}/messages",
        json={"text": "Bà Hoa hỏi khi nào có kết quả."},
        headers=acting,
    )
    assert r.status_code == 201, r.json
    officer = app.test_client()
    console_sign_in(officer, "officer.a")
    page = officer.get(f"/console/inbox/threads/{CODE}").get_data(as_text=True)
    assert "Người hỗ trợ cho người dân" in page and "Helper.A" in page
    assert "thay cho người dân Nguyễn Thị Hoa" in page
