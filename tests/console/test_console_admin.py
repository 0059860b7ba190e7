"""Admins of a commune or a province: staff, units and audit of their own area only, through
the JSON API and the console alike."""

from __future__ import annotations

from sqlalchemy import select

from api.audit.models import AuditEvent
from api.auth.models import Account
from api.kernel.database import db
from tests.helpers.common import STAFF_PASSWORD, bearer, sign_in_staff
from tests.helpers.console import (
    CUA_NAM,
    HANOI,
    HOAN_KIEM,
    console_sign_in,
    csrf_of,
    post_form,
    staff_id,
    usernames,
)

NEW_PASSWORD = "mat khau moi 2026"


def test_each_admin_sees_only_their_area(client, area):
    assert usernames(client, area["hk"]) == {"admin.hk", "officer.hk", "team.hk"}
    assert usernames(client, area["hanoi"]) == {
        "admin.hanoi",
        "admin.hk",
        "officer.hk",
        "officer.cn",
        "team.hk",
    }
    assert {"officer.cb", "team.cb", "root"} <= usernames(client, area["root"])
    units = client.get("/api/v1/admin/units", headers=area["hk"]).json["items"]
    assert [(u["code"], u["officers"]) for u in units] == [("HK.UBND", 1)]
    hanoi_units = client.get("/api/v1/admin/units", headers=area["hanoi"]).json["items"]
    assert {u["code"] for u in hanoi_units} == {"HK.UBND", "CN.UBND"}


def test_outside_the_area_is_unknown_or_refused(client, area):
    cb_officer = staff_id(client, area["root"], "officer.cb")
    for path in (f"/staff/{cb_officer}", f"/staff/{cb_officer}/audit"):
        assert client.get(f"/api/v1/admin{path}", headers=area["hk"]).status_code == 404
    r = client.patch(
        f"/api/v1/admin/staff/{cb_officer}", json={"active": False}, headers=area["hanoi"]
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/admin/staff",
        json={
            "username": "officer.new",
            "role": "officer",
            "full_name": "Mới",
            "unit_code": "CN.UBND",
            "password": STAFF_PASSWORD,
        },
        headers=area["hk"],
    )
    assert r.status_code == 403 and r.json["error"] == "staff_outside_area"
    # A commune admin cannot make a province admin, nor move someone out of the area.
    r = client.post(
        "/api/v1/admin/staff",
        json={
            "username": "admin.new",
            "role": "admin",
            "full_name": "Mới",
            "province_code": HANOI,
            "password": STAFF_PASSWORD,
        },
        headers=area["hk"],
    )
    assert r.status_code == 403
    team = staff_id(client, area["hk"], "team.hk")
    r = client.patch(
        f"/api/v1/admin/staff/{team}", json={"commune_code": CUA_NAM}, headers=area["hk"]
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/admin/units",
        json={"code": "X.1", "name": "X", "commune_code": CUA_NAM},
        headers=area["hk"],
    )
    assert r.status_code == 403
    assert (
        client.get(
            "/api/v1/admin/staff", headers=bearer(sign_in_staff(client, "officer.hk"))
        ).status_code
        == 403
    )


def test_retire_and_reset_password(client, app, area):
    officer = staff_id(client, area["hk"], "officer.hk")
    session = bearer(sign_in_staff(client, "officer.hk"))
    r = client.post(
        f"/api/v1/admin/staff/{officer}/password", json={"password": "short"}, headers=area["hk"]
    )
    assert r.status_code == 422 and "password" in r.json["errors"]
    r = client.post(
        f"/api/v1/admin/staff/{officer}/password",
        json={"password": NEW_PASSWORD},
        headers=area["hk"],
    )
    assert r.status_code == 200
    assert client.get("/api/v1/me", headers=session).status_code == 401  # sessions ended
    ok = client.post(
        "/api/v1/auth/staff/login", json={"username": "officer.hk", "password": NEW_PASSWORD}
    )
    assert ok.status_code == 200
    r = client.post(f"/api/v1/admin/staff/{officer}/retire", headers=area["hk"])
    assert r.status_code == 200 and r.json["retired_at"] and not r.json["active"]
    again = client.patch(
        f"/api/v1/admin/staff/{officer}", json={"active": True}, headers=area["hk"]
    )
    assert again.status_code == 409 and again.json["error"] == "staff_retired"
    refused = client.post(
        "/api/v1/auth/staff/login", json={"username": "officer.hk", "password": NEW_PASSWORD}
    )
    assert refused.status_code == 401
    trail = client.get("/api/v1/admin/audit?page_size=100", headers=area["hk"]).json["items"]
    mine = [(e["action"], e["actor"]["full_name"]) for e in trail if e["actor"]]
    assert ("staff_retired", "Admin.Hk") in mine and ("password_reset", "Admin.Hk") in mine
    # Cao Bằng's events are not in Hoàn Kiếm's trail.
    assert all(e["subject"] is None or e["subject"]["full_name"] != "Team.Cb" for e in trail)


def test_console_admin_adds_and_suspends(client, app, area):
    console_sign_in(client, "admin.hk")
    html = client.get("/console/staff/").get_data(as_text=True)
    assert "Officer.Hk" in html and "Team.Hk" in html and "Officer.Cn" not in html
    assert "/console/units/" in html and "/console/audit/" in html and "/console/inbox/" not in html
    form = client.get("/console/staff/new").get_data(as_text=True)
    assert "UBND phường Hoàn Kiếm (HK.UBND)" in form and "CN.UBND" not in form
    r = client.post(
        "/console/staff/new",
        data={
            "csrf_token": csrf_of(form),
            "full_name": "Lê Thị Mai",
            "username": "mai.hk",
            "role": "officer",
            "unit_code": "HK.UBND",
            "password": STAFF_PASSWORD,
        },
    )
    assert r.status_code == 303
    detail = r.headers["Location"]
    r = post_form(client, f"{detail}/suspend", page=detail)
    assert r.status_code == 303
    html = client.get(detail).get_data(as_text=True)
    assert "Tạm khóa" in html and "Mở khóa" in html and "tạo tài khoản" in html
    with app.app_context():
        mai = db.session.scalar(select(Account).where(Account.username == "mai.hk"))
        assert not mai.active and mai.unit_code == "HK.UBND"
        events = db.session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.subject_account_id == mai.id)
            .order_by(AuditEvent.id)  # no ORDER BY is no order (PostgreSQL varies)
        ).all()
        assert events == ["staff_created", "staff_deactivated"]
    assert (
        client.post(
            "/api/v1/auth/staff/login", json={"username": "mai.hk", "password": STAFF_PASSWORD}
        ).status_code
        == 401
    )
    # A bad form comes back with the service's words and what was typed.
    form = client.get("/console/staff/new").get_data(as_text=True)
    r = client.post(
        "/console/staff/new",
        data={
            "csrf_token": csrf_of(form),
            "full_name": "Ngắn",
            "username": "ngan.hk",
            "role": "community",
            "commune_code": str(HOAN_KIEM),
            "password": "ngan",
        },
    )
    assert r.status_code == 422 and "at least 10 characters" in r.get_data(as_text=True)
    assert 'value="ngan.hk"' in r.get_data(as_text=True)
    # Someone of another area is not found from the console either.
    cb = staff_id(client, area["root"], "officer.cb")
    assert client.get(f"/console/staff/{cb}").status_code == 404


def test_console_units_and_audit(client, area):
    console_sign_in(client, "admin.hanoi")
    page = client.get("/console/units/").get_data(as_text=True)
    assert "HK.UBND" in page and "CN.UBND" in page and "CB.UBND" not in page
    r = client.post(
        "/console/units/",
        data={
            "csrf_token": csrf_of(page),
            "code": "BD.UBND",
            "name": "UBND phường Ba Đình",
            "commune_code": "4",
        },
    )
    assert r.status_code == 303
    assert "BD.UBND" in client.get("/console/units/").get_data(as_text=True)
    audit = client.get("/console/audit/").get_data(as_text=True)
    assert "thêm đơn vị" in audit and "BD.UBND" in audit and "Team.Cb" not in audit
