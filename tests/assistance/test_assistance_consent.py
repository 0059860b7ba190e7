"""Assisted use: consent codes, grant states, revocation and expiry, forbidden actions,
communes."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from api.assistance.models import ConsentCode, Grant, GrantEvent
from api.kernel.database import db
from tests.helpers.assist_world import (
    CODE,
    OWNER_ID,
    RESIDENT_PHONE,
    acting,
    ask,
    build,
    citizen,
    start,
)


@pytest.fixture
def world(client, app):
    app.extensions["otp_sender"].sent.clear()
    return build(client, app)


def _sender(app):  # noqa: ANN001, ANN202
    return app.extensions["otp_sender"]


def test_code_goes_only_to_the_phone_on_record(client, app, world):
    # The helper names the resident by ID number; a phone field of their own is refused.
    r = client.post(
        "/api/v1/assistance/sessions",
        json={
            "resident": {"personal_id": OWNER_ID},
            "actions": ["follow"],
            "phone": "0987654321",
        },
        headers=world.helper,
    )
    assert r.status_code == 422
    grant = ask(client, world)
    assert grant["state"] == "pending" and grant["code_sent_to"].endswith("987")
    assert _sender(app).sent == [(RESIDENT_PHONE, "assist")]
    # Naming the resident by a phone finds the record; the code still goes to the record's.
    _sender(app).sent.clear()
    client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"phone": "0912 345 987"}, "actions": ["follow"]},
        headers=world.helper,
    )
    assert _sender(app).sent == [(RESIDENT_PHONE, "assist")]


def test_no_phone_on_record_sends_nothing(client, app, world):
    citizen(app, "079000000111", "Bà Tư", None, world.commune)
    r = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": "079000000111"}, "actions": ["follow"]},
        headers=world.helper,
    )
    assert r.status_code == 422 and r.json["error"] == "assist_no_phone"
    assert _sender(app).sent == []


def test_brute_force_stops_and_the_code_is_never_logged(client, app, world, caplog):
    caplog.set_level(logging.DEBUG)
    grant = ask(client, world)
    code = _sender(app).codes[RESIDENT_PHONE]
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    url = f"/api/v1/assistance/grants/{grant['id']}/confirm"
    for _ in range(4):
        r = client.post(url, json={"code": wrong}, headers=world.helper)
        assert r.status_code == 400 and r.json["error"] == "assist_code_invalid"
    r = client.post(url, json={"code": wrong}, headers=world.helper)
    assert r.status_code == 403 and r.json["error"] == "assist_code_exhausted"
    # The right code no longer opens it: the request was refused for good.
    r = client.post(url, json={"code": code}, headers=world.helper)
    assert r.status_code == 409
    with app.app_context():
        row = db.session.scalar(select(Grant).where(Grant.public_id == grant["id"]))
        assert row.state == "rejected" and row.end_reason == "code"
        stored = db.session.scalars(select(ConsentCode.code_hash)).all()
        assert stored and all(code not in h for h in stored)
    text = "\n".join(
        f"{r.getMessage()} {sorted(vars(r).items(), key=lambda kv: kv[0])}" for r in caplog.records
    )
    assert caplog.records and code not in text


def test_a_code_works_once(client, app, world):
    grant = ask(client, world)
    code = _sender(app).codes[RESIDENT_PHONE]
    url = f"/api/v1/assistance/grants/{grant['id']}/confirm"
    assert client.post(url, json={"code": code}, headers=world.helper).status_code == 200
    again = client.post(url, json={"code": code}, headers=world.helper)
    assert again.status_code == 409


def test_revocation_stops_the_next_request_and_earlier_tokens(client, app, world):
    grant_id, headers = start(client, app, world)
    second = acting(client, world, grant_id)  # a token issued before the revocation
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code == 200
    mine = client.get("/api/v1/me/helpers", headers=world.resident).json
    assert [g["id"] for g in mine] == [grant_id] and mine[0]["helper_name"] == "Helper.A"
    r = client.post(f"/api/v1/me/helpers/{grant_id}/revoke", headers=world.resident)
    assert r.status_code == 200 and r.json["state"] == "revoked"
    for token in (headers, second):
        r = client.get("/api/v1/assist/dossiers", headers=token)
        assert r.status_code == 403 and r.json["error"] == "assist_grant_inactive"
    assert (
        client.post(f"/api/v1/assistance/grants/{grant_id}/token", headers=world.helper).status_code
        == 403
    )
    assert client.get("/api/v1/me/helpers", headers=world.resident).json == []


def test_helper_ending_it_stops_it_too(client, app, world):
    grant_id, headers = start(client, app, world)
    assert (
        client.post(f"/api/v1/assistance/grants/{grant_id}/end", headers=world.helper).json["state"]
        == "revoked"
    )
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code == 403


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_session_expiry_stops_the_next_request(client, app, world, monkeypatch):
    grant_id, headers = start(client, app, world)
    clock = _Clock(datetime.now(UTC) + timedelta(hours=2, seconds=1))
    monkeypatch.setattr("api.kernel.clock.utcnow", clock)
    r = client.get("/api/v1/assist/dossiers", headers=headers)
    assert r.status_code in (401, 403)
    assert client.get("/api/v1/me/helpers", headers=world.resident).json == []
    refused = client.post(f"/api/v1/assistance/grants/{grant_id}/token", headers=world.helper)
    assert refused.status_code == 403 and refused.json["error"] == "assist_grant_inactive"
    with app.app_context():
        row = db.session.scalar(select(Grant).where(Grant.public_id == grant_id))
        assert row.state == "expired"
        events = db.session.scalars(
            select(GrantEvent.to_state).where(GrantEvent.grant_id == row.id).order_by(GrantEvent.id)
        ).all()
        assert events == ["pending", "active", "expired"]


def test_mandate_ends_at_the_end_of_the_vietnam_day(client, app, world, monkeypatch):
    # Made at 10:00 on 1 March (Vietnam), until 2 March: valid to 23:59:59 on 2 March +07,
    # which is 16:59:59 UTC; at 17:00 UTC it is over.
    clock = _Clock(datetime(2026, 3, 1, 3, 0, tzinfo=UTC))
    monkeypatch.setattr("api.kernel.clock.utcnow", clock)
    agent = citizen(app, "001090000777", "Con gái", "84900000777", None)
    r = client.post(
        "/api/v1/me/mandates",
        json={
            "agent": {"personal_id": "001090000777"},
            "actions": ["follow", "message"],
            "valid_until": "2026-03-02",
        },
        headers=world.resident,
    )
    assert r.status_code == 201, r.json
    grant, code = r.json["grant"], r.json["code"]
    assert grant["expires_at"].startswith("2026-03-02T17:00:00")
    accept = client.post(
        f"/api/v1/assistance/grants/{grant['id']}/accept", json={"code": code}, headers=agent
    )
    assert accept.status_code == 200 and accept.json["state"] == "active"

    clock.now = datetime(2026, 3, 2, 16, 59, 0, tzinfo=UTC)  # 23:59 on 2 March in Vietnam
    token = client.post(f"/api/v1/assistance/grants/{grant['id']}/token", headers=agent).json
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    assert token["expires_in"] == 60  # never past the grant's end
    clock.now = datetime(2026, 3, 2, 16, 59, 59, tzinfo=UTC)
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code == 200
    clock.now = datetime(2026, 3, 2, 17, 0, 0, tzinfo=UTC)  # 00:00 on 3 March
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code in (401, 403)
    late = client.post(f"/api/v1/assistance/grants/{grant['id']}/token", headers=agent)
    assert late.status_code == 403
    with app.app_context():
        assert (
            db.session.scalar(select(Grant.state).where(Grant.public_id == grant["id"]))
            == "expired"
        )


def test_mandate_limits(client, app, world, monkeypatch):
    monkeypatch.setattr("api.kernel.clock.utcnow", _Clock(datetime(2026, 3, 1, 3, 0, tzinfo=UTC)))
    citizen(app, "001090000777", "Con gái", "84900000777", None)
    body = {"agent": {"personal_id": "001090000777"}, "actions": ["follow"]}
    too_long = client.post(
        "/api/v1/me/mandates", json={**body, "valid_until": "2027-03-02"}, headers=world.resident
    )
    assert too_long.status_code == 422 and too_long.json["error"] == "assist_too_long"
    ok = client.post(
        "/api/v1/me/mandates", json={**body, "valid_until": "2027-03-01"}, headers=world.resident
    )
    assert ok.status_code == 201
    # Not accepted within 7 days: expired.
    monkeypatch.setattr(
        "api.kernel.clock.utcnow", _Clock(datetime(2026, 3, 8, 3, 0, 1, tzinfo=UTC))
    )
    assert client.get("/api/v1/me/helpers", headers=world.resident).json == []


FORBIDDEN_CALLS = [
    ("put", "/api/v1/me/notification-preferences", {"channels": ["sms"]}),
    ("post", "/api/v1/me/chat-links/code", None),
    ("delete", "/api/v1/me/chat-links/zalo", None),
    (
        "post",
        "/api/v1/me/devices",
        {"target": "x" * 40, "target_type": "fcm_token", "platform": "android"},
    ),
    (
        "post",
        "/api/v1/me/mandates",
        {"agent": {"phone": "0900000001"}, "actions": ["follow"], "valid_until": "2026-12-30"},
    ),
    ("post", f"/api/v1/dossiers/{CODE}/rating", {"answers": {"3": 2}}),
    ("get", "/api/v1/me/usage", None),
    (
        "post",
        "/api/v1/assistance/sessions",
        {"resident": {"personal_id": OWNER_ID}, "actions": ["follow"]},
    ),
    ("get", "/api/v1/me", None),
]


@pytest.mark.parametrize("method, path, body", FORBIDDEN_CALLS)
def test_forbidden_actions_403_even_with_a_tampered_scope(client, app, world, method, path, body):
    grant_id, headers = start(client, app, world)
    with app.app_context():  # someone widened the grant in the database
        row = db.session.scalar(select(Grant).where(Grant.public_id == grant_id))
        row.actions = [
            *row.actions,
            "change_contact",
            "change_notifications",
            "manage_grants",
            "rate_as_resident",
        ]
        db.session.commit()
    kwargs = {"json": body} if body is not None else {}
    r = getattr(client, method)(path, headers=headers, **kwargs)
    assert r.status_code == 403, (path, r.status_code, r.json)


def test_asking_for_a_forbidden_action_is_403(client, world):
    r = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": OWNER_ID}, "actions": ["follow", "change_contact"]},
        headers=world.helper,
    )
    assert r.status_code == 403 and r.json["error"] == "assist_forbidden_action"


def test_a_token_with_an_edited_scope_gains_nothing(client, app, world):
    import jwt

    grant_id, headers = start(client, app, world, actions=("follow",))
    token = headers["Authorization"][7:]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode({**claims, "scope": "follow message"}, "not-the-key", algorithm="HS256")
    r = client.get(
        f"/api/v1/assist/dossiers/{CODE}/messages", headers={"Authorization": f"Bearer {forged}"}
    )
    assert r.status_code == 401
    r = client.get(f"/api/v1/assist/dossiers/{CODE}/messages", headers=headers)
    assert r.status_code == 403 and r.json["error"] == "assist_out_of_scope"


def test_cross_commune_help_is_refused_unless_an_audited_exception(client, app, world):
    from api.audit.models import AuditEvent

    citizen(app, "079000000222", "Ông Năm", "84900000222", world.other_commune)
    body = {"resident": {"personal_id": "079000000222"}, "actions": ["follow"]}
    r = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert r.status_code == 403 and r.json["error"] == "assist_other_commune"
    assert _sender(app).sent == []
    ex = client.post(
        "/api/v1/admin/assistance/exceptions",
        json={
            "helper_id": world.helper_id,
            "resident": {"personal_id": "079000000222"},
            "reason": "Người dân đang ở nhờ nhà con trong thôn",
            "days": 2,
        },
        headers=world.admin,
    )
    assert ex.status_code == 201, ex.json
    r = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert r.status_code == 201
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "assist_cross_commune_refused" in actions
        assert "assist_commune_exception" in actions
        assert db.session.scalar(select(Grant.exception_id).where(Grant.public_id == r.json["id"]))


def test_suspended_member_is_stopped_at_the_next_request(client, app, world):
    grant_id, headers = start(client, app, world)
    r = client.patch(
        f"/api/v1/admin/assistance/teams/{world.team_id}/members/{world.helper_id}",
        json={"status": "suspended"},
        headers=world.admin,
    )
    assert r.status_code == 200 and r.json["members"][0]["status"] == "suspended"
    assert client.get("/api/v1/assist/dossiers", headers=headers).status_code == 403
    r = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": OWNER_ID}, "actions": ["follow"]},
        headers=world.helper,
    )
    assert r.status_code == 403 and r.json["error"] == "assist_not_helper"


def test_desk_witnessed_session_for_a_resident_without_a_phone(client, app, world):
    r = client.post(
        "/api/v1/assistance/desk",
        json={
            "personal_id": "048150000333",
            "full_name": "Cụ Lê Văn Ba",
            "commune_code": world.commune,
            "helper": {"phone": "0900000999"},
            "actions": ["follow"],
            "hours": 2,
            "id_card_checked": True,
        },
        headers=world.officer,
    )
    assert r.status_code == 404  # no such helper account
    make = client.post(
        "/api/v1/assistance/desk",
        json={
            "personal_id": "048150000333",
            "full_name": "Cụ Lê Văn Ba",
            "commune_code": world.commune,
            "helper": {"personal_id": OWNER_ID},
            "actions": ["follow"],
            "hours": 2,
            "id_card_checked": True,
        },
        headers=world.officer,
    )
    assert (
        make.status_code == 201
        and make.json["state"] == "active"
        and make.json["consent"] == "desk"
    )
    refused = client.post(
        "/api/v1/assistance/desk",
        json={
            "personal_id": "048150000333",
            "full_name": "X",
            "helper": {"personal_id": OWNER_ID},
            "actions": ["follow"],
            "hours": 2,
            "id_card_checked": True,
        },
        headers=world.helper,
    )
    assert refused.status_code == 403


def test_code_by_zalo_goes_to_the_zalo_linked_to_the_record(client, app, world):
    from api.audit.service import Origin
    from api.profile.service import link_chat
    from push.notifications.models import Notification

    body = {"resident": {"personal_id": OWNER_ID}, "actions": ["follow"], "via": "zalo"}
    r = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert r.status_code == 422 and r.json["error"] == "assist_no_zalo"
    with app.app_context():
        link_chat(world.resident_account_id, "zalo", "zalo-user-9", Origin(channel="zalo"))
        db.session.commit()
    r = client.post("/api/v1/assistance/sessions", json=body, headers=world.helper)
    assert r.status_code == 201 and r.json["code_sent_to"] == "Zalo"
    assert _sender(app).sent == []  # no SMS
    with app.app_context():
        (sent,) = db.session.scalars(
            select(Notification).where(Notification.event == "assist_code")
        ).all()
        assert (sent.chat_channel, sent.chat_id) == ("zalo", "zalo-user-9")
        code = sent.params["code"]
    confirm = client.post(
        f"/api/v1/assistance/grants/{r.json['id']}/confirm",
        json={"code": code},
        headers=world.helper,
    )
    assert confirm.status_code == 200 and confirm.json["state"] == "active"


def test_legal_representative_registered_by_an_officer(client, app, world):
    citizen(app, "001090000888", "Mẹ", "84900000888", None)
    r = client.post(
        "/api/v1/assistance/desk",
        json={
            "personal_id": OWNER_ID,
            "full_name": "Nguyễn Thị Hoa",
            "helper": {"personal_id": "001090000888"},
            "actions": ["follow", "message"],
            "valid_until": (datetime.now(UTC) + timedelta(days=700)).date().isoformat(),
            "legal": True,
            "documents": "Giấy khai sinh số 12/2015",
            "id_card_checked": True,
        },
        headers=world.officer,
    )
    assert r.status_code == 201, r.json
    assert (r.json["kind"], r.json["state"], r.json["consent"]) == ("legal", "active", "documents")
    history = client.get(
        f"/api/v1/assistance/grants/{r.json['id']}/history", headers=world.resident
    )
    assert [(e["from_state"], e["to_state"], e["by"]) for e in history.json] == [
        ("", "pending", "Officer.A"),
        ("pending", "active", "Officer.A"),
    ]
    # Only an officer registers one.
    mine = client.post(
        "/api/v1/assistance/desk",
        json={
            "personal_id": OWNER_ID,
            "full_name": "X",
            "helper": {"personal_id": "001090000888"},
            "actions": ["follow"],
            "legal": True,
            "id_card_checked": True,
        },
        headers=world.resident,
    )
    assert mine.status_code == 403


def test_expiry_by_the_periodic_sweep_tells_both(client, app, world, monkeypatch):
    from api.assistance.grants import expire_due
    from push.notifications.models import Notification

    grant_id, _ = start(client, app, world)
    monkeypatch.setattr(
        "api.kernel.clock.utcnow", _Clock(datetime.now(UTC) + timedelta(hours=2, minutes=1))
    )
    with app.app_context():
        assert expire_due() == 1 and expire_due() == 0
        keys = db.session.scalars(
            select(Notification.dedupe_key).where(Notification.event == "assistance")
        ).all()
        assert sum(":ended:" in k for k in keys) == 2
        assert db.session.scalar(select(Grant.end_reason)) == "time"


def test_a_late_code_is_refused_and_the_request_expires(client, app, world, monkeypatch):
    grant = ask(client, world)
    code = _sender(app).codes[RESIDENT_PHONE]
    monkeypatch.setattr("api.kernel.clock.utcnow", _Clock(datetime.now(UTC) + timedelta(minutes=6)))
    r = client.post(
        f"/api/v1/assistance/grants/{grant['id']}/confirm",
        json={"code": code},
        headers=world.helper,
    )
    assert r.status_code == 409 and r.json["error"] == "assist_state_conflict"
    with app.app_context():
        row = db.session.scalar(select(Grant).where(Grant.public_id == grant["id"]))
        assert (row.state, row.end_reason) == ("expired", "not_accepted")


def test_a_session_lasts_a_few_hours_at_most(client, world):
    r = client.post(
        "/api/v1/assistance/sessions",
        json={"resident": {"personal_id": OWNER_ID}, "actions": ["follow"], "hours": 5},
        headers=world.helper,
    )
    assert r.status_code == 422 and r.json["error"] == "assist_too_long"
