"""Dossiers for messaging and rating tests, pushed the way the portal pushes them (signed
webhook, the portal's HoSo/TienDo shapes), and the people around them."""

from __future__ import annotations

import json
import time

from api.portal.push_auth import sign
from tests.conftest import PUSH_SECRET
from tests.helpers.common import (
    bearer,
    make_staff,
    sign_in_phone,
    sign_in_staff,
    sign_in_verified,
)

OWNER_ID = "001090123456"
UNIT = "UBND phường Hoàn Kiếm"
OTHER_UNIT = "UBND xã Khác"
CODE = "000.00.15.H12-251120-0001"
# A full HoSo record as the portal pushes it (every field the mapping reads).
RECORD = {
    "MaHoSo": CODE,
    "MaTTHC": "1.011954",
    "TenTTHC": "Đăng ký khai sinh",
    "MaLinhVuc": "HO_TICH",
    "TenLinhVuc": "Hộ tịch",
    "SoBienNhan": CODE,
    "KenhThucHien": "2",
    "ChuHoSo": "Nguyễn Thị Hoa",
    "SoGiayToChuHoSo": OWNER_ID,
    "LoaiDoiTuong": "1",
    "Email": "hoa@example.vn",
    "SoDienThoai": "0912345987",
    "TrichYeuHoSo": "Đăng ký khai sinh cho con",
    "NgayNopHoSo": "20251120083000",
    "NgayTiepNhan": "20251120090000",
    "NgayHenTra": "20251121170000",
    "NgayTra": "",
    "NgayKetThucXuLy": "",
    "NgayTuChoi": "",
    "TrangThaiHoSo": "4",
    "DonViXuLy": UNIT,
    "GhiChu": "",
    "HoSoCoThanhPhanSoHoa": "1",
    "TaiKhoanDuocXacThucVoiVNeID": "1",
    "DuocThanhToanTrucTuyen": "0",
    "DanhSachGiayToKetQua": [
        {"TenGiayTo": "Giấy khai sinh (bản điện tử)", "MaGiayToKetQua": "KQ1"}
    ],
    "DanhSachHoSoBoSung": [],
}


def hoso(code: str = CODE, status: int = 4, **fields: str) -> dict:
    """A HoSo record: received 20/11/2025, due 21/11/2025 17:00 (Vietnam time)."""
    record = {
        "MaHoSo": code,
        "MaTTHC": "1.011954",
        "TenTTHC": "Đăng ký khai sinh",
        "SoBienNhan": code,
        "KenhThucHien": "2",
        "ChuHoSo": "Nguyễn Thị Hoa",
        "SoGiayToChuHoSo": OWNER_ID,
        "LoaiDoiTuong": "1",
        "SoDienThoai": "0912345987",
        "NgayNopHoSo": "20251120083000",
        "NgayTiepNhan": "20251120090000",
        "NgayHenTra": "20251121170000",
        "TrangThaiHoSo": str(status),
        "DonViXuLy": UNIT,
        "DanhSachHoSoBoSung": [],
    }
    record.update(fields)
    return record


def push(client, records: list[dict], path: str = "/api/v1/portal/dossiers"):  # noqa: ANN001, ANN201
    body = json.dumps({"data": records}).encode()
    stamp = str(int(time.time()))
    r = client.post(
        path,
        data=body,
        content_type="application/json",
        headers={"X-Portal-Timestamp": stamp, "X-Portal-Signature": sign(PUSH_SECRET, stamp, body)},
    )
    assert r.status_code == 200 and all(x["error_code"] == 0 for x in r.json["result"]), r.json
    return r


def people(client, app) -> dict:  # noqa: ANN001
    """Bearer headers: the applicant, a stranger, officers of the handling unit and of another
    unit, an admin, a community team member."""
    make_staff(app, "officer.hk", "officer", unit_code=UNIT)
    make_staff(app, "officer.hk2", "officer", unit_code=UNIT)
    make_staff(app, "officer.other", "officer", unit_code=OTHER_UNIT)
    make_staff(app, "admin.x", "admin")
    make_staff(app, "community.x", "community", commune_code=70)
    return {
        "owner": bearer(sign_in_verified(app, OWNER_ID)),
        "stranger": bearer(sign_in_verified(app, "079000000999", "Người lạ")),
        # The record's phone proven by a one-time code: the dossier's contact.
        "contact": bearer(sign_in_phone(client, app, "0912345987")),
        "other_phone": bearer(sign_in_phone(client, app, "0987654321")),
        "officer": bearer(sign_in_staff(client, "officer.hk")),
        "colleague": bearer(sign_in_staff(client, "officer.hk2")),
        "other_officer": bearer(sign_in_staff(client, "officer.other")),
        "admin": bearer(sign_in_staff(client, "admin.x")),
        "community": bearer(sign_in_staff(client, "community.x")),
    }


def principal_of(headers: dict):  # noqa: ANN201
    """The Principal behind a bearer header, for calling services as bots will."""
    from api.auth.guard import authenticate

    return authenticate(headers["Authorization"])
