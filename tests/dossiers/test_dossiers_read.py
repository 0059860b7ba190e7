"""Who may see a dossier and how much: owner, handling officers, admins, strangers with the
second factor, followers; QR verification of results."""

from __future__ import annotations

import json

import pytest

from tests.helpers.common import (
    bearer,
    make_staff,
    sign_in_phone,
    sign_in_staff,
    sign_in_verified,
)
from tests.helpers.dossiers import CODE, OWNER_ID, RECORD, UNIT, push

PERSONAL = ["Nguyễn Thị Hoa", OWNER_ID, "0912345987", "hoa@example.vn", "Cán bộ Trần"]


@pytest.fixture
def dossier(client):
    push(client, [RECORD])
    push(
        client,
        [
            {
                "MaHoSo": CODE,
                "ThoiDiemXuLy": "20251120100000",
                "NguoiXuLy": "Cán bộ Trần",
                "ChucDanh": "Công chức tư pháp",
                "PhongBanXuLy": "Tư pháp - Hộ tịch",
                "NoiDungXuLy": "Thẩm định hồ sơ",
                "TrangThai": "4",
            }
        ],
        "/api/v1/portal/progress",
    )
    return CODE


@pytest.fixture
def people(client, app):
    make_staff(app, "officer.hk", "officer", unit_code=UNIT)
    make_staff(app, "officer.other", "officer", unit_code="UBND xã Khác")
    make_staff(app, "admin.x", "admin")
    make_staff(app, "community.x", "community", commune_code=70)
    return {
        "owner": sign_in_verified(app, OWNER_ID),
        "stranger": sign_in_verified(app, "079000000999", "Người lạ"),
        # The record's phone proven by a one-time code: the dossier's contact.
        "contact": sign_in_phone(client, app, "0912345987"),
        "other_phone": sign_in_phone(client, app, "0987654321"),  # a phone not on the record
        "officer": sign_in_staff(client, "officer.hk"),
        "other_officer": sign_in_staff(client, "officer.other"),
        "admin": sign_in_staff(client, "admin.x"),
        "community": sign_in_staff(client, "community.x"),
    }


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("officer", 200),
        ("admin", 200),
        ("stranger", 404),
        ("contact", 200),
        ("other_phone", 404),
        ("other_officer", 404),
        ("community", 404),
    ],
)
def test_full_view_access(client, dossier, people, who, status):
    r = client.get(f"/api/v1/dossiers/{dossier}", headers=bearer(people[who]))
    assert r.status_code == status
    if status == 200:
        body = r.json
        assert body["status"]["code"] == 4 and body["status"]["label"] == "Đang xử lý"
        assert body["procedure"] == {"code": "1.011954", "name": "Đăng ký khai sinh"}
        assert body["applicant_id_masked"] == "********3456"
        assert body["overdue"] is True  # promised for 21/11/2025
        assert [e["kind"] for e in body["timeline"]] == ["status", "progress"]
    else:
        assert r.json["error"] == "dossier_not_found"


def test_unknown_and_forbidden_look_the_same(client, dossier, people):
    other = client.get(f"/api/v1/dossiers/{dossier}", headers=bearer(people["stranger"])).json
    unknown = client.get(
        "/api/v1/dossiers/000.00.15.H12-251120-0009", headers=bearer(people["stranger"])
    ).json
    assert other["error"] == unknown["error"] and other["code"] == unknown["code"] == 404


def test_my_dossiers_by_identity_and_groups(client, dossier, people):
    mine = client.get("/api/v1/me/dossiers", headers=bearer(people["owner"])).json
    assert mine["total"] == 1 and mine["items"][0]["code"] == dossier
    assert (
        client.get("/api/v1/me/dossiers?group=in_progress", headers=bearer(people["owner"])).json[
            "total"
        ]
        == 1
    )
    assert (
        client.get("/api/v1/me/dossiers?group=done", headers=bearer(people["owner"])).json["total"]
        == 0
    )
    contact = client.get("/api/v1/me/dossiers", headers=bearer(people["contact"])).json
    assert contact["total"] == 1 and contact["items"][0]["code"] == dossier
    assert (
        client.get("/api/v1/me/dossiers", headers=bearer(people["other_phone"])).json["total"] == 0
    )
    bad = client.get("/api/v1/me/dossiers?group=lost", headers=bearer(people["owner"]))
    assert bad.status_code == 422


def test_lookup_reduced_view_leaks_nothing(client, dossier):
    r = client.post("/api/v1/dossiers/lookup", json={"code": dossier, "verify": "5987"})
    assert r.status_code == 200
    text = r.get_data(as_text=True)
    for secret in PERSONAL:
        assert secret not in text and json.dumps(secret)[1:-1] not in text
    assert r.json["status"]["code"] == 4 and r.json["procedure"]["name"] == "Đăng ký khai sinh"
    assert [e["kind"] for e in r.json["timeline"]] == ["status", "progress"]
    assert "actor" not in r.json["timeline"][1] and "content" not in r.json["timeline"][1]
    by_id = client.post("/api/v1/dossiers/lookup", json={"code": dossier, "verify": "3456"})
    assert by_id.status_code == 200


def test_lookup_wrong_factor_equals_unknown_code(client, dossier):
    wrong = client.post("/api/v1/dossiers/lookup", json={"code": dossier, "verify": "0000"})
    unknown = client.post(
        "/api/v1/dossiers/lookup", json={"code": "000.00.15.H12-251120-0002", "verify": "5987"}
    )
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json == unknown.json
    for bad in (
        {"code": dossier},
        {"code": dossier, "verify": "12"},
        {"code": "x", "verify": "1234"},
    ):
        assert client.post("/api/v1/dossiers/lookup", json=bad).status_code == 422


def test_lookup_rate_limited_against_enumeration(client, dossier):
    statuses = [
        client.post(
            "/api/v1/dossiers/lookup", json={"code": dossier, "verify": f"{n:04d}"}
        ).status_code
        for n in range(11)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429


def test_follow_with_factor_then_listed(client, dossier, people):
    stranger = people["stranger"]
    assert (
        client.post(
            f"/api/v1/dossiers/{dossier}/follow", json={}, headers=bearer(stranger)
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"/api/v1/dossiers/{dossier}/follow", json={"verify": "1111"}, headers=bearer(stranger)
        ).status_code
        == 404
    )
    r = client.post(
        f"/api/v1/dossiers/{dossier}/follow", json={"verify": "5987"}, headers=bearer(stranger)
    )
    assert r.status_code == 200
    listed = client.get("/api/v1/me/dossiers", headers=bearer(stranger)).json
    assert [d["code"] for d in listed["items"]] == [dossier]
    # A listed dossier always opens: a follower gets the reduced view, never personal data.
    opened = client.get(f"/api/v1/dossiers/{dossier}", headers=bearer(stranger))
    assert opened.status_code == 200 and opened.json["view"] == "reduced"
    assert opened.json["following"] is True and opened.json["code"] == dossier
    for personal in ("applicant_name", "applicant_id_masked", "phone_masked", "note"):
        assert personal not in opened.json
    assert not any(value in opened.get_data(as_text=True) for value in PERSONAL)
    assert (
        client.delete(f"/api/v1/dossiers/{dossier}/follow", headers=bearer(stranger)).status_code
        == 204
    )
    assert client.get("/api/v1/me/dossiers", headers=bearer(stranger)).json["total"] == 0
    # The owner follows without a factor.
    assert (
        client.post(
            f"/api/v1/dossiers/{dossier}/follow", json={}, headers=bearer(people["owner"])
        ).status_code
        == 200
    )


def test_qr_png_svg_and_verification(client, dossier, people):
    png = client.get(f"/api/v1/dossiers/{dossier}/qr", headers=bearer(people["owner"]))
    assert (
        png.status_code == 200
        and png.mimetype == "image/png"
        and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    )
    svg = client.get(f"/api/v1/dossiers/{dossier}/qr?format=svg", headers=bearer(people["owner"]))
    assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert (
        client.get(f"/api/v1/dossiers/{dossier}/qr", headers=bearer(people["stranger"])).status_code
        == 404
    )
    from sqlalchemy import select

    from api.dossiers.models import Dossier
    from api.dossiers.service import verification_url
    from api.kernel.database import db

    with client.application.app_context():
        url = verification_url(db.session.scalar(select(Dossier).where(Dossier.code == dossier)))
    path = url[url.index("/verify/") :]
    ok = client.get(path)
    assert ok.status_code == 200 and ok.json["genuine"] is True
    assert ok.json["result_documents"] == ["Giấy khai sinh (bản điện tử)"]
    for secret in PERSONAL:
        assert secret not in ok.get_data(as_text=True)
    token = path.rsplit("/", 1)[1]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    bad = client.get(f"/verify/{tampered}")
    assert bad.status_code == 404 and bad.json["error"] == "qr_invalid"
    from itsdangerous import URLSafeSerializer

    forged = URLSafeSerializer("another-key", salt="dossier-result-qr").dumps({"c": dossier})
    assert client.get(f"/verify/{forged}").status_code == 404
