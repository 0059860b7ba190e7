"""Driving the console with Flask's test client: a staff member signs in through the page,
and forms carry the CSRF token read from the page, as a browser would."""

from __future__ import annotations

import re

import pytest

from tests.helpers.common import STAFF_PASSWORD, bearer, make_staff, sign_in_staff

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    match = TOKEN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def console_sign_in(client, username: str, password: str = STAFF_PASSWORD):  # noqa: ANN001, ANN201
    page = client.get("/console/login")
    token = csrf_of(page.get_data(as_text=True))
    return client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token},
    )


def post_form(client, path: str, data: dict | None = None, page: str | None = None, **kwargs):  # noqa: ANN001, ANN201
    """POST a console form with the token from ``page`` (default: the page at ``path``'s parent)."""
    html = client.get(page or "/console/account").get_data(as_text=True)
    return client.post(path, data={**(data or {}), "csrf_token": csrf_of(html)}, **kwargs)


HANOI, CAO_BANG = 1, 4


HOAN_KIEM, CUA_NAM, THUC_PHAN = 70, 73, 1273


@pytest.fixture
def area(client, app):
    """A national admin sets up: Hà Nội's province admin, Hoàn Kiếm's commune admin, units in
    Hoàn Kiếm, Cửa Nam and Cao Bằng, and an officer and a team member in each."""
    make_staff(app, "root", "admin")
    root = bearer(sign_in_staff(client, "root"))

    def add(path, body):  # noqa: ANN001, ANN202
        r = client.post(f"/api/v1/admin/{path}", json=body, headers=root)
        assert r.status_code == 201, r.json
        return r.json

    add("units", {"code": "HK.UBND", "name": "UBND phường Hoàn Kiếm", "commune_code": HOAN_KIEM})
    add("units", {"code": "CN.UBND", "name": "UBND phường Cửa Nam", "commune_code": CUA_NAM})
    add("units", {"code": "CB.UBND", "name": "UBND phường Thục Phán", "commune_code": THUC_PHAN})
    for username, role, scope in [
        ("admin.hanoi", "admin", {"province_code": HANOI}),
        ("admin.hk", "admin", {"commune_code": HOAN_KIEM}),
        ("officer.hk", "officer", {"unit_code": "HK.UBND"}),
        ("officer.cn", "officer", {"unit_code": "CN.UBND"}),
        ("officer.cb", "officer", {"unit_code": "CB.UBND"}),
        ("team.hk", "community", {"commune_code": HOAN_KIEM}),
        ("team.cb", "community", {"commune_code": THUC_PHAN}),
    ]:
        add(
            "staff",
            {
                "username": username,
                "role": role,
                "full_name": username.title(),
                "password": STAFF_PASSWORD,
                **scope,
            },
        )
    return {
        "root": root,
        "hanoi": bearer(sign_in_staff(client, "admin.hanoi")),
        "hk": bearer(sign_in_staff(client, "admin.hk")),
    }


def usernames(client, headers) -> set[str]:  # noqa: ANN001
    items = client.get("/api/v1/admin/staff?page_size=100", headers=headers).json["items"]
    return {i["username"] for i in items}


def staff_id(client, headers, username: str) -> str:  # noqa: ANN001
    items = client.get("/api/v1/admin/staff?page_size=100", headers=headers).json["items"]
    return next(i["id"] for i in items if i["username"] == username)
