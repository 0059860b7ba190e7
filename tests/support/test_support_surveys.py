"""Surveys: question types and display conditions, one response per respondent and period (and
per dossier) under concurrent submissions on PostgreSQL, anonymous apart from verified,
assisted flagged, the post-dossier invitation on the finished-status event, results in JSON
and CSV."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import func, select

from api.auth.guard import Principal
from api.auth.models import ASSURANCE_VNEID, ROLE_CITIZEN, Account
from api.kernel.database import db
from api.kernel.errors import ApiError
from api.support import surveys
from api.support.survey_models import SurveyResponse
from push.notifications.fanout import process_pending_events
from push.notifications.models import Notification
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.dossiers import CODE, OWNER_ID, UNIT, hoso, push
from tests.helpers.support import seeded_fixture, staff_fixture  # noqa: F401

BASE = "/api/v1/support"
GOOD = {"visits": "2-3", "clarity": 4, "status": 5, "overall": 5}


def test_conditions_types_and_once_per_quarter(client, app, seeded):
    tokens = sign_in_verified(app, "001090123456")
    url = f"{BASE}/surveys/quarterly_satisfaction/responses"
    missing = client.post(url, json={"answers": {"visits": "1"}}, headers=bearer(tokens))
    assert missing.status_code == 422 and set(missing.json["errors"]) == {
        "clarity",
        "status",
        "overall",
    }
    wrong = client.post(
        url, json={"answers": {**GOOD, "clarity": 7, "visits": "9"}}, headers=bearer(tokens)
    )
    assert set(wrong.json["errors"]) == {"clarity", "visits"}
    # "problems" shows only when overall is 1-3: given with a 5, it is dropped.
    made = client.post(
        url, json={"answers": {**GOOD, "problems": ["login"]}}, headers=bearer(tokens)
    )
    assert made.status_code == 201 and "problems" not in made.json["answers"]
    assert made.json["verified"] is True and made.json["period"].count("-Q") == 1
    again = client.post(url, json={"answers": GOOD}, headers=bearer(tokens))
    assert again.status_code == 409 and again.json["error"] == "survey_already_answered"

    unhappy = {
        **GOOD,
        "overall": 2,
        "problems": ["papers", "login", "papers"],
        "idea": " Nhanh hơn ",
    }
    anon = client.post(url, json={"answers": unhappy, "device": "tablet-ubnd-01"})
    assert anon.status_code == 201 and anon.json["verified"] is False
    assert anon.json["answers"]["problems"] == ["login", "papers"]
    assert client.post(url, json={"answers": unhappy}).status_code == 422  # no respondent
    bad_choice = client.post(
        url, json={"answers": {**unhappy, "problems": ["x"]}, "device": "tablet-ubnd-02"}
    )
    assert bad_choice.status_code == 422


def test_results_count_verified_and_anonymous_apart_as_json_and_csv(client, app, seeded, staff):
    for n, overall in enumerate((5, 4, 2)):
        tokens = sign_in_verified(app, f"00109012345{n}")
        answers = {**GOOD, "overall": overall}
        if overall <= 3:
            answers["problems"] = ["payment"]
        client.post(
            f"{BASE}/surveys/quarterly_satisfaction/responses",
            json={"answers": answers},
            headers=bearer(tokens),
        )
    client.post(
        f"{BASE}/surveys/quarterly_satisfaction/responses",
        json={"answers": {**GOOD, "overall": 1}, "device": "kiosk-000001"},
    )
    with app.app_context():
        surveys.submit(
            "quarterly_satisfaction",
            {**GOOD, "overall": 3},
            surveys.Respondent(device="helper-000001", assisted=True),
        )
        db.session.commit()  # the test is the caller: it owns the unit of work
    url = f"{BASE}/admin/surveys/quarterly_satisfaction/results"
    result = client.get(url, headers=staff["admin"]).json
    assert result["responses"] == {"total": 5, "verified": 3, "unverified": 2, "assisted": 1}
    overall = next(q for q in result["questions"] if q["key"] == "overall")
    assert overall["verified"]["distribution"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 1}
    assert overall["unverified"]["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 0}
    assert overall["verified"]["mean"] == 3.67
    problems = next(q for q in result["questions"] if q["key"] == "problems")
    assert problems["verified"]["distribution"]["payment"] == 1
    period = result["questions"] and client.get(f"{url}?period=2020-Q1", headers=staff["admin"])
    assert period.json["responses"]["total"] == 0
    assert client.get(f"{url}?period=2020-Q7", headers=staff["admin"]).status_code == 422
    as_csv = client.get(f"{url}?format=csv", headers=staff["admin"])
    assert as_csv.mimetype == "text/csv" and as_csv.mimetype_params["charset"] == "utf-8"
    assert as_csv.get_data().startswith("\ufeff".encode())  # Excel reads it as UTF-8
    assert "2–3 lần" in as_csv.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(as_csv.get_data(as_text=True))))
    five = next(r for r in rows if r["question"] == "overall" and r["option"] == "5")
    assert (five["verified"], five["unverified"]) == ("1", "0")
    # What a percentage needs is in the CSV too: responses, answers per question, the mean.
    labelled = {(r["question"], r["label"]): (r["verified"], r["unverified"]) for r in rows}
    assert labelled[("(responses)", "(responses)")] == ("3", "2")
    assert labelled[("overall", "(answered)")] == ("3", "2")
    assert labelled[("overall", "(mean)")] == ("3.67", "2.0")
    assert labelled[("problems", "(answered)")] == ("1", "0")
    # An officer sees their own unit only (the quarterly survey is for every unit: none here).
    own = client.get(url, headers=staff["officer"]).json
    assert own["unit"] == "000.00.15.H12" and own["responses"]["total"] == 0


def test_post_dossier_survey_is_sent_when_the_dossier_is_finished(client, app, seeded):
    tokens = sign_in_verified(app, OWNER_ID)
    push(client, [hoso(status=4)])
    with app.app_context():
        process_pending_events()
    early = client.post(
        f"{BASE}/surveys/after_dossier/responses",
        json={"answers": {"ease": 5, "channel_used": "online"}, "dossier_code": CODE},
        headers=bearer(tokens),
    )
    assert early.status_code == 403  # not finished yet
    push(client, [hoso(status=10, NgayKetThucXuLy="20251121100000")])
    with app.app_context():
        process_pending_events()
        invitations = list(
            db.session.scalars(
                select(Notification).where(Notification.event == "survey_invitation")
            )
        )
        assert len(invitations) == 1 and invitations[0].params["survey_slug"] == "after_dossier"
        assert (
            db.session.scalar(
                select(func.count(Notification.id)).where(Notification.event == "rating_invitation")
            )
            == 1
        )  # the rating invitation still goes
    body = {
        "answers": {"ease": 4, "channel_used": "desk", "why_not_online": "Không rành mạng"},
        "dossier_code": CODE,
    }
    made = client.post(f"{BASE}/surveys/after_dossier/responses", json=body, headers=bearer(tokens))
    assert made.status_code == 201 and made.json["answers"]["why_not_online"] == "Không rành mạng"
    with app.app_context():
        assert db.session.scalar(select(SurveyResponse.unit_code)) == UNIT
    again = client.post(
        f"{BASE}/surveys/after_dossier/responses", json=body, headers=bearer(tokens)
    )
    assert again.status_code == 409
    second = "000.00.15.H12-251120-0002"
    push(client, [hoso(code=second, status=10, NgayKetThucXuLy="20251121100000")])
    with app.app_context():
        process_pending_events()
    other_dossier = client.post(
        f"{BASE}/surveys/after_dossier/responses",
        json={**body, "dossier_code": second},
        headers=bearer(tokens),
    )
    assert other_dossier.status_code == 201  # once per dossier, not once ever
    stranger = sign_in_verified(app, "079090000001")
    other = client.post(
        f"{BASE}/surveys/after_dossier/responses", json=body, headers=bearer(stranger)
    )
    assert other.status_code == 403


@pytest.mark.postgres
def test_concurrent_submissions_make_one_response(app, seeded):
    with app.app_context():
        account = Account(role=ROLE_CITIZEN, assurance=ASSURANCE_VNEID, personal_id="001090999999")
        db.session.add(account)
        db.session.commit()
        principal = Principal(
            account.id, account.public_id, ROLE_CITIZEN, ASSURANCE_VNEID, personal_id="001090999999"
        )
    start = threading.Barrier(6)
    outcomes: list[str] = []

    def submit() -> None:
        with app.app_context():
            start.wait()
            try:
                surveys.submit("quarterly_satisfaction", GOOD, surveys.Respondent(principal))
                db.session.commit()  # the test is the caller: it owns the unit of work
                outcomes.append("made")
            except ApiError as error:
                outcomes.append(error.slug)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["made"] + ["survey_already_answered"] * 5
    with app.app_context():
        assert db.session.scalar(select(func.count(SurveyResponse.id))) == 1


def test_defining_a_survey_checks_its_questions(client, staff):
    body = {
        "slug": "thu_vien",
        "kind": "general",
        "title_vi": "Khảo sát thư viện",
        "questions": [
            {
                "key": "a",
                "type": "single",
                "text_vi": "?",
                "options": [{"value": "1", "label_vi": "Có"}],
            }
        ],
    }
    r = client.post(f"{BASE}/admin/surveys", json=body, headers=staff["admin"])
    assert r.status_code == 422
    body["questions"] = [
        {
            "key": "a",
            "type": "single",
            "text_vi": "Bạn có đến không?",
            "required": True,
            "options": [{"value": "y", "label_vi": "Có"}, {"value": "n", "label_vi": "Không"}],
        },
        {
            "key": "b",
            "type": "short",
            "text_vi": "Vì sao?",
            "show_if": {"question": "a", "equals": "n"},
        },
    ]
    long_value = {**body["questions"][0], "options": [{"value": "v" * 25}, {"value": "n"}]}
    refused = client.post(
        f"{BASE}/admin/surveys", json={**body, "questions": [long_value]}, headers=staff["admin"]
    )
    assert refused.status_code == 422  # it would not fit in a chat button
    # A condition that could never (or always) hold is refused, naming the question.
    for condition in (
        {"question": "a"},
        {"question": "a", "equals": "maybe"},
        {"question": "a", "any_of": []},
        {"question": "a", "any_of": "n"},
        {"question": "b"},
        "a",
    ):
        bad = {
            **body,
            "questions": [body["questions"][0], {**body["questions"][1], "show_if": condition}],
        }
        refused = client.post(f"{BASE}/admin/surveys", json=bad, headers=staff["admin"])
        assert refused.status_code == 422 and "b" in refused.json["errors"]["questions"], condition
    assert (
        client.post(f"{BASE}/admin/surveys", json=body, headers=staff["admin"]).status_code == 201
    )
    assert (
        client.post(f"{BASE}/admin/surveys", json=body, headers=staff["admin"]).status_code == 409
    )
    assert (
        client.post(f"{BASE}/admin/surveys", json=body, headers=staff["officer"]).status_code == 403
    )
    listed = [s["slug"] for s in client.get(f"{BASE}/surveys").json]
    assert "thu_vien" in listed


@pytest.mark.parametrize(
    "questions",
    [
        [1, 2],
        [{"key": "a", "type": "single", "text_vi": "?", "options": [1, 2]}],
        [{"key": "a", "type": "scale", "text_vi": "?", "show_if": "a"}],
        [{"key": "a", "type": "essay", "text_vi": "?"}],
        [{"key": "a", "type": "short"}],
    ],
)
def test_malformed_survey_definitions_are_422(client, staff, questions):
    body = {"slug": "hong", "kind": "general", "title_vi": "Phiếu hỏng", "questions": questions}
    assert (
        client.post(f"{BASE}/admin/surveys", json=body, headers=staff["admin"]).status_code == 422
    )


def test_malformed_answers_are_4xx(client, seeded):
    url = f"{BASE}/surveys/quarterly_satisfaction/responses"
    for answers in ({"visits": ["1"], "clarity": {"x": 1}}, {"nope": 1}, {"idea": "x" * 3000}):
        r = client.post(url, json={"answers": answers, "device": "device-fuzz-01"})
        assert r.status_code == 422
    assert client.post(url, json={"answers": []}).status_code == 422
    assert client.post(f"{BASE}/surveys/none/responses", json={"answers": {}}).status_code == 404


def test_refused_answers_are_explained_in_vietnamese_and_english(client, seeded):
    url = f"{BASE}/surveys/quarterly_satisfaction/responses"
    body = {"answers": {"visits": "9", "overall": 7, "what": "x"}, "device": "kiosk-000009"}
    vi = client.post(url, json=body).json
    assert vi["error"] == "survey_invalid_answers"
    assert vi["errors"]["visits"] == ["Phải là một trong các giá trị: 1, 2-3, 4+."]
    assert vi["errors"]["clarity"] == ["Mục này bắt buộc phải có."]
    assert vi["errors"]["what"] == ["Mục này không được hỗ trợ."]
    en = client.post(url, json=body, headers={"Accept-Language": "en"}).json
    assert en["errors"]["overall"] == ["Must be one of: 1, 2, 3, 4, 5."]


def test_a_community_helper_entering_answers_is_flagged_assisted(client, app, seeded, staff):
    """A Tổ công nghệ số member answering with residents: each response kept, flagged
    assisted, never counted as a verified resident's."""
    from tests.helpers.common import make_staff, sign_in_staff

    make_staff(app, "sp-helper", "community", commune_code=70)
    helper = {"Authorization": f"Bearer {sign_in_staff(client, 'sp-helper')['access_token']}"}
    url = f"{BASE}/surveys/quarterly_satisfaction/responses"
    for _ in range(2):  # two residents helped at the commune office
        made = client.post(url, json={"answers": GOOD}, headers=helper)
        assert made.status_code == 201
        assert (made.json["assisted"], made.json["verified"]) == (True, False)
    result = client.get(
        f"{BASE}/admin/surveys/quarterly_satisfaction/results", headers=staff["admin"]
    ).json
    assert result["responses"] == {"total": 2, "verified": 0, "unverified": 2, "assisted": 2}
