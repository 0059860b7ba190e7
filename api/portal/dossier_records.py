"""HoSo and TienDo records (the portal's wire format) → plain dossier updates.

Only this adapter knows the portal's field names; the dossier service sees DossierUpdate and
ProgressUpdate. Every value arrives as a string; dates are yyyyMMddHHmmss, Vietnam time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from api.kernel.digits import ascii_digits, is_digits
from api.kernel.phone import normalise_phone
from api.kernel.web.input_guard import has_bad_text
from api.portal.records import parse_portal_datetime

DOSSIER_CODE = re.compile(r"^[0-9A-Za-z.]{3,40}-[0-9]{6}-[0-9]{4,6}$")
# The update time of a record. The portal's HoSo has no such field in the sources we have;
# provincial systems that add one may use this name (unconfirmed). Without it, the signed
# push timestamp (or the time of a pull) orders updates.
UPDATED_AT_FIELDS = ("NgayCapNhat", "ThoiDiemCapNhat")


class RecordError(ValueError):
    """One record is malformed; the message names the field."""


@dataclass
class DossierUpdate:
    code: str
    status_code: int
    fields: dict = field(default_factory=dict)
    as_of: datetime | None = None  # from the record itself, when it says


@dataclass
class ProgressUpdate:
    dossier_code: str
    occurred_at: datetime
    status_code: int | None
    actor: str
    actor_title: str
    department: str
    content: str
    step_started_at: datetime | None
    step_due_at: datetime | None


def _text(record: dict, key: str, limit: int = 2000) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise RecordError(f"{key}: must be a string")
    text = str(value)
    if has_bad_text(text):
        raise RecordError(f"{key}: holds a NUL character or an unpaired surrogate")
    return text.strip()[:limit]


def _date(record: dict, key: str) -> datetime | None:
    try:
        return parse_portal_datetime(record.get(key) if record.get(key) is not None else None)
    except (ValueError, OverflowError) as exc:  # year 0001 in Vietnam is before year 1 UTC
        raise RecordError(f"{key}: not a date-time yyyyMMddHHmmss") from exc


def _flag(record: dict, key: str) -> bool:
    value = _text(record, key)
    if value not in ("", "0", "1"):
        raise RecordError(f'{key}: must be "0" or "1"')
    return value == "1"


def _status(record: dict, key: str, required: bool) -> int | None:
    value = _text(record, key)
    if not value:
        if required:
            raise RecordError(f"{key}: required")
        return None
    if not is_digits(value) or not 1 <= int(value) <= 10:
        raise RecordError(f"{key}: must be a status code 1 to 10")
    return int(value)


def _code(record: dict, key: str) -> str:
    code = _text(record, key, 64)
    if not DOSSIER_CODE.match(code):
        raise RecordError(f"{key}: not a dossier code like 000.00.15.H12-240101-0001")
    return code


def _list(record: dict, key: str) -> list:
    value = record.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise RecordError(f"{key}: must be a list of objects")
    return value


def dossier_from_hoso(record: object) -> DossierUpdate:
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object")
    update = DossierUpdate(
        code=_code(record, "MaHoSo"), status_code=_status(record, "TrangThaiHoSo", True)
    )
    channel = _text(record, "KenhThucHien", 2)
    if channel not in ("", "1", "2", "3"):
        raise RecordError("KenhThucHien: must be 1, 2 or 3")
    applicant_type = _text(record, "LoaiDoiTuong", 2)
    if applicant_type not in ("", "1", "2", "3", "4"):
        raise RecordError("LoaiDoiTuong: must be 1 to 4")
    results = [
        {"name": _text(d, "TenGiayTo", 500), "code": _text(d, "MaGiayToKetQua", 100)}
        for d in _list(record, "DanhSachGiayToKetQua")
    ]
    supplements = [
        {str(k)[:100]: _text(d, k, 1000) for k, v in d.items() if isinstance(v, (str, int, float))}
        for d in _list(record, "DanhSachHoSoBoSung")
    ]
    if any(has_bad_text(k) for d in supplements for k in d):
        raise RecordError("DanhSachHoSoBoSung: holds a NUL character or an unpaired surrogate")
    update.fields = {
        "procedure_code": _text(record, "MaTTHC", 64),
        "procedure_name": _text(record, "TenTTHC"),
        "field_code": _text(record, "MaLinhVuc", 64),
        "field_name": _text(record, "TenLinhVuc", 300),
        "receipt_number": _text(record, "SoBienNhan", 64),
        "channel": channel,
        "applicant_name": _text(record, "ChuHoSo", 300),
        "applicant_id_number": ascii_digits(_text(record, "SoGiayToChuHoSo", 20)),
        "applicant_type": applicant_type,
        "applicant_code": _text(record, "MaDoiTuong", 64),
        "email": _text(record, "Email", 254),
        "phone": ascii_digits(_text(record, "SoDienThoai", 20)),
        "contact_phone": normalise_phone(ascii_digits(_text(record, "SoDienThoai", 20))) or "",
        "summary": _text(record, "TrichYeuHoSo"),
        "submitted_at": _date(record, "NgayNopHoSo"),
        "received_at": _date(record, "NgayTiepNhan"),
        "due_at": _date(record, "NgayHenTra"),
        "returned_at": _date(record, "NgayTra"),
        "finished_processing_at": _date(record, "NgayKetThucXuLy"),
        "refused_at": _date(record, "NgayTuChoi"),
        "handling_unit": _text(record, "DonViXuLy", 300),
        "note": _text(record, "GhiChu"),
        "digitised": _flag(record, "HoSoCoThanhPhanSoHoa"),
        "vneid_verified": _flag(record, "TaiKhoanDuocXacThucVoiVNeID"),
        "paid_online": _flag(record, "DuocThanhToanTrucTuyen"),
        "result_documents": results,
        "supplement_requests": supplements,
    }
    for key in UPDATED_AT_FIELDS:
        if record.get(key):
            update.as_of = _date(record, key)
            break
    return update


def progress_from_tiendo(record: object) -> ProgressUpdate:
    if not isinstance(record, dict):
        raise RecordError("record is not a JSON object")
    occurred = _date(record, "ThoiDiemXuLy")
    if occurred is None:
        raise RecordError("ThoiDiemXuLy: required")
    return ProgressUpdate(
        dossier_code=_code(record, "MaHoSo"),
        occurred_at=occurred,
        status_code=_status(record, "TrangThai", False),
        actor=_text(record, "NguoiXuLy", 200),
        actor_title=_text(record, "ChucDanh", 200),
        department=_text(record, "PhongBanXuLy", 300),
        content=_text(record, "NoiDungXuLy"),
        step_started_at=_date(record, "NgayBatDau"),
        step_due_at=_date(record, "NgayKetThucTheoQuyDinh"),
    )
