"""The demo shows everything: /docs with no internet, QR links at the real address, the
verification page for people and JSON for API clients, officers' units checked, codes typed
as people type them."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from api.audit.service import Origin
from api.kernel.clock import VN_TZ
from api.kernel.errors import ApiError
from tests.helpers.common import bearer, sign_in_verified
from tests.helpers.dossiers import CODE, OWNER_ID, hoso, push


def test_docs_assets_come_from_the_package_not_a_cdn(client):
    page = client.get("/docs").get_data(as_text=True)
    assert "cdn." not in page and "https://" not in page
    for asset in re.findall(r'(?:href|src)="([^"]+)"', page):
        r = client.get(asset)
        assert r.status_code == 200 and len(r.data) > 1000, asset


def test_app_base_url_follows_the_real_port():
    from api.kernel.settings import Settings

    assert Settings.from_env(env={"PORT": "8102"}).app_base_url == "http://127.0.0.1:8102"
    explicit = {"PORT": "8102", "APP_BASE_URL": "https://dvc.example.vn"}
    assert Settings.from_env(env=explicit).app_base_url == "https://dvc.example.vn"


def _verify_url(client, app) -> str:
    push(client, [hoso(status=10, NgayTra="20251121100000", DanhSachGiayToKetQua=[
        {"TenGiayTo": "Giấy khai sinh", "MaGiayToKetQua": "KQ-1"}
    ])])  # fmt: skip
    with app.app_context():
        from sqlalchemy import select

        from api.dossiers.models import Dossier
        from api.dossiers.service import verification_url
        from api.kernel.database import db

        url = verification_url(db.session.scalar(select(Dossier).where(Dossier.code == CODE)))
    assert url.startswith(app.extensions["settings"].app_base_url)
    return url[url.index("/verify/") :]


def test_verify_is_a_page_for_people_and_json_for_api_clients(client, app):
    path = _verify_url(client, app)
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get(path, headers={"Accept": browser})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "Kết quả do cơ quan nhà nước cấp" in text and "genuine result" in text
    assert "Giấy khai sinh" in text and OWNER_ID not in text and "Nguyễn Thị Hoa" not in text
    api = client.get(path)  # */*, as curl and libraries send
    assert api.mimetype == "application/json" and api.json["genuine"] is True
    bad = client.get(path[:-3] + "xyz", headers={"Accept": browser})
    assert bad.status_code == 404 and "Không xác thực được" in bad.get_data(as_text=True)
    assert client.get(path[:-3] + "xyz").json["error"] == "qr_invalid"


def test_an_officers_unit_is_checked_with_close_matches(client, app):
    from api.staff.service import create_staff

    push(client, [hoso(DonViXuLy="Ủy ban nhân dân phường Hoàn Kiếm")])
    base = {"password": "correct horse 42", "role": "officer", "actor_id": None}
    with app.app_context():
        with pytest.raises(ApiError) as typo:
            create_staff(
                username="cb.typo", full_name="A", unit_code="Uy ban nhan dan phuong Hoan Kiemm",
                origin=Origin(channel="test"), **base,
            )  # fmt: skip
        assert typo.value.slug == "staff_unit_unknown"
        assert "Ủy ban nhân dân phường Hoàn Kiếm" in typo.value.params["matches"]
        # The same name without accents or in other case is the known unit, as written.
        same = create_staff(
            username="cb.same", full_name="B", unit_code="uy ban nhan dan phuong hoan kiem",
            origin=Origin(channel="test"), **base,
        )  # fmt: skip
        assert same.unit_code == "Ủy ban nhân dân phường Hoàn Kiếm"
        forced = create_staff(
            username="cb.new", full_name="C", unit_code="Uy ban nhan dan phuong Hoan Kiemm",
            origin=Origin(channel="test"), new_unit=True, **base,
        )  # fmt: skip
        assert forced.unit_code == "Uy ban nhan dan phuong Hoan Kiemm"


def test_lookup_accepts_codes_as_people_type_them(client, app):
    push(client, [hoso()])
    for typed in (CODE.lower(), f"  {CODE} ", f" {CODE.lower()}\t"):
        r = client.post("/api/v1/dossiers/lookup", json={"code": typed, "verify": "5987"})
        assert r.status_code == 200 and r.json["code"] == CODE, typed
    owner = bearer(sign_in_verified(app, OWNER_ID))
    assert client.get(f"/api/v1/dossiers/{CODE.lower()}", headers=owner).status_code == 200


def test_a_refused_dossier_shows_its_reason_and_timeline_labels(client, app):
    push(client, [hoso()])
    refusal = {
        "MaHoSo": CODE,
        "NguoiXuLy": "Cán bộ Trần",
        "ChucDanh": "Chuyên viên",
        # After the record's push: newer than anything known of the dossier.
        "ThoiDiemXuLy": (datetime.now(VN_TZ) + timedelta(minutes=1)).strftime("%Y%m%d%H%M%S"),
        "PhongBanXuLy": "Một cửa",
        "NoiDungXuLy": "Thiếu bản sao giấy chứng sinh",
        "TrangThai": "3",
    }
    push(client, [refusal], "/api/v1/portal/progress")
    owner = bearer(sign_in_verified(app, OWNER_ID))
    body = client.get(f"/api/v1/dossiers/{CODE}", headers=owner).json
    assert body["status"]["code"] == 3 and body["reason"] == "Thiếu bản sao giấy chứng sinh"
    labels = [(e["label"], e["label_en"]) for e in body["timeline"]]
    assert ("Đang xử lý", "Being processed") in labels
    assert any(vi.startswith("Cập nhật xử lý: ") and en.startswith("Processing update: ")
               for vi, en in labels)  # fmt: skip
    reduced = client.post("/api/v1/dossiers/lookup", json={"code": CODE, "verify": "5987"}).json
    assert all(e["label"] for e in reduced["timeline"]) and "reason" not in reduced


def test_a_rate_limited_caller_is_told_when_to_try_again(client):
    for _ in range(40):
        r = client.post("/api/v1/dossiers/lookup", json={"code": CODE, "verify": "1111"})
        if r.status_code == 429:
            break
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    assert "thử lại sau" in r.json["message"] and (
        "phút" in r.json["message"] or "giây" in r.json["message"]
    )
    en = client.post(
        "/api/v1/dossiers/lookup",
        json={"code": CODE, "verify": "1111"},
        headers={"Accept-Language": "en"},
    ).json
    assert "try again in" in en["message"]
