"""Questions to the agency: asked signed in or anonymously with a contact, routed to the unit
with a reply target, answered by its officer, the answer sent to the asker's channel, personal
data found and removed, published only after review; the public view has no contact; the
same text twice within 300 s is one question."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.phone import normalise_phone
from api.support.models import AgencyQuestion
from api.support.privacy import find_personal_data, redact
from api.support.questions import Asker, ask_agency
from push.notifications.models import Notification
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.support import COMMUNE_UNIT, UNIT, seeded_fixture, staff_fixture  # noqa: F401

BASE = "/api/v1/support"
PERSONAL = (
    "Tôi số định danh 001090123456, điện thoại 0912 345 678, email an.nguyen@example.vn, "
    "hồ sơ 000.00.15.H12-251120-0001 sao chưa xong?"
)


def test_personal_data_is_found_and_masked():
    assert find_personal_data(PERSONAL) == ["dossier_code", "email", "id_number", "phone"]
    masked = redact(PERSONAL)
    for secret in ("001090123456", "0912 345 678", "an.nguyen@example.vn", "H12-251120"):
        assert secret not in masked
    assert "[số định danh]" in masked and "[email]" in masked and "[mã hồ sơ]" in masked
    assert find_personal_data("Lệ phí 50.000 đồng, nộp trong 30 ngày") == []
    assert find_personal_data("gọi +84 912 345 678") == ["phone"]


def test_anonymous_needs_a_contact_and_same_text_twice_is_one(client, app):
    text = {"text": "Xin hỏi làm lại giấy khai sinh bản sao ở đâu?"}
    r = client.post(f"{BASE}/questions", json=text)
    assert r.status_code == 422 and r.json["error"] == "question_contact_needed"
    bad = client.post(f"{BASE}/questions", json={**text, "contact_phone": "12ab"})
    assert bad.status_code == 422
    first = client.post(f"{BASE}/questions", json={**text, "contact_email": "hoa@example.vn"})
    assert first.status_code == 201
    # The same words (other marks, spacing) moments later: the same question.
    again = client.post(
        f"{BASE}/questions",
        json={
            "text": "xin hoi  lam lai giay khai sinh ban sao o dau?",
            "contact_email": "hoa@example.vn",
        },
    )
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    other = client.post(f"{BASE}/questions", json={**text, "contact_email": "lan@example.vn"})
    assert other.status_code == 201  # another person asking the same is another question
    with app.app_context():
        db.session.execute(
            update(AgencyQuestion).values(created_at=utcnow() - timedelta(seconds=301))
        )
        db.session.commit()
    later = client.post(f"{BASE}/questions", json={**text, "contact_email": "hoa@example.vn"})
    assert later.status_code == 201 and later.json["id"] != first.json["id"]


def test_routed_answered_notified_published_without_contact(client, app, staff):
    tokens = sign_in_verified(app, "001090123456")
    asked = client.post(
        f"{BASE}/questions",
        json={"text": PERSONAL, "procedure_code": "1.011954"},
        headers=bearer(tokens),
    )
    assert asked.status_code == 201
    question = asked.json
    assert question["unit_code"] == COMMUNE_UNIT and question["field_code"] == "HO_TICH"
    assert question["due_at"] > question["created_at"] and question["status"] == "received"
    qid = question["id"]
    mine = client.get(f"{BASE}/questions/mine", headers=bearer(tokens)).json
    assert [q["id"] for q in mine["items"]] == [qid]

    # Another unit neither sees nor answers it.
    wrong = client.post(
        f"{BASE}/admin/questions/{qid}/answer", json={"answer": "Trả lời"}, headers=staff["officer"]
    )
    assert wrong.status_code == 403
    queue = client.get(f"{BASE}/admin/questions", headers=staff["officer"]).json
    assert qid not in [q["id"] for q in queue["items"]]
    queue = client.get(f"{BASE}/admin/questions", headers=staff["commune"]).json
    assert [q["id"] for q in queue["items"]] == [qid]
    assert queue["items"][0]["personal_data"] == ["dossier_code", "email", "id_number", "phone"]
    early = client.post(f"{BASE}/admin/questions/{qid}/publish", json={}, headers=staff["commune"])
    assert early.status_code == 409  # nothing to publish before an answer

    answered = client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={
            "answer": "Hồ sơ khai sinh trả trong ngày; xin gọi 0987654321 nếu cần.",
            "title": "Công chức tư pháp",
        },
        headers=staff["commune"],
    )
    assert answered.status_code == 200 and answered.json["status"] == "answered"
    with app.app_context():
        (note,) = db.session.scalars(
            select(Notification).where(Notification.event == "support_answer")
        ).all()
        assert note.account_id is not None and "trả trong ngày" in note.params["answer"]
        assert "001090123456" not in json.dumps(note.params)  # the asked text goes redacted

    # Publishing re-checks the texts: an editor who puts personal data back is refused.
    refused = client.post(
        f"{BASE}/admin/questions/{qid}/publish",
        json={"public_question": "Gọi tôi: 0912345678"},
        headers=staff["commune"],
    )
    assert refused.status_code == 422 and refused.json["error"] == "question_personal_data"
    published = client.post(
        f"{BASE}/admin/questions/{qid}/publish", json={}, headers=staff["commune"]
    )
    assert published.status_code == 200 and published.json["status"] == "published"

    public = client.get(f"{BASE}/qa").json
    assert public["total"] == 1
    (item,) = public["items"]
    assert set(item) == {
        "id",
        "question",
        "answer",
        "field_code",
        "procedure_code",
        "unit_code",
        "answered_at",
        "published_at",
        "source",
    }
    raw = json.dumps(public, ensure_ascii=False)
    for secret in (
        "001090123456",
        "0912 345 678",
        "an.nguyen@example.vn",
        "0987654321",
        "H12-251120-0001",
    ):
        assert secret not in raw
    assert client.get(f"{BASE}/qa?q=khai sinh").json["total"] == 1
    assert client.get(f"{BASE}/qa?field=DAT_DAI").json["total"] == 0


def test_anonymous_answer_goes_to_the_contact(client, app, staff):
    asked = client.post(
        f"{BASE}/questions",
        json={
            "text": "Đất nông nghiệp có tách thửa được không?",
            "contact_phone": "0912345678",
            "contact_name": "Bình",
        },
    )
    qid = asked.json["id"]
    assert asked.json["unit_code"] == UNIT
    client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={"answer": "Được, nếu đủ diện tích."},
        headers=staff["admin"],
    )
    with app.app_context():
        (note,) = db.session.scalars(
            select(Notification).where(Notification.event == "support_answer")
        ).all()
        assert (note.chat_channel, note.chat_id) == ("sms", normalise_phone("0912345678"))
        assert note.chain == ["sms"]


def test_unknown_codes_are_422(client):
    body = {"text": "Một câu hỏi đủ dài", "contact_email": "a@example.vn"}
    for extra in ({"procedure_code": "9.999999"}, {"field_code": "KHONG_CO"}):
        assert client.post(f"{BASE}/questions", json={**body, **extra}).status_code == 422
    assert client.post(f"{BASE}/questions", json={**body, "contact_email": "x"}).status_code == 422


def test_public_qa_and_articles_found_as_citizens_type(client, app, seeded):
    """Typed without marks, in capitals, words in another order: still found."""
    with app.app_context():
        db.session.add(
            AgencyQuestion(
                text="x",
                text_hash="x",
                unit_code=UNIT,
                due_at=utcnow(),
                asker="contact:x",
                status="published",
                public_question="Đăng ký thường trú cho con ở đâu?",
                public_answer="Nộp tại Công an xã, phường nơi cư trú.",
                published_at=utcnow(),
            )
        )
        db.session.commit()
    for q in ("dang ky thuong tru", "THƯỜNG TRÚ", "cong an thuong tru", "Dang ky, thuong-tru"):
        assert client.get(f"{BASE}/qa", query_string={"q": q}).json["total"] == 1, q
    for q in ("khai sinh", "100%"):
        assert client.get(f"{BASE}/qa", query_string={"q": q}).json["total"] == 0, q
    found = client.get(f"{BASE}/articles", query_string={"q": "can cuoc"}).json
    assert found["total"] >= 1
    assert all(a["slug"] for a in found["items"])


def test_an_officers_queue_cannot_be_flooded(client, app):
    """New questions per asker are limited (429 in the one error format); a resend of the same
    text inside the dedupe window is not counted."""
    contact = {"contact_email": "nhieu@example.vn"}
    for n in range(10):
        r = client.post(
            f"{BASE}/questions", json={"text": f"Câu hỏi thứ {n} về hộ tịch", **contact}
        )
        assert r.status_code == 201
    same = client.post(f"{BASE}/questions", json={"text": "Câu hỏi thứ 9 về hộ tịch", **contact})
    assert same.status_code == 200
    over = client.post(f"{BASE}/questions", json={"text": "Câu hỏi thứ 11 nữa", **contact})
    assert over.status_code == 429 and over.json["error"] == "too_many_requests"
    assert over.headers["Retry-After"]
    with app.app_context():
        assert len(db.session.scalars(select(AgencyQuestion)).all()) == 10


@pytest.mark.postgres
def test_the_same_question_sent_at_the_same_moment_is_one(app):
    """A double tap or a retried request: six at once, one question."""
    start = threading.Barrier(6)
    outcomes: list[tuple[int, bool]] = []
    asker = Asker(email="cung.luc@example.vn")

    def send() -> None:
        with app.app_context():
            start.wait()
            try:
                question, created = ask_agency("Làm thẻ căn cước cho con ở đâu?", asker)
                db.session.commit()  # the test is the caller: it owns the unit of work
                outcomes.append((question.id, created))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(created for _, created in outcomes) == [False] * 5 + [True]
    assert len({qid for qid, _ in outcomes}) == 1
    with app.app_context():
        assert len(db.session.scalars(select(AgencyQuestion)).all()) == 1


def test_the_askers_name_and_old_id_card_number_stay_out_of_the_public_qa(client, app, staff):
    """The asker's full name (as typed, with or without marks) and a 9-digit CMND named as such
    are masked, and an editor who puts the name back is refused."""
    asked = client.post(
        f"{BASE}/questions",
        json={
            "text": "Toi la Tran Thi Binh, CMND so 012345678, xin hoi tach thua dat the nao?",
            "contact_name": "Trần Thị Bình",
            "contact_phone": "0912345678",
        },
    ).json
    qid = asked["id"]
    staff_view = client.get(f"{BASE}/admin/questions/{qid}", headers=staff["admin"]).json
    assert staff_view["personal_data"] == ["id_number", "name"]
    assert staff_view["public_question"] == (
        "Toi la [họ tên], CMND so [số định danh], xin hoi tach thua dat the nao?"
    )
    client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={"answer": "Chào bà Trần Thị Bình, bà nộp hồ sơ tại bộ phận một cửa."},
        headers=staff["admin"],
    )
    refused = client.post(
        f"{BASE}/admin/questions/{qid}/publish",
        json={"public_answer": "Chào bà trần thị bình, bà nộp hồ sơ tại một cửa."},
        headers=staff["admin"],
    )
    assert refused.status_code == 422 and "name" in refused.json["message"]
    published = client.post(
        f"{BASE}/admin/questions/{qid}/publish", json={}, headers=staff["admin"]
    )
    assert published.status_code == 200
    raw = json.dumps(client.get(f"{BASE}/qa").json, ensure_ascii=False).lower()
    for secret in ("trần thị bình", "tran thi binh", "012345678", "0912345678"):
        assert secret not in raw
    assert "[họ tên]" in raw
    # A 9-digit amount is not an ID number.
    assert find_personal_data("Lệ phí trước bạ 123456789 đồng") == []


def test_an_anonymous_asker_reads_the_answer_in_the_sms_itself(client, app, staff):
    """Asked without an account, with a phone: there is no app to open, so the SMS carries
    the answer (folded to plain letters, cut to the SMS budget)."""
    from push.notifications.templates import render

    qid = client.post(
        f"{BASE}/questions",
        json={"text": "Bản sao giấy khai sinh xin ở đâu?", "contact_phone": "0912345678"},
    ).json["id"]
    client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={"answer": "Xin tại UBND xã nơi đã đăng ký khai sinh, lệ phí 8.000 đồng một bản."},
        headers=staff["admin"],
    )
    with app.app_context():
        note = db.session.scalar(select(Notification).where(Notification.event == "support_answer"))
        sms = render(note.event, note.language, note.params).sms
    assert f"so {qid}" in sms and "Xin tai UBND xa noi da dang ky khai sinh" in sms
    assert "mo ung dung" not in sms


def test_answering_publishing_and_closing_are_audited_and_closing_unpublishes(client, app, staff):
    from api.audit.models import AuditEvent

    qid = client.post(
        f"{BASE}/questions",
        json={"text": "Sổ đỏ mất thì làm lại thế nào?", "contact_email": "mat.so@example.vn"},
    ).json["id"]
    client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={"answer": "Nộp đơn tại văn phòng đăng ký đất đai."},
        headers=staff["officer"],
    )
    client.post(f"{BASE}/admin/questions/{qid}/publish", json={}, headers=staff["officer"])
    assert client.get(f"{BASE}/qa").json["total"] == 1
    other = client.post(f"{BASE}/admin/questions/{qid}/close", headers=staff["commune"])
    assert other.status_code == 403  # another unit's question
    closed = client.post(f"{BASE}/admin/questions/{qid}/close", headers=staff["officer"])
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert client.get(f"{BASE}/qa").json["total"] == 0
    with app.app_context():
        actions = [
            e.action
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.object_id == str(qid)).order_by(AuditEvent.id)
            )
        ]
    assert actions == [
        "support_question_answered",
        "support_question_published",
        "support_question_closed",
    ]
