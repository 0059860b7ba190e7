"""Admins' community team pages: a commune admin sets up a team of their commune, adds,
suspends, reinstates and retires members and reads the activity; a province admin sees the
teams of the province only; nobody sees another area's team."""

from __future__ import annotations

from sqlalchemy import select

from api.assistance.models import Team, TeamMember
from api.kernel.database import db
from tests.helpers.console import (
    CUA_NAM,
    HOAN_KIEM,
    THUC_PHAN,
    console_sign_in,
    csrf_of,
    staff_id,
)


def _team(client, root, commune: int, village: str) -> str:  # noqa: ANN001
    r = client.post(
        "/api/v1/admin/assistance/teams",
        json={
            "commune_code": commune,
            "village": village,
            "decision_number": "12/QĐ-UBND",
            "decision_date": "2026-01-05",
        },
        headers=root,
    )
    assert r.status_code == 201, r.json
    return r.json["id"]


def _browser(app, username: str):  # noqa: ANN001, ANN202
    browser = app.test_client()
    assert console_sign_in(browser, username).status_code == 303
    return browser


def test_a_commune_admin_runs_a_team(client, app, area):
    admin = _browser(app, "admin.hk")
    page = admin.get("/console/teams/").get_data(as_text=True)
    assert "Thành lập tổ" in page
    r = admin.post(
        "/console/teams/",
        data={
            "commune_code": str(HOAN_KIEM),
            "village": "Tổ dân phố 3",
            "decision_number": "45/QĐ-UBND",
            "decision_date": "",
            "csrf_token": csrf_of(page),
        },
    )
    assert r.status_code == 422  # the API's own rules: a decision date is required
    r = admin.post(
        "/console/teams/",
        data={
            "commune_code": str(HOAN_KIEM),
            "village": "Tổ dân phố 3",
            "decision_number": "45/QĐ-UBND",
            "decision_date": "2026-02-01",
            "csrf_token": csrf_of(page),
        },
    )
    assert r.status_code == 303
    where = r.headers["Location"]
    page = admin.get(where).get_data(as_text=True)
    assert "Team.Hk" in page and "Tổ chưa có thành viên" in page
    member = staff_id(client, area["root"], "team.hk")
    token = csrf_of(page)
    assert (
        admin.post(f"{where}/members", data={"staff_id": member, "csrf_token": token}).status_code
        == 303
    )
    page = admin.get(where).get_data(as_text=True)
    assert "Đang hoạt động" in page and "Người dân được giúp" in page
    with app.app_context():
        state = lambda: db.session.scalar(select(TeamMember.status))  # noqa: E731
        assert state() == "active"
    for status in ("suspended", "active", "retired"):
        r = admin.post(f"{where}/members/{member}", data={"status": status, "csrf_token": token})
        assert r.status_code == 303
        with app.app_context():
            assert state() == status
    # Retired members do not come back: refused on the page, nothing changes.
    r = admin.post(f"{where}/members/{member}", data={"status": "active", "csrf_token": token})
    assert r.status_code == 409
    with app.app_context():
        assert state() == "retired"
    assert admin.get(f"{where}?from=2026-13-01").status_code == 422


def test_each_admin_sees_only_their_areas_teams(client, app, area):
    hk = _team(client, area["root"], HOAN_KIEM, "Tổ 1")
    cn = _team(client, area["root"], CUA_NAM, "Tổ 2")
    cb = _team(client, area["root"], THUC_PHAN, "Tổ 3")
    commune = _browser(app, "admin.hk")
    listing = commune.get("/console/teams/").get_data(as_text=True)
    assert f"/console/teams/{hk}" in listing
    assert f"/console/teams/{cn}" not in listing and f"/console/teams/{cb}" not in listing
    assert commune.get(f"/console/teams/{cn}").status_code == 403
    province = _browser(app, "admin.hanoi")
    listing = province.get("/console/teams/").get_data(as_text=True)
    assert f"/console/teams/{hk}" in listing and f"/console/teams/{cn}" in listing
    assert f"/console/teams/{cb}" not in listing
    assert province.get(f"/console/teams/{cb}").status_code == 403
    token = csrf_of(listing)
    member = staff_id(client, area["root"], "team.cb")
    r = province.post(
        f"/console/teams/{cb}/members", data={"staff_id": member, "csrf_token": token}
    )
    assert r.status_code == 403
    r = province.post(
        "/console/teams/",
        data={
            "commune_code": str(THUC_PHAN),
            "village": "Tổ 9",
            "decision_number": "1/QĐ",
            "decision_date": "2026-02-01",
            "csrf_token": token,
        },
    )
    assert r.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(TeamMember.id)) is None
        assert db.session.scalar(select(Team.id).where(Team.village == "Tổ 9")) is None
    assert _browser(app, "officer.hk").get("/console/teams/").status_code == 403
    assert _browser(app, "team.hk").get("/console/teams/").status_code == 403
