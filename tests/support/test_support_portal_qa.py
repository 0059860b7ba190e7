"""Portal Q&A sync against the sandbox portal simulator over HTTP on 127.0.0.1: pulls are
idempotent on the portal's ids, mapping errors are recorded (not skipped), pushes are sent
once per change."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.kernel.database import db
from api.portal.client import get_gateway
from api.portal.gateway import PortalError
from api.support import portal_qa
from api.support.models import AgencyQuestion, PortalQaError
from sandbox.portal_qa import PUSH_QA, PUSH_RESULT
from tests.helpers.support import staff_fixture  # noqa: F401

BASE = "/api/v1/support"


def _questions() -> dict[str, AgencyQuestion]:
    return {q.portal_id: q for q in db.session.scalars(select(AgencyQuestion))}


def test_the_paused_portal_answers_an_error_and_nothing_is_taken(app, portal):
    with app.app_context():
        with pytest.raises(PortalError) as caught:
            portal_qa.pull(get_gateway())
        assert caught.value.code == "9"
        assert db.session.scalar(select(func.count(AgencyQuestion.id))) == 0


def test_pull_is_idempotent_and_mapping_errors_are_recorded(app, portal):
    portal.qa_error = False
    with app.app_context():
        report = portal_qa.sync(get_gateway())
        assert (report.pulled, report.created, report.skipped, report.mapping_errors) == (
            7,
            4,
            1,
            2,
        )
        found = _questions()
        assert set(found) == {
            "portal:QG-1001",
            "portal:QG-1002",
            "agency:CQ-2001",
            "agency:CQ-2002",
        }
        citizen = found["portal:QG-1001"]
        # Read from the item itself: name, e-mail and the procedure code.
        assert (citizen.contact_name, citizen.contact_email, citizen.procedure_code) == (
            "Trần Thị Bình",
            "binh.tran@example.vn",
            "1.011954",
        )
        assert citizen.status == "received" and citizen.unit_code == portal.unit_code
        with_phone = found["portal:QG-1002"]
        assert with_phone.personal_data == ["phone"] and "0912345678" not in (
            with_phone.public_question
        )
        agency = found["agency:CQ-2001"]
        assert agency.status == "published" and "30 ngày" in agency.public_answer
        errors = {(e.portal_id, e.reason): e for e in db.session.scalars(select(PortalQaError))}
        assert set(errors) == {("QG-1003", "unknown_field"), ("QG-1004", "unknown_unit")}
        assert "LINH_VUC_LA" in errors[("QG-1003", "unknown_field")].detail

        again = portal_qa.sync(get_gateway())
        assert (again.created, again.mapping_errors) == (0, 2)
        assert len(_questions()) == 4
        rows = list(db.session.scalars(select(PortalQaError)))
        assert len(rows) == 2 and all(r.seen == 2 for r in rows)  # recorded again, not twice
        calls = [c["service"] for c in portal.calls]
        assert calls.count("LayNoiDungTraLoiTheoCauHoi") == 2  # answers fetched once per item


def test_answers_and_published_questions_are_pushed_once_per_change(app, client, portal, staff):
    portal.qa_error = False
    with app.app_context():
        portal_qa.pull(get_gateway())
        qid = _questions()["portal:QG-1001"].id
    r = client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={
            "answer": "Đăng ký tại nơi cư trú của cha hoặc mẹ.",
            "title": "Công chức tư pháp - hộ tịch",
        },
        headers=staff["admin"],
    )
    assert r.status_code == 200
    asked = client.post(
        f"{BASE}/questions",
        json={
            "text": "Hộ kinh doanh có phải khắc dấu không?",
            "field_code": "HO_KINH_DOANH",
            "contact_email": "an@example.vn",
        },
    ).json
    client.post(
        f"{BASE}/admin/questions/{asked['id']}/answer",
        json={"answer": "Không bắt buộc."},
        headers=staff["admin"],
    )
    client.post(f"{BASE}/admin/questions/{asked['id']}/publish", json={}, headers=staff["admin"])

    first = client.post(f"{BASE}/admin/portal-sync", headers=staff["admin"]).json
    assert (first["pushed_answers"], first["pushed_questions"]) == (1, 1)
    result = portal.qa.results["QG-1001"]
    assert result["NOIDUNGTRALOI"].startswith("Đăng ký tại nơi cư trú")
    assert result["CHUCVUNGUOITRALOI"] == "Công chức tư pháp - hộ tịch"
    ours = portal.qa.published[f"DVCC-{asked['id']}"]
    assert ours["MaLinhVuc"] == "HO_KINH_DOANH" and "an@example.vn" not in str(ours)

    second = client.post(f"{BASE}/admin/portal-sync", headers=staff["admin"]).json
    assert (second["pushed_answers"], second["pushed_questions"], second["created"]) == (0, 0, 0)
    assert portal.qa.pushes.count((PUSH_RESULT, "QG-1001")) == 1
    assert portal.qa.pushes.count((PUSH_QA, f"DVCC-{asked['id']}")) == 1

    client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={"answer": "Đăng ký tại UBND xã nơi cư trú của cha hoặc mẹ."},
        headers=staff["admin"],
    )
    third = client.post(f"{BASE}/admin/portal-sync", headers=staff["admin"]).json
    assert third["pushed_answers"] == 1  # a changed answer goes again
    assert portal.qa.pushes.count((PUSH_RESULT, "QG-1001")) == 2
    errors = client.get(f"{BASE}/admin/portal-errors", headers=staff["officer"]).json
    assert {e["reason"] for e in errors} == {"unknown_field", "unknown_unit"}
    assert client.post(f"{BASE}/admin/portal-sync", headers=staff["officer"]).status_code == 403


def test_a_failed_push_is_retried_next_run(app, client, portal, staff):
    portal.qa_error = False
    with app.app_context():
        portal_qa.pull(get_gateway())
        qid = _questions()["portal:QG-1002"].id
    client.post(
        f"{BASE}/admin/questions/{qid}/answer",
        json={"answer": "Có, trong 30 ngày."},
        headers=staff["admin"],
    )
    portal.business_error_next(1)
    with app.app_context():
        failed = portal_qa.push(get_gateway())
        assert failed.pushed_answers == 0 and failed.failures
        retried = portal_qa.push(get_gateway())
        assert retried.pushed_answers == 1 and not retried.failures
    assert "QG-1002" in portal.qa.results


def test_the_periodic_job_syncs_and_survives_a_paused_portal(app, portal):
    from workers.tasks.support_jobs import sync_portal_qa

    with app.app_context():
        assert sync_portal_qa() == {"failed": "9"}
        portal.qa_error = False
        done = sync_portal_qa()
        assert done["created"] == 4 and done["mapping_errors"] == 2


def test_the_portal_askers_name_is_masked_in_the_public_question(app, portal):
    portal.qa_error = False
    portal.qa.citizen.append(
        {
            "HOIDAPID": "QG-1010",
            "MALINHVUC": "CU_TRU",
            "MATTHCDP": "",
            "MADONVI": portal.unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Tôi là Lê Văn Cường, xin hỏi tạm trú cho người thuê nhà làm thế nào?",
            "HOVATEN": "Lê Văn Cường",
            "THUDIENTU": "cuong.le@example.vn",
            "TRANGTHAI": "1",
        }
    )
    with app.app_context():
        portal_qa.pull(get_gateway())
        question = _questions()["portal:QG-1010"]
        assert question.personal_data == ["name"]
        assert question.public_question.startswith("Tôi là [họ tên], xin hỏi tạm trú")
        assert question.contact_name == "Lê Văn Cường"  # kept for the answer, never shown


def test_an_agency_answer_published_later_on_the_portal_is_taken_later(app, portal):
    portal.qa_error = False
    portal.qa.agency.append(
        {
            "HOIDAPID": "CQ-2003",
            "MALINHVUC": "HO_TICH",
            "MATTHCDP": "",
            "MADONVI": portal.unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Trích lục khai sinh bản sao lấy ở đâu?",
            "TRANGTHAI": "1",
        }
    )
    with app.app_context():
        portal_qa.pull(get_gateway())
        assert _questions()["agency:CQ-2003"].status == "received"
        portal.qa.answers["CQ-2003"] = [
            {"TRALOIID": "TL-3", "NOIDUNGTRALOI": "Tại UBND xã nơi đăng ký khai sinh."}
        ]
        portal_qa.pull(get_gateway())
        later = _questions()["agency:CQ-2003"]
        assert later.status == "published" and later.public_answer.startswith("Tại UBND xã")
        portal_qa.pull(get_gateway())
    asked = [c for c in portal.calls if c["service"] == "LayNoiDungTraLoiTheoCauHoi"]
    assert sum(1 for c in asked if "CQ-2003" in str(c)) == 2  # not asked once answered


def test_an_item_with_an_overlong_id_is_recorded_and_the_run_goes_on(app, portal):
    portal.qa_error = False
    odd = dict(portal.qa.citizen[0], HOIDAPID="X" * 90)
    portal.qa.citizen.insert(0, odd)
    with app.app_context():
        report = portal_qa.pull(get_gateway())
        assert report.created == 4 and report.mapping_errors == 3
        reasons = {e.reason for e in db.session.scalars(select(PortalQaError))}
        assert "invalid" in reasons
