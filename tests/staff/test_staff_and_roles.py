"""Staff accounts, password sign-in and the authorization matrix for every role."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.audit.models import AuditEvent
from api.kernel.database import db
from tests.helpers.common import (
    STAFF_PASSWORD,
    bearer,
    make_staff,
    sign_in_phone,
    sign_in_staff,
)

HANOI_WARD = 70  # Phường Hoàn Kiếm


@pytest.fixture
def people(client, app):
    make_staff(app, "admin1", "admin")
    make_staff(app, "officer1", "officer", unit_code="000.00.15.H12")
    make_staff(app, "community1", "community", commune_code=HANOI_WARD)
    return {
        "admin": sign_in_staff(client, "admin1"),
        "officer": sign_in_staff(client, "officer1"),
        "community": sign_in_staff(client, "community1"),
        "citizen": sign_in_phone(client, app),
    }


NEW_OFFICER = {
    "username": "officer2",
    "full_name": "Nguyễn Văn B",
    "role": "officer",
    "unit_code": "000.00.16.H12",
    "password": "another pass 77",
}


@pytest.mark.parametrize(
    "who, expected",
    [("admin", 201), ("officer", 403), ("community", 403), ("citizen", 403), (None, 401)],
)
def test_only_admins_create_staff(client, people, who, expected):
    headers = bearer(people[who]) if who else {}
    r = client.post("/api/v1/admin/staff", json=NEW_OFFICER, headers=headers)
    assert r.status_code == expected, r.json
    if expected == 403:
        assert r.json["error"] == "role_required"


@pytest.mark.parametrize("who, expected", [("admin", 200), ("officer", 403), ("citizen", 403)])
def test_only_admins_list_staff(client, people, who, expected):
    assert client.get("/api/v1/admin/staff", headers=bearer(people[who])).status_code == expected


@pytest.mark.parametrize("who", ["admin", "officer", "community", "citizen"])
def test_everyone_signed_in_reads_me(client, people, who):
    me = client.get("/api/v1/me", headers=bearer(people[who])).json
    assert me["role"] == who


def test_staff_scope(client, people):
    me = client.get("/api/v1/me", headers=bearer(people["officer"])).json
    assert me["unit_code"] == "000.00.15.H12" and me["assurance"] == "password"
    me = client.get("/api/v1/me", headers=bearer(people["community"])).json
    assert me["commune_code"] == HANOI_WARD


@pytest.mark.parametrize(
    "body, field",
    [
        ({**NEW_OFFICER, "unit_code": None}, "unit_code"),
        (
            {**NEW_OFFICER, "role": "community", "unit_code": None, "commune_code": 999999},
            "commune_code",
        ),
        ({**NEW_OFFICER, "role": "community", "unit_code": None}, "commune_code"),
        ({**NEW_OFFICER, "password": "short"}, "password"),
        ({**NEW_OFFICER, "password": "onlyletterslong"}, "password"),
        ({**NEW_OFFICER, "role": "superuser"}, "role"),
        ({**NEW_OFFICER, "username": "Bad Name!"}, "username"),
    ],
)
def test_staff_validation(client, people, app_ctx, body, field):
    before = db.session.scalar(select(db.func.count()).select_from(AuditEvent))
    r = client.post("/api/v1/admin/staff", json=body, headers=bearer(people["admin"]))
    assert r.status_code == 422, r.json
    assert field in r.json["errors"]
    assert db.session.scalar(select(db.func.count()).select_from(AuditEvent)) == before


def test_duplicate_username_409(client, people):
    assert (
        client.post(
            "/api/v1/admin/staff", json=NEW_OFFICER, headers=bearer(people["admin"])
        ).status_code
        == 201
    )
    r = client.post("/api/v1/admin/staff", json=NEW_OFFICER, headers=bearer(people["admin"]))
    assert r.status_code == 409 and r.json["error"] == "username_taken"


def test_role_change_is_audited_and_ends_sessions(client, people, app_ctx):
    staff = client.get("/api/v1/admin/staff?role=officer", headers=bearer(people["admin"])).json
    officer_id = staff["items"][0]["id"]
    r = client.patch(
        f"/api/v1/admin/staff/{officer_id}", json={"role": "admin"}, headers=bearer(people["admin"])
    )
    assert r.status_code == 200 and r.json["role"] == "admin"
    assert client.get("/api/v1/me", headers=bearer(people["officer"])).status_code == 401
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "role_changed"))
    assert event.details == {"old": "officer", "new": "admin"} and event.ip


def test_deactivated_staff_cannot_sign_in(client, people):
    staff = client.get("/api/v1/admin/staff?role=community", headers=bearer(people["admin"])).json
    cid = staff["items"][0]["id"]
    client.patch(
        f"/api/v1/admin/staff/{cid}", json={"active": False}, headers=bearer(people["admin"])
    )
    assert client.get("/api/v1/me", headers=bearer(people["community"])).status_code == 401
    r = client.post(
        "/api/v1/auth/staff/login", json={"username": "community1", "password": STAFF_PASSWORD}
    )
    assert r.status_code == 401


def test_password_brute_force_locked(client, app):
    make_staff(app, "officer9", "officer", unit_code="X.1")
    for _ in range(5):
        r = client.post(
            "/api/v1/auth/staff/login", json={"username": "officer9", "password": "nope nope 1"}
        )
        assert r.status_code in (401, 429)
    r = client.post(
        "/api/v1/auth/staff/login", json={"username": "officer9", "password": STAFF_PASSWORD}
    )
    assert r.status_code == 429 and r.json["error"] == "account_locked"


def test_citizen_cannot_use_staff_login(client, app):
    sign_in_phone(client, app)
    r = client.post(
        "/api/v1/auth/staff/login", json={"username": "84912345678", "password": "whatever 12"}
    )
    assert r.status_code == 401


def test_cli_creates_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "staff",
            "create",
            "--username",
            "root1",
            "--role",
            "admin",
            "--name",
            "Quản trị",
            "--password",
            "strong pass 9",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created admin root1" in result.output
    bad = runner.invoke(
        args=[
            "staff",
            "create",
            "--username",
            "root2",
            "--role",
            "officer",
            "--name",
            "X",
            "--password",
            "strong pass 9",
        ]
    )
    assert bad.exit_code != 0 and "unit_code" in bad.output
