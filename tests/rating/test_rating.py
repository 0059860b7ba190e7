"""Rating the service: when it is open, once per dossier, the edit window, answer validation,
indicators 1–2 from the dossier's dates, the chat's short path, the invitation, statistics
checked by hand, and the portal queue's exactly-once delivery."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from api.dossiers.models import Dossier
from api.kernel.database import db
from api.portal.outbox import PortalOutbox, flush_portal_outbox
from api.rating.models import Rating
from push.notifications.models import Notification
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.dossiers import CODE, UNIT, hoso, people, principal_of, push

URL = f"/api/v1/dossiers/{CODE}/rating"
FULL = {"3": 2, "4": 2, "6": 1, "7": 2, "10": 2, "11": 1}
# Processing finished on 20/11 (before the promised 21/11): indicators 1 and 2 score 2.
DONE = {"NgayKetThucXuLy": "20251120160000"}


@pytest.fixture
def who(client, app):
    push(client, [hoso()])
    return people(client, app)


def finish(client, code: str = CODE, status: int = 9, **fields) -> None:  # noqa: ANN001
    push(client, [hoso(code, status=status, **{**DONE, **fields})])


def age_rating(app, days: int) -> None:  # noqa: ANN001
    with app.app_context():
        db.session.execute(
            update(Rating).values(created_at=datetime.now(UTC) - timedelta(days=days))
        )
        db.session.commit()


# ---- when rating is possible -------------------------------------------------------------


def test_too_early(client, who):
    form = client.get(URL, headers=who["owner"]).json
    assert form["open"] is False and form["reason"] == "rating_not_open"
    assert "chưa có kết quả" in form["reason_message"]
    r = client.post(URL, json={"answers": FULL}, headers=who["owner"])
    assert r.status_code == 409 and r.json["error"] == "rating_not_open"
    en = client.post(URL, json={"answers": FULL}, headers={**who["owner"], "Accept-Language": "en"})
    assert "no result yet" in en.json["message"]


@pytest.mark.parametrize("status", [9, 10])
def test_open_at_result_ready_or_returned(client, who, status):
    finish(client, status=status, NgayTra="20251121090000")
    assert client.get(URL, headers=who["owner"]).json["open"] is True
    r = client.post(
        URL, json={"answers": FULL, "comment": " Cảm ơn\u200b cán bộ "}, headers=who["owner"]
    )
    assert r.status_code == 201, r.json.get("errors")
    assert r.json["answers"] == {"1": 2, "2": 2, **FULL}
    assert r.json["prefilled"] == [1, 2] and r.json["comment"] == "Cảm ơn cán bộ"


def test_only_once(client, who):
    finish(client)
    assert client.post(URL, json={"answers": FULL}, headers=who["owner"]).status_code == 201
    again = client.post(URL, json={"answers": FULL}, headers=who["owner"])
    assert again.status_code == 409 and again.json["error"] == "rating_already_given"
    assert "7 ngày" in again.json["message"]
    form = client.get(URL, headers=who["owner"]).json
    assert form["open"] is True and form["rating"]["answers"]["11"] == 1  # still editable


def test_edit_within_the_window_then_locked(client, who, app, monkeypatch):
    finish(client)
    client.post(URL, json={"answers": FULL}, headers=who["owner"])
    age_rating(app, 6)
    changed = client.patch(URL, json={"answers": {"11": 2}, "comment": "Sửa"}, headers=who["owner"])
    assert changed.status_code == 200 and changed.json["answers"]["11"] == 2
    assert changed.json["answers"]["3"] == 2 and changed.json["comment"] == "Sửa"
    age_rating(app, 8)
    late = client.patch(URL, json={"answers": {"11": 0}}, headers=who["owner"])
    assert late.status_code == 409 and late.json["error"] == "rating_edit_window_closed"
    form = client.get(URL, headers=who["owner"]).json
    assert form["open"] is False and form["reason"] == "rating_edit_window_closed"
    monkeypatch.setitem(
        app.extensions, "settings", replace(app.extensions["settings"], rating_edit_window_days=30)
    )
    assert client.patch(URL, json={"answers": {"11": 0}}, headers=who["owner"]).status_code == 200
    with app.app_context():
        rating = db.session.scalar(select(Rating))
        assert [s["answers"] for s in rating.raw] == [FULL, {"11": 2}, {"11": 0}]  # raw kept
        assert rating.version == 3


def test_empty_edit_is_refused(client, who):
    finish(client)
    client.post(URL, json={"answers": FULL}, headers=who["owner"])
    r = client.patch(URL, json={}, headers=who["owner"])
    assert r.status_code == 422 and r.json["error"] == "rating_invalid"


def test_edit_before_rating_is_404(client, who):
    finish(client)
    r = client.patch(URL, json={"answers": {"11": 2}}, headers=who["owner"])
    assert r.status_code == 404 and r.json["error"] == "rating_not_found"


@pytest.mark.parametrize(
    "answers, field, error",
    [
        ({**FULL, "3": 5}, "3", "Phải là một trong các giá trị: 2, 1, 0."),
        ({**FULL, "11": "2"}, "11", "Phải là một trong các giá trị: 2, 1, 0."),
        ({**FULL, "7": True}, "7", "Phải là một trong các giá trị: 2, 1, 0."),
        ({**FULL, "7": None}, "7", "Phải là một trong các giá trị: 2, 1, 0."),
        ({**FULL, "1": 2}, "1", "Mục này không được hỗ trợ."),  # prefilled, not asked
        ({**FULL, "5": 2}, "5", "Mục này không được hỗ trợ."),  # agency-level
        ({**FULL, "x": 2}, "x", "Mục này không được hỗ trợ."),
        ({k: v for k, v in FULL.items() if k != "10"}, "10", "Mục này bắt buộc phải có."),
    ],
)
def test_invalid_answers(client, who, answers, field, error):
    finish(client)
    r = client.post(URL, json={"answers": answers}, headers=who["owner"])
    assert r.status_code == 422 and r.json["error"] == "rating_invalid"
    assert r.json["errors"]["answers"][field] == [error]
    assert client.get(URL, headers=who["owner"]).json["rating"] is None


def test_comment_too_long(client, who):
    finish(client)
    r = client.post(URL, json={"answers": FULL, "comment": "x" * 1001}, headers=who["owner"])
    assert r.status_code == 422 and "comment" in r.json["errors"]


@pytest.mark.parametrize(
    "person, status, error",
    [
        ("officer", 403, "rating_owner_only"),
        ("admin", 403, "rating_owner_only"),
        ("other_officer", 403, "rating_forbidden"),
        ("stranger", 404, "dossier_not_found"),
        ("other_phone", 404, "dossier_not_found"),
    ],
)
def test_only_the_applicant_rates(client, who, person, status, error):
    finish(client)
    r = client.post(URL, json={"answers": FULL}, headers=who[person])
    assert r.status_code == status and r.json["error"] == error


def test_handling_officer_sees_the_rating(client, who):
    finish(client)
    client.post(URL, json={"answers": FULL}, headers=who["owner"])
    seen = client.get(URL, headers=who["officer"]).json
    assert seen["open"] is False and seen["reason"] == "rating_owner_only"
    assert seen["rating"]["answers"]["11"] == 1
    assert client.get(URL, headers=who["other_officer"]).status_code == 403


# ---- indicators 1 and 2 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "finished, expected",
    [
        ("20251120160000", 2),  # a day before the promised date
        ("20251121100000", 1),  # on the promised day
        ("20251124080000", 0),  # after it
    ],
)
def test_prefilled_from_the_dossier_dates(client, who, finished, expected):
    finish(client, NgayKetThucXuLy=finished)
    form = client.get(URL, headers=who["owner"]).json
    shown = {i["code"]: i for i in form["indicators"]}
    assert sorted(shown) == [1, 2, 3, 4, 6, 7, 10, 11]  # 5, 8, 9 are agency-level
    assert shown[1]["answered_by"] == shown[2]["answered_by"] == "prefilled"
    assert shown[1]["value"] == shown[2]["value"] == expected
    assert all(shown[c]["answered_by"] == "citizen" and shown[c]["value"] is None for c in (3, 11))
    assert [o["label"] for o in shown[11]["options"]] == [
        "Rất hài lòng",
        "Hài lòng",
        "Không hài lòng",
    ]
    assert [o["score"] for o in shown[3]["options"]] == [2, 1, 0]


def test_indicator_2_takes_the_worst_step(client, who):
    finish(client)  # total time: early (2)
    step = {
        "MaHoSo": CODE,
        "NguoiXuLy": "Cán bộ Trần",
        "NoiDungXuLy": "Thẩm định",
        "TrangThai": "4",
        "NgayBatDau": "20251120090000",
        "NgayKetThucTheoQuyDinh": "20251120110000",
        "ThoiDiemXuLy": "20251120150000",  # same day as its deadline: 1
    }
    push(client, [step], "/api/v1/portal/progress")
    shown = {
        i["code"]: i["value"] for i in client.get(URL, headers=who["owner"]).json["indicators"]
    }
    assert (shown[1], shown[2]) == (2, 1)


def test_no_dates_no_prefilled_scores(client, who):
    finish(client, NgayKetThucXuLy="", NgayHenTra="")
    r = client.post(URL, json={"answers": FULL}, headers=who["owner"])
    assert r.status_code == 201 and r.json["prefilled"] == [] and "1" not in r.json["answers"]


# ---- the chat's short path ---------------------------------------------------------------


def test_chat_records_only_what_was_answered(client, who, app):
    from api.rating.service import record_chat_answers

    finish(client)
    with app.test_request_context():
        principal = principal_of(who["owner"])
        rating = record_chat_answers(principal, CODE, {11: 2}, "zalo")
        assert {a.indicator_code: a.score for a in rating.answers} == {1: 2, 2: 2, 11: 2}
        rating = record_chat_answers(principal, CODE, {"10": 1}, "zalo", comment="Nhanh")
        assert {a.indicator_code: a.score for a in rating.answers} == {1: 2, 2: 2, 10: 1, 11: 2}
        assert rating.channel == "zalo" and rating.comment == "Nhanh"
        db.session.commit()  # the test is the caller: it owns the unit of work
        with pytest.raises(Exception) as caught:
            record_chat_answers(principal, CODE, {"4": 3}, "telegram")
        assert caught.value.slug == "rating_invalid"
        with pytest.raises(Exception) as caught:
            record_chat_answers(principal, CODE, {}, "telegram")
        assert caught.value.slug == "rating_invalid"
    age_rating(app, 8)
    with app.test_request_context(), pytest.raises(Exception) as caught:
        record_chat_answers(principal_of(who["owner"]), CODE, {"3": 2}, "zalo")
    assert caught.value.slug == "rating_edit_window_closed"


def test_chat_too_early(client, who, app):
    from api.rating.service import record_chat_answers

    with app.test_request_context(), pytest.raises(Exception) as caught:
        record_chat_answers(principal_of(who["owner"]), CODE, {"11": 2}, "telegram")
    assert caught.value.status == 409 and caught.value.slug == "rating_not_open"


# ---- invitation --------------------------------------------------------------------------


def test_invitation_once_per_dossier(client, who, app):
    from api.rating.invitation import invite_to_rate

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == CODE))
        assert invite_to_rate(dossier) == []  # status 4: not yet
    finish(client, status=9)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == CODE))
        # The VNeID owner and the contact (the record's proven phone): one invitation each.
        made, contact = invite_to_rate(dossier)
        assert made.event == contact.event == "rating_invitation" and made.params["code"] == CODE
        assert made.account_id != contact.account_id
        db.session.commit()
    finish(client, status=10, NgayTra="20251121090000")
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == CODE))
        assert invite_to_rate(dossier) == []  # 9 then 10: one invitation
        count = select(func.count()).select_from(Notification)
        assert db.session.scalar(count.where(Notification.event == "rating_invitation")) == 2


# ---- statistics --------------------------------------------------------------------------

P1, P2 = "1.011954", "2.000001"
# code suffix, owner, procedure, finished (sets indicators 1–2), answers, rated at (UTC)
FIXTURES = [
    (
        "0011",
        "001090000011",
        P1,
        "20251120160000",
        FULL | {"3": 2, "6": 2, "10": 2, "11": 2},
        datetime(2025, 11, 21, 3, tzinfo=UTC),
    ),
    (
        "0012",
        "001090000012",
        P1,
        "20251121100000",
        {"3": 1, "4": 2, "6": 1, "7": 2, "10": 1, "11": 1},
        datetime(2025, 11, 22, 3, tzinfo=UTC),
    ),
    # Rated 1 December 00:30 in Vietnam, still 30 November in UTC: counts in December.
    (
        "0013",
        "001090000013",
        P2,
        "20251125100000",
        {"3": 0, "4": 1, "6": 1, "7": 0, "10": 0, "11": 0},
        datetime(2025, 11, 30, 17, 30, tzinfo=UTC),
    ),
    (
        "0014",
        "001090000014",
        P1,
        "20251119100000",
        {"11": 2},  # the chat: one answer only
        datetime(2025, 11, 25, 3, tzinfo=UTC),
    ),
]


@pytest.fixture
def rated(client, app, who):
    from api.rating.service import record_chat_answers

    for suffix, owner, procedure, finished, answers, at in FIXTURES:
        code = f"000.00.15.H12-251120-{suffix}"
        finish(client, code, SoGiayToChuHoSo=owner, MaTTHC=procedure, NgayKetThucXuLy=finished)
        headers = bearer(sign_in_verified(app, owner))
        if len(answers) == 1:
            with app.test_request_context():
                record_chat_answers(principal_of(headers), code, answers, "zalo")
                db.session.commit()  # the test is the caller: it owns the unit of work
        else:
            r = client.post(
                f"/api/v1/dossiers/{code}/rating", json={"answers": answers}, headers=headers
            )
            assert r.status_code == 201, r.json.get("errors")
        with app.app_context():
            dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
            db.session.execute(
                update(Rating).where(Rating.dossier_id == dossier_id).values(created_at=at)
            )
            db.session.commit()
    # Another unit's rating never counts for this one.
    finish(
        client,
        "000.00.15.H12-251120-0099",
        SoGiayToChuHoSo="001090000099",
        DonViXuLy="UBND xã Khác",
    )
    other = bearer(sign_in_verified(app, "001090000099"))
    client.post(
        "/api/v1/dossiers/000.00.15.H12-251120-0099/rating",
        json={"answers": {**FULL, "11": 0}},
        headers=other,
    )
    return who


STATS = "/api/v1/stats/satisfaction"


def test_statistics_by_hand(client, rated):
    r = client.get(STATS, headers=rated["officer"])  # an officer: their own unit
    assert r.status_code == 200, r.json
    body = r.json
    assert body["filters"]["unit"] == UNIT and body["count"] == 4
    # Overall (indicator 11): 2, 1, 0, 2 → rất hài lòng 2/4, hài lòng 1/4, không hài lòng 1/4.
    assert body["overall"] == {
        "indicator": 11,
        "answered": 4,
        "very_satisfied": {"count": 2, "share": 0.5},
        "satisfied": {"count": 1, "share": 0.25},
        "not_satisfied": {"count": 1, "share": 0.25},
    }
    means = {i["code"]: (i["mean"], i["answered"]) for i in body["indicators"]}
    assert means == {
        1: (1.25, 4),  # 2, 1, 0, 2 from the dates
        2: (1.25, 4),
        3: (1.0, 3),  # 2, 1, 0 (the chat rating did not answer it)
        4: (1.67, 3),  # 2, 2, 1
        6: (1.33, 3),  # 2, 1, 1
        7: (1.33, 3),  # 2, 2, 0
        10: (1.0, 3),  # 2, 1, 0
        11: (1.25, 4),  # 2, 1, 0, 2
    }


def test_statistics_filters(client, rated):
    november = client.get(f"{STATS}?month=2025-11", headers=rated["officer"]).json
    assert november["count"] == 3  # 0013 was rated on 1 December, Vietnam time
    assert november["overall"]["very_satisfied"] == {"count": 2, "share": 0.6667}
    assert november["overall"]["not_satisfied"] == {"count": 0, "share": 0.0}
    december = client.get(f"{STATS}?month=2025-12&procedure={P2}", headers=rated["officer"]).json
    assert december["count"] == 1 and december["overall"]["not_satisfied"]["share"] == 1.0
    empty = client.get(f"{STATS}?month=2024-01", headers=rated["officer"]).json
    assert empty["count"] == 0 and empty["overall"]["satisfied"]["share"] is None
    assert {i["mean"] for i in empty["indicators"]} == {None}
    admin_all = client.get(STATS, headers=rated["admin"]).json
    assert admin_all["count"] == 5 and admin_all["filters"]["unit"] is None
    admin_unit = client.get(f"{STATS}?unit={UNIT}&procedure={P1}", headers=rated["admin"]).json
    assert admin_unit["count"] == 3 and admin_unit["overall"]["satisfied"]["share"] == 0.3333


def test_statistics_as_csv(client, rated):
    by_accept = client.get(STATS, headers={**rated["officer"], "Accept": "text/csv"})
    by_query = client.get(f"{STATS}?format=csv", headers=rated["officer"])
    assert by_accept.mimetype == by_query.mimetype == "text/csv"
    assert by_accept.data == by_query.data
    text = by_accept.data.decode("utf-8")
    assert text.startswith("\ufeff")
    (row,) = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert row["unit"] == UNIT and row["count"] == "4" and row["month"] == ""
    assert (row["very_satisfied_share"], row["satisfied_share"], row["not_satisfied_share"]) == (
        "0.5",
        "0.25",
        "0.25",
    )
    assert (row["mean_1"], row["mean_4"], row["mean_11"], row["answered_3"]) == (
        "1.25",
        "1.67",
        "1.25",
        "3",
    )
    assert "mean_5" not in row


def test_statistics_access(client, rated):
    other_unit = client.get(f"{STATS}?unit={UNIT}", headers=rated["other_officer"])
    assert other_unit.status_code == 403 and other_unit.json["error"] == "stats_unit_forbidden"
    assert client.get(STATS, headers=rated["owner"]).status_code == 403
    assert client.get(STATS).status_code == 401
    assert client.get(f"{STATS}?month=2025-13", headers=rated["admin"]).status_code == 422
    for month in ("0000-01", "0001-01", "9999-12"):  # outside the calendar: 422, not 500
        r = client.get(f"{STATS}?month={month}", headers=rated["admin"])
        assert r.status_code == 422 and r.json["errors"]["month"][0].startswith("Tháng ghi")


# ---- the portal queue ----------------------------------------------------------------------


def test_ratings_reach_the_portal_exactly_once_even_after_failures(client, who, app, portal):
    finish(client)
    client.post(URL, json={"answers": FULL}, headers=who["owner"])
    client.patch(URL, json={"answers": {"11": 2}}, headers=who["owner"])
    portal.fail_next(10)  # the gateway's own retries (3 attempts) all fail
    with app.app_context():
        assert flush_portal_outbox() == {"sent": 0, "retry": 1, "failed": 0}  # v2 waits behind v1
        row = db.session.scalar(select(PortalOutbox).order_by(PortalOutbox.id))
        assert row.attempts == 1 and row.status == "pending" and "unavailable" in row.last_error
        assert flush_portal_outbox()["sent"] == 0  # backing off
        portal.reset_failures()
        db.session.execute(update(PortalOutbox).values(next_attempt_at=datetime.now(UTC)))
        db.session.commit()
        assert flush_portal_outbox() == {"sent": 2, "retry": 0, "failed": 0}
        # The answer was lost after the portal stored it: the worker sends again.
        db.session.execute(update(PortalOutbox).values(status="pending"))
        db.session.commit()
        assert flush_portal_outbox()["sent"] == 2
    ratings = [r["data"][0] for r in portal.received if r["service"] == "DongBoDanhGia"]
    assert [r["MaDongBo"].rsplit(":", 1)[1] for r in ratings] == ["v1", "v2"]  # in order, once
    first = {c["MaChiSo"]: (c["Diem"], c["Nguon"]) for c in ratings[0]["ChiSo"]}
    assert first["1"] == (2, "TU_DONG") and first["11"] == (1, "CONG_DAN")
    assert {c["MaChiSo"]: c["Diem"] for c in ratings[1]["ChiSo"]}["11"] == 2
    assert ratings[0]["MaHoSo"] == CODE


def test_outbox_waits_without_a_portal(app, client, who):
    finish(client)
    client.post(URL, json={"answers": FULL}, headers=who["owner"])
    with app.app_context():
        assert flush_portal_outbox()["skipped"] == 1
        assert db.session.scalar(select(PortalOutbox.status)) == "pending"


def test_openapi_documents_rating_routes(client):
    spec = client.get("/openapi.json").json
    for path, method in [
        ("/api/v1/dossiers/{code}/rating", "get"),
        ("/api/v1/dossiers/{code}/rating", "post"),
        ("/api/v1/dossiers/{code}/rating", "patch"),
        ("/api/v1/stats/satisfaction", "get"),
    ]:
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"bearerAuth": []}] and "401" in operation["responses"]
    content = spec["paths"]["/api/v1/stats/satisfaction"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(content)
