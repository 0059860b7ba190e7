"""Two-way messages on a dossier: who may read and write, attachments, redelivery, officer
inbox and replies, supplement requests, unit digests and the portal queue."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.auth.models import Account
from api.dossiers.models import Dossier
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.messaging.models import Message, MessageThread
from api.messaging.reading import name_authors
from api.messaging.storage import LocalStorage
from api.portal.outbox import PortalOutbox, flush_portal_outbox
from push.notifications.models import Notification
from tests.helpers.dossiers import CODE, OWNER_ID, UNIT, hoso, people, principal_of, push

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01" + b"\x11" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200
URL = f"/api/v1/dossiers/{CODE}/messages"


@pytest.fixture(autouse=True)
def storage(app, tmp_path):
    app.extensions["attachment_storage"] = LocalStorage(tmp_path / "attachments")
    yield tmp_path / "attachments"
    app.extensions.pop("attachment_storage", None)


@pytest.fixture
def who(client, app):
    push(client, [hoso()])
    return people(client, app)


def say(client, headers, text="Xin chào", **extra):  # noqa: ANN001, ANN201
    return client.post(URL, json={"text": text, **extra}, headers=headers)


def upload(client, headers, *files, text="Ảnh giấy tờ"):  # noqa: ANN001, ANN201
    data = {"text": text, "files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(URL, data=data, headers=headers, content_type="multipart/form-data")


# ---- access ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "person, status",
    [
        ("owner", 200),
        ("officer", 200),
        ("admin", 200),
        ("other_officer", 403),
        ("community", 403),
        ("stranger", 404),
        ("contact", 200),
        ("other_phone", 404),
    ],
)
def test_thread_access_matrix(client, who, person, status):
    assert say(client, who["owner"]).status_code == 201
    read = client.get(URL, headers=who[person])
    write = say(client, who[person], "Tôi muốn hỏi")
    assert read.status_code == status
    assert write.status_code == (201 if status == 200 else status)
    if status == 404:
        assert read.json["error"] == write.json["error"] == "dossier_not_found"
    if status == 403:
        assert read.json["error"] == "thread_forbidden"
        assert "đơn vị khác" in read.json["message"]


def test_unknown_dossier_is_404_for_everyone(client, who):
    for person in ("owner", "officer", "stranger"):
        r = client.get("/api/v1/dossiers/000.00.15.H12-251120-0999/messages", headers=who[person])
        assert r.status_code == 404 and r.json["error"] == "dossier_not_found"


def test_stranger_sees_the_same_404_as_unknown(client, who):
    other = client.get(URL, headers=who["stranger"]).json
    unknown = client.get(
        "/api/v1/dossiers/000.00.15.H12-251120-0999/messages", headers=who["stranger"]
    ).json
    assert {k: other[k] for k in ("code", "error")} == {k: unknown[k] for k in ("code", "error")}


def test_names_are_shown_from_views_not_written_on_rows(client, who, app):
    say(client, who["owner"], "Khi nào có kết quả?")
    say(client, who["officer"], "Chiều mai bạn nhé.")
    with app.app_context():
        rows = list(db.session.scalars(select(Message).order_by(Message.id)))
        views = name_authors(rows, "Nguyễn Thị Hoa")
        assert [v.author_name for v in views] == ["Nguyễn Thị Hoa", "Officer.Hk"]
        assert [v.body for v in views] == [r.body for r in rows]  # the rest read through
        assert all("author_name" not in vars(r) for r in rows)  # the rows stay as stored


def test_anonymous_is_401(client, who):
    assert client.get(URL).status_code == 401
    assert client.post(URL, json={"text": "x"}).status_code == 401


# ---- conversation ------------------------------------------------------------------------


def test_citizen_and_officer_talk_with_read_state(client, who, app):
    assert say(client, who["owner"], "Khi nào có kết quả?").status_code == 201
    seen = client.get(URL, headers=who["officer"]).json
    assert seen["viewer"] == "staff" and seen["unread_count"] == 1
    (first,) = seen["items"]
    assert first["side"] == "citizen" and first["author_kind"] == "citizen"
    assert first["author_name"] == "Nguyễn Thị Hoa" and first["channel"] == "app"
    assert first["delivered_at"] is not None and first["read_at"] is None  # the officer has it

    reply = say(client, who["officer"], "Chiều mai bạn nhé.")
    assert reply.status_code == 201 and reply.json["author_name"] == "Officer.Hk"
    mine = client.get(URL, headers=who["owner"]).json
    assert mine["viewer"] == "citizen" and mine["unread_count"] == 1
    assert mine["items"][0]["read_at"] is not None  # replying read the citizen's message
    assert not mine["thread"]["awaiting_reply"]

    from api.messaging.reading import unread_message_count

    with app.app_context():
        owner = db.session.scalar(select(Account).where(Account.personal_id == OWNER_ID))
        assert unread_message_count(owner.id) == 1
    r = client.post(f"{URL}/read", json={}, headers=who["owner"])
    assert r.json == {"marked": 1, "unread_count": 0}
    with app.app_context():
        assert unread_message_count(owner.id) == 0


def test_officer_reply_notifies_the_citizen(client, who, app):
    say(client, who["owner"], "Tôi cần bổ sung gì?")
    reply = say(client, who["officer"], "Bạn gửi thêm bản sao CCCD nhé.")
    with app.app_context():
        owner = db.session.scalar(select(Account).where(Account.personal_id == OWNER_ID))
        (note,) = db.session.scalars(
            select(Notification).where(Notification.account_id == owner.id)
        ).all()
        assert note.event == "officer_reply"
        assert note.params["code"] == CODE
        assert note.params["preview"] == "Bạn gửi thêm bản sao CCCD nhé."
        assert note.dedupe_key == f"officer_reply:{reply.json['id']}:a{owner.id}"
        # The contact (the record's phone, proven) hears of it too: the same person's phone.
        contact = db.session.scalar(select(Account).where(Account.phone == "84912345987"))
        (heard,) = db.session.scalars(
            select(Notification).where(Notification.account_id == contact.id)
        ).all()
        assert heard.event == "officer_reply"
    # The citizen's own messages notify nobody at once (units get a digest).
    say(client, who["owner"], "Cảm ơn")
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Notification)) == 2


def test_text_is_cleaned_and_limited(client, who):
    r = say(client, who["owner"], "  Xin\u200b chào\u202e\x07\r\n\r\n\r\n\r\nbạn  ")
    assert r.status_code == 201 and r.json["text"] == "Xin chào\n\nbạn"
    assert say(client, who["owner"], "\u200b \x07").json["error"] == "message_empty"
    too_long = say(client, who["owner"], "a" * 2001)
    assert too_long.status_code == 422


def test_cursor_paging_and_since(client, who):
    ids = [say(client, who["owner"], f"tin {n}").json["id"] for n in range(5)]
    page = client.get(f"{URL}?limit=2", headers=who["owner"]).json
    assert [m["text"] for m in page["items"]] == ["tin 3", "tin 4"]
    older = client.get(f"{URL}?limit=2&cursor={page['next_cursor']}", headers=who["owner"]).json
    assert [m["text"] for m in older["items"]] == ["tin 1", "tin 2"]
    oldest = client.get(f"{URL}?limit=2&cursor={older['next_cursor']}", headers=who["owner"]).json
    assert [m["text"] for m in oldest["items"]] == ["tin 0"] and oldest["next_cursor"] is None
    new = client.get(f"{URL}?since={ids[2]}&limit=1", headers=who["owner"]).json
    assert [m["text"] for m in new["items"]] == ["tin 3"] and new["more"] is True
    assert client.get(f"{URL}?since={ids[4]}", headers=who["owner"]).json["items"] == []


def test_redelivered_message_is_stored_once(client, who, app):
    from api.messaging.service import post_message

    with app.test_request_context():
        principal = principal_of(who["owner"])
        first, created = post_message(principal, CODE, "Từ Zalo", "zalo", external_message_id="m1")
        again, created_again = post_message(
            principal, CODE, "Từ Zalo", "zalo", external_message_id="m1"
        )
        assert created and not created_again and first.id == again.id
        # The same id on another channel is another message.
        _, other = post_message(
            principal, CODE, "Từ Telegram", "telegram", external_message_id="m1"
        )
        assert other
        db.session.commit()  # the test is the caller: it owns the unit of work
    r1 = say(client, who["owner"], "Từ ứng dụng", client_message_id="app-1")
    r2 = say(client, who["owner"], "Từ ứng dụng", client_message_id="app-1")
    assert (r1.status_code, r2.status_code) == (201, 200) and r1.json["id"] == r2.json["id"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Message)) == 3


def test_citizen_messages_are_rate_limited(client, who, monkeypatch):
    from api.kernel.ratelimit import Limit
    from api.messaging import service

    monkeypatch.setattr(service, "MESSAGES_PER_ACCOUNT", Limit("messages_test", 2, 600))
    assert [say(client, who["owner"], str(n)).status_code for n in range(3)] == [201, 201, 429]
    assert say(client, who["officer"], "Cán bộ không bị giới hạn").status_code == 201


# ---- attachments -------------------------------------------------------------------------


def test_photos_and_pdfs_are_recognised_by_their_bytes(client, who):
    r = upload(client, who["owner"], ("cccd.jpg", JPEG), ("scan", PDF), ("anh.pdf", PNG))
    assert r.status_code == 201, r.json
    kinds = [(a["content_type"], a["filename"]) for a in r.json["attachments"]]
    assert kinds == [
        ("image/jpeg", "cccd.jpg"),
        ("application/pdf", "scan.pdf"),
        ("image/png", "anh.png"),  # named .pdf, really a PNG
    ]


def test_program_renamed_jpg_is_refused(client, who, app, storage):
    r = upload(client, who["owner"], ("cccd.jpg", EXE))
    assert r.status_code == 415 and r.json["error"] == "attachment_type_not_allowed"
    assert "cccd.jpg" in r.json["message"]
    html = upload(client, who["owner"], ("trang.pdf", b"<html><script>x</script></html>"))
    assert html.status_code == 415
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Message)) == 0
    assert not storage.exists() or not any(p.is_file() for p in storage.rglob("*"))


def test_oversize_file_is_refused(client, who, app, monkeypatch):
    monkeypatch.setitem(
        app.extensions, "settings", replace(app.extensions["settings"], attachment_max_bytes=100)
    )
    r = upload(client, who["owner"], ("to.jpg", JPEG))
    assert r.status_code == 413 and r.json["error"] == "attachment_too_large"
    en = client.post(
        URL,
        data={"files": [(io.BytesIO(JPEG), "to.jpg")]},
        headers={**who["owner"], "Accept-Language": "en"},
        content_type="multipart/form-data",
    )
    assert "too large" in en.json["message"]


def test_files_that_are_not_files_are_refused_plainly(client, who):
    """ "files" in a JSON body (strings, not uploads): 422 naming the field, nothing stored."""
    url = f"/api/v1/dossiers/{CODE}/messages"
    r = client.post(url, json={"text": "xin chào", "files": ["a.png"]}, headers=who["owner"])
    assert r.status_code == 422 and list(r.json["errors"]) == ["files"], r.json
    assert client.get(url, headers=who["owner"]).json["items"] == []


def test_too_many_files_are_refused(client, who):
    r = upload(client, who["owner"], *[(f"{n}.png", PNG) for n in range(6)])
    assert r.status_code == 422 and r.json["error"] == "too_many_attachments"


@pytest.mark.parametrize(
    "person, status",
    [("owner", 200), ("officer", 200), ("admin", 200), ("other_officer", 403), ("stranger", 404)],
)
def test_attachment_download_authorization(client, who, person, status):
    sent = upload(client, who["owner"], ("cccd.jpg", JPEG)).json
    (attachment,) = sent["attachments"]
    r = client.get(attachment["url"], headers=who[person])
    assert r.status_code == status
    if status == 200:
        assert r.data == JPEG and r.mimetype == "image/jpeg"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "attachment" in r.headers["Content-Disposition"]
        assert "no-store" in r.headers["Cache-Control"]


def test_attachment_is_only_served_under_its_own_dossier(client, who):
    push(client, [hoso("000.00.15.H12-251120-0002")])
    (attachment,) = upload(client, who["owner"], ("a.png", PNG)).json["attachments"]
    wrong = f"/api/v1/dossiers/000.00.15.H12-251120-0002/attachments/{attachment['id']}"
    r = client.get(wrong, headers=who["owner"])
    assert r.status_code == 404 and r.json["error"] == "attachment_not_found"
    assert client.get(attachment["url"]).status_code == 401


# ---- officer inbox -----------------------------------------------------------------------


def _inbox(client, headers, query=""):  # noqa: ANN001, ANN202
    r = client.get(f"/api/v1/officer/threads{query}", headers=headers)
    assert r.status_code == 200, r.json
    return r.json


def test_inbox_filters(client, who, app, monkeypatch):
    push(client, [hoso("000.00.15.H12-251120-0002")])
    push(client, [hoso("000.00.15.H12-251120-0003", DonViXuLy="UBND xã Khác")])
    say(client, who["owner"], "Hồ sơ 1")
    client.post(
        "/api/v1/dossiers/000.00.15.H12-251120-0002/messages",
        json={"text": "Hồ sơ 2"},
        headers=who["owner"],
    )
    client.post(
        "/api/v1/dossiers/000.00.15.H12-251120-0003/messages",
        json={"text": "Đơn vị khác"},
        headers=who["owner"],
    )
    everything = _inbox(client, who["officer"])
    assert {t["code"] for t in everything["items"]} == {CODE, "000.00.15.H12-251120-0002"}
    assert all(t["unread_count"] == 1 and t["awaiting_reply_since"] for t in everything["items"])

    say(client, who["officer"], "Đã nhận")  # answers dossier 1
    client.post(
        "/api/v1/dossiers/000.00.15.H12-251120-0002/messages/read", json={}, headers=who["officer"]
    )
    assert [t["code"] for t in _inbox(client, who["officer"], "?unread=true")["items"]] == []
    awaiting = _inbox(client, who["officer"], "?awaiting_reply=true")["items"]
    assert [t["code"] for t in awaiting] == ["000.00.15.H12-251120-0002"]
    assert _inbox(client, who["officer"], "?overdue=true")["items"] == []
    with app.app_context():
        db.session.execute(
            update(MessageThread)
            .where(MessageThread.awaiting_reply_since.is_not(None))
            .values(awaiting_reply_since=utcnow() - timedelta(hours=30))
        )
        db.session.commit()
    overdue = _inbox(client, who["officer"], "?overdue=true")["items"]
    assert [(t["code"], t["overdue"]) for t in overdue] == [("000.00.15.H12-251120-0002", True)]
    monkeypatch.setitem(
        app.extensions,
        "settings",
        replace(app.extensions["settings"], message_reply_target_hours=48),
    )
    assert _inbox(client, who["officer"], "?overdue=true")["items"] == []
    admin_view = _inbox(client, who["admin"], "?unit=UBND xã Khác")["items"]
    assert [t["code"] for t in admin_view] == ["000.00.15.H12-251120-0003"]
    assert client.get("/api/v1/officer/threads", headers=who["owner"]).status_code == 403


def test_assign_to_a_colleague_of_the_same_unit(client, who, app):
    say(client, who["owner"], "Xin chào")
    with app.app_context():
        colleague = db.session.scalar(select(Account).where(Account.username == "officer.hk2"))
        outsider = db.session.scalar(select(Account).where(Account.username == "officer.other"))
        colleague_id, outsider_id = colleague.public_id, outsider.public_id
    assign = f"/api/v1/officer/threads/{CODE}/assign"
    r = client.post(assign, json={"assignee_id": colleague_id}, headers=who["officer"])
    assert r.status_code == 200 and r.json["assigned_to"]["id"] == colleague_id
    mine = _inbox(client, who["colleague"], "?assigned=me")["items"]
    assert [t["code"] for t in mine] == [CODE]
    refused = client.post(assign, json={"assignee_id": outsider_id}, headers=who["officer"])
    assert refused.status_code == 422 and refused.json["error"] == "assignee_not_in_unit"
    forbidden = client.post(assign, json={"assignee_id": None}, headers=who["other_officer"])
    assert forbidden.status_code == 403
    cleared = client.post(assign, json={"assignee_id": None}, headers=who["officer"])
    assert cleared.json["assigned_to"] is None


def test_close_and_a_citizen_message_reopens(client, who):
    say(client, who["owner"], "Xin chào")
    closed = client.post(f"/api/v1/officer/threads/{CODE}/close", headers=who["officer"])
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert closed.json["awaiting_reply_since"] is None
    refused = say(client, who["officer"], "Thêm một ý")
    assert refused.status_code == 409 and refused.json["error"] == "thread_closed"
    assert say(client, who["owner"], "Tôi còn câu hỏi").status_code == 201
    thread = client.get(URL, headers=who["officer"]).json["thread"]
    assert thread["status"] == "open" and thread["awaiting_reply"] is True
    client.post(f"/api/v1/officer/threads/{CODE}/close", headers=who["officer"])
    reopened = client.post(f"/api/v1/officer/threads/{CODE}/reopen", headers=who["officer"])
    assert reopened.json["status"] == "open"
    assert say(client, who["officer"], "Đã mở lại").status_code == 201


def test_canned_replies_per_unit(client, who):
    base = "/api/v1/officer/canned-replies"
    made = client.post(
        base,
        json={"title": "Hẹn trả", "body": "Hồ sơ sẽ có kết quả đúng hẹn."},
        headers=who["officer"],
    )
    assert made.status_code == 201 and made.json["unit_code"] == UNIT
    reply_id = made.json["id"]
    assert client.get(base, headers=who["colleague"]).json["total"] == 1
    assert client.get(base, headers=who["other_officer"]).json["total"] == 0
    foreign = client.patch(f"{base}/{reply_id}", json={"title": "x"}, headers=who["other_officer"])
    assert foreign.status_code == 404
    changed = client.patch(
        f"{base}/{reply_id}", json={"title": "Lịch hẹn"}, headers=who["colleague"]
    )
    assert changed.json["title"] == "Lịch hẹn"
    # Only spaces (or control characters) is no title: refused, nothing changed.
    blank = client.post(base, json={"title": "\u0085", "body": " "}, headers=who["officer"])
    assert blank.status_code == 422 and blank.json["error"] == "canned_reply_empty"
    blank = client.patch(f"{base}/{reply_id}", json={"body": "  "}, headers=who["colleague"])
    assert blank.status_code == 422
    assert client.get(base, headers=who["colleague"]).json["total"] == 1
    assert client.get(base, headers=who["admin"]).json["error"] == "unit_required"
    assert client.get(f"{base}?unit={UNIT}", headers=who["admin"]).json["total"] == 1
    assert (
        client.post(base, json={"title": "a", "body": "b"}, headers=who["owner"]).status_code == 403
    )
    assert client.delete(f"{base}/{reply_id}", headers=who["officer"]).status_code == 204
    assert client.delete(f"{base}/{reply_id}", headers=who["officer"]).status_code == 404
    assert client.delete(f"{base}/abc", headers=who["officer"]).status_code == 404


# ---- supplement requests, digests, portal ------------------------------------------------


def test_supplement_request_opens_the_thread_once(client, who, app):
    from api.messaging.system import open_supplement_thread

    request = {
        "HoSoBoSungId": f"{CODE}-BS1",
        "NoiDungBoSung": "Bổ sung bản sao giấy tờ chứng minh nơi cư trú",
        "NgayYeuCauBoSung": "20251120150000",
    }
    push(client, [hoso(status=5, DanhSachHoSoBoSung=[request])])
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == CODE))
        assert len(open_supplement_thread(dossier, "event-1")) == 1
        assert open_supplement_thread(dossier, "event-1") == []  # the event again: nothing new
        db.session.commit()
    thread = client.get(URL, headers=who["owner"]).json
    (message,) = thread["items"]
    assert message["author_kind"] == "system" and message["side"] == "staff"
    assert "giấy tờ chứng minh nơi cư trú" in message["text"]
    assert message["meta"]["request_id"] == f"{CODE}-BS1"
    assert thread["unread_count"] == 1
    assert upload(client, who["owner"], ("cu-tru.jpg", JPEG)).status_code == 201


def test_unit_digest_one_email_per_unit_and_inbox_per_officer(client, who, app, monkeypatch):
    from api.messaging.digest import send_unit_digests

    monkeypatch.setitem(
        app.extensions,
        "settings",
        replace(app.extensions["settings"], unit_digest_emails={UNIT: "motcua@hoankiem.gov.vn"}),
    )
    push(client, [hoso("000.00.15.H12-251120-0002")])
    for text in ("Một", "Hai", "Ba"):
        say(client, who["owner"], text)
    client.post(
        "/api/v1/dossiers/000.00.15.H12-251120-0002/messages",
        json={"text": "Bốn"},
        headers=who["owner"],
    )
    with app.app_context():
        assert send_unit_digests() == {"units": 1, "in_app": 2, "emails": 1}
        notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        emails = [n for n in notes if n.chat_channel == "email"]
        inboxes = [n for n in notes if n.account_id is not None]
        assert len(emails) == 1 and emails[0].chat_id == "motcua@hoankiem.gov.vn"
        assert emails[0].chain == ["email"] and emails[0].params["count"] == 4
        assert CODE in emails[0].params["dossiers"]
        assert len(inboxes) == 2 and all(n.chain == [] for n in inboxes)
        assert {n.status for n in inboxes} == {"delivered"}
        assert send_unit_digests() == {"units": 0, "in_app": 0, "emails": 0}
    say(client, who["owner"], "Năm")
    with app.app_context():
        assert send_unit_digests()["emails"] == 1  # the next period: one more digest


def test_messages_reach_the_portal_once(client, who, app, portal):
    say(client, who["owner"], "Xin chào")
    say(client, who["officer"], "Chào bạn")
    with app.app_context():
        assert flush_portal_outbox() == {"sent": 2, "retry": 0, "failed": 0}
        assert flush_portal_outbox() == {"sent": 0, "retry": 0, "failed": 0}
        db.session.execute(update(PortalOutbox).values(status="pending"))  # answer lost
        db.session.commit()
        assert flush_portal_outbox()["sent"] == 2
    sent = [r for r in portal.received if r["service"] == "DongBoTraoDoiHoSo"]
    assert [r["data"][0]["NguoiGui"] for r in sent] == ["CONG_DAN", "CAN_BO"]
    assert sent[0]["data"][0]["MaHoSo"] == CODE and sent[0]["data"][0]["NoiDung"] == "Xin chào"


def test_openapi_documents_every_messaging_route(client):
    spec = client.get("/openapi.json").json
    expected = {
        ("/api/v1/dossiers/{code}/messages", "get"),
        ("/api/v1/dossiers/{code}/messages", "post"),
        ("/api/v1/dossiers/{code}/messages/read", "post"),
        ("/api/v1/dossiers/{code}/attachments/{attachment_id}", "get"),
        ("/api/v1/officer/threads", "get"),
        ("/api/v1/officer/threads/{code}/assign", "post"),
        ("/api/v1/officer/threads/{code}/close", "post"),
        ("/api/v1/officer/threads/{code}/reopen", "post"),
        ("/api/v1/officer/canned-replies", "get"),
        ("/api/v1/officer/canned-replies", "post"),
        ("/api/v1/officer/canned-replies/{reply_id}", "patch"),
        ("/api/v1/officer/canned-replies/{reply_id}", "delete"),
    }
    for path, method in expected:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}], (path, method)
        assert "401" in operation["responses"] and operation.get("summary"), (path, method)
    body = spec["paths"]["/api/v1/dossiers/{code}/messages"]["post"]["requestBody"]["content"]
    assert {"multipart/form-data", "application/json"} <= set(body)
