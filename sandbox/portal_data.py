"""Realistic fake data for the portal simulator: dossiers (HoSo), progress (TienDo) and
procedure records (LayThuTuc) built from the catalog file.

Self-contained on purpose (standard library only, its own date formatting and field names):
it must not share a bug with the adapter it is used to test. Names and numbers are invented.
"""

from __future__ import annotations

import json
import math
import random
import re
import unicodedata
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

CATALOG_PATH = Path(__file__).resolve().parent.parent / "api" / "data" / "procedures.json"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

STATUS_LABELS: dict[int, str] = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}

# Realistic moves between statuses, with weights: received → accepted → processing → done →
# returned, with the detours seen in practice (more papers, fees) and the early exits.
TRANSITIONS: dict[int, tuple[tuple[int, int], ...]] = {
    1: ((2, 8), (3, 1)),
    2: ((4, 8), (7, 1)),
    4: ((9, 6), (5, 2), (6, 1), (8, 1)),
    5: ((4, 1),),
    6: ((4, 1),),
    9: ((10, 1),),
}
TERMINAL = frozenset({3, 7, 8, 10})
# The shortest path to each status, so a fresh simulator holds every status from the start.
PATHS: dict[int, tuple[int, ...]] = {
    1: (1,),
    2: (1, 2),
    3: (1, 3),
    4: (1, 2, 4),
    5: (1, 2, 4, 5),
    6: (1, 2, 4, 6),
    7: (1, 2, 7),
    8: (1, 2, 4, 8),
    9: (1, 2, 4, 9),
    10: (1, 2, 4, 9, 10),
}

UNITS: tuple[tuple[str, str], ...] = (
    ("000.00.15.H12", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("000.21.15.H12", "Ủy ban nhân dân xã Tân Hòa"),
    ("000.22.15.H12", "Ủy ban nhân dân phường Đông Thành"),
    ("000.23.15.H12", "Ủy ban nhân dân xã Phước Lộc"),
)
CHANNEL_KENH = {"truc_tiep": "1", "truc_tuyen": "2", "buu_chinh": "3"}
LEVEL_CODES = {"Cấp trung ương": "0", "Cấp tỉnh": "1", "Cấp huyện": "2", "Cấp xã": "3"}
ONLINE_MUCDO = {"toan_trinh": "4", "mot_phan": "3", "thong_tin": "2"}

_FAMILY = "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()  # noqa: SIM905
_MIDDLE = "Văn Thị Hữu Đức Minh Ngọc Thanh Quốc Thu Gia Bảo Khánh".split()  # noqa: SIM905
_GIVEN = (  # noqa: SIM905
    "An Bình Chi Dũng Giang Hà Hải Hạnh Hoa Hùng Khánh Lan Linh Long Mai Nam Nga Phúc Quân "
    "Sơn Tâm Thảo Trang Tuấn Vy Yến Hiếu Nhung Thắng Uyên"
).split()
_PROVINCE_ID = ("001", "031", "036", "048", "052", "075", "079", "083", "092", "096")
_PHONE_PREFIX = (  # noqa: SIM905
    "090 091 093 094 096 097 098 032 033 035 037 038 039 070 077 081 083 086 088"
).split()
_OFFICERS = (
    ("Nguyễn Thị Hồng", "Công chức Bộ phận Một cửa", "Bộ phận Một cửa"),
    ("Trần Văn Lực", "Chuyên viên", "Phòng chuyên môn"),
    ("Lê Minh Tú", "Công chức Tư pháp - Hộ tịch", "Phòng chuyên môn"),
    ("Phạm Quốc Việt", "Phó Chủ tịch", "Lãnh đạo Ủy ban nhân dân"),
)
_ACTIONS: dict[int, str] = {
    1: "Công dân nộp hồ sơ",
    2: "Tiếp nhận hồ sơ, chuyển xử lý",
    3: "Từ chối tiếp nhận: hồ sơ không thuộc thẩm quyền giải quyết",
    4: "Thụ lý, thẩm định hồ sơ",
    5: "Yêu cầu bổ sung giấy tờ còn thiếu",
    6: "Thông báo nộp phí, lệ phí",
    7: "Công dân đề nghị rút hồ sơ",
    8: "Dừng xử lý theo đề nghị của cơ quan có thẩm quyền",
    9: "Ký duyệt kết quả giải quyết",
    10: "Trả kết quả cho công dân",
}


def portal_time(value: datetime) -> str:
    """An aware instant → yyyyMMddHHmmss in Vietnam local time (the portal's format)."""
    return value.astimezone(VN_TZ).strftime("%Y%m%d%H%M%S")


def load_catalog(path: Path | str = CATALOG_PATH) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# --- procedures (LayThuTuc) ------------------------------------------------------------------


def agency_codes(procedures: list[dict]) -> dict[str, str]:
    """Invented, stable codes for every agency name in the catalog (the portal uses codes)."""
    names = sorted(
        {p["issuing_agency"] for p in procedures if p.get("issuing_agency")}
        | {a for p in procedures for a in p.get("agencies", [])}
    )
    return {name: f"000.00.00.G{n:03d}" for n, name in enumerate(names, start=1)}


def laythutuc_record(record: dict, field_names: dict[str, str], codes: dict[str, str]) -> dict:
    """A catalog-file record → the portal's LayThuTuc result item (the inverse of our mapper)."""
    code = record["code"]
    return {
        "MATTHC": code,
        "TENTTHC": record["name"],
        "MACOQUANCONGBO": codes.get(record.get("issuing_agency", ""), ""),
        "TRANGTHAI": "1",
        "LOAITTHC": "1",
        "MOTA": record.get("description", ""),
        "MUCDO": ONLINE_MUCDO.get(record.get("online_level", ""), ""),
        "CAPTHUCHIEN": [
            {"CAPTHUCHIEN": LEVEL_CODES.get(level, ""), "TENCAP": level}
            for level in record.get("levels", [])
        ],
        "LINHVUCTHUCHIEN": [
            {
                "MALINHVUC": record["field_code"],
                "TENLINHVUC": field_names.get(record["field_code"], ""),
            }
        ],
        "TRINHTUTHUCHIEN": [
            {"TRUONGHOP": "", "TRINHTU": [{"TENTRINHTU": s} for s in record.get("steps", [])]}
        ],
        "CACHTHUCTHUCHIEN": [_cachthuc(channel) for channel in record.get("channels", [])],
        "THANHPHANHOSO": [
            {
                "TRUONGHOP": "",
                "GIAYTO": [
                    _giayto(code, n, doc) for n, doc in enumerate(record.get("documents", []), 1)
                ],
            }
        ],
        "YEUCAU": record.get("requirements", ""),
        "DOITUONGTHUCHIEN": [{"TENDOITUONG": s} for s in record.get("subjects", [])],
        "KETQUATHUCHIEN": [
            {"MAKETQUA": f"{code}.KQ{n:02d}", "TENKETQUA": r}
            for n, r in enumerate(record.get("results", []), 1)
        ],
        "CANCUPHAPLY": [
            {"SOVANBAN": b.get("number", ""), "TENVANBAN": b["title"]}
            for b in record.get("legal_basis", [])
        ],
        "COQUANTHUCHIEN": [
            {"MADONVI": codes.get(a, ""), "TENDONVI": a} for a in record.get("agencies", [])
        ],
    }


def _cachthuc(channel: dict) -> dict:
    days = channel.get("duration_days")
    return {
        "KENH": CHANNEL_KENH[channel["channel"]],
        "THOIGIAN": [
            {
                "THOIGIANGIAIQUYET": "" if days is None else str(days),
                "DONVITINH": "Ngày làm việc",
                "MOTA": channel.get("duration_text", ""),
                "PHILEPHI": [_philephi(fee) for fee in channel.get("fees", [])],
            }
        ],
    }


def _philephi(fee: dict) -> dict:
    amount = fee.get("amount_vnd")
    note = fee.get("note", "")
    return {
        "MAPHILEPHI": "1" if fee["name"].lower().startswith("phí") else "2",
        # Written the way people write money in Vietnam: "1.500.000".
        "SOTIEN": "" if amount is None else f"{amount:,}".replace(",", "."),
        "DONVI": "Đồng",
        "MOTA": fee["name"] + (f"\n{note}" if note else ""),
    }


def _giayto(code: str, n: int, doc: dict) -> dict:
    copies = doc.get("copies", "").lower()
    count = re.match(r"(\d+)", copies)
    number = str(int(count.group(1))) if count else "0"
    return {
        "MAGIAYTO": f"{code}.GT{n:02d}",
        "TENGIAYTO": doc["name"],
        "SOBANCHINH": number if "bản chính" in copies else "0",
        "SOBANSAO": number if "bản sao" in copies and "bản chính" not in copies else "0",
        "BATBUOC": "1" if doc.get("required", True) else "0",
        "TENMAUDON": "",
        "URL": "",
    }


# --- dossiers (HoSo) and progress (TienDo) ---------------------------------------------------


def person(rng: random.Random) -> dict:
    name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
    year = rng.randint(1950, 2005)
    century_gender = rng.choice("01") if year < 2000 else rng.choice("23")
    id_number = (
        rng.choice(_PROVINCE_ID)
        + century_gender
        + f"{year % 100:02d}"
        + f"{rng.randrange(10**6):06d}"
    )
    phone = rng.choice(_PHONE_PREFIX) + f"{rng.randrange(10**7):07d}"
    ascii_name = _ascii(name.split()[-1] + name.split()[0]).lower()
    email = f"{ascii_name}{rng.randint(10, 99)}@example.com" if rng.random() < 0.7 else ""
    return {"name": name, "id_number": id_number, "phone": phone, "email": email}


def _ascii(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def due_span(record: dict, channel: dict) -> timedelta:
    """Calendar time for the legal limit: working days stretched by 7/5, at least one day."""
    days = channel.get("duration_days") or 5
    return timedelta(days=max(1, math.ceil(days * 7 / 5)))


class DossierFactory:
    """Builds dossiers with codes sequential per unit per day ({unit}-{yyMMdd}-{NNNN})."""

    def __init__(self, rng: random.Random, procedures: list[dict], field_names: dict[str, str]):
        self.rng = rng
        self.procedures = [p for p in procedures if p.get("channels")]
        self.field_names = field_names
        self._sequence: dict[tuple[str, str], int] = {}

    def next_code(self, unit: str, submitted: datetime) -> str:
        day = submitted.astimezone(VN_TZ).strftime("%y%m%d")
        number = self._sequence.get((unit, day), 0) + 1
        self._sequence[(unit, day)] = number
        return f"{unit}-{day}-{number:04d}"

    def build(self, index: int, now: datetime) -> tuple[dict, list[dict]]:
        """Dossier number ``index``: its HoSo record and its TienDo history up to ``now``."""
        rng = self.rng
        target = index % 10 + 1
        path = list(PATHS[target])
        if 4 in path and path[-1] != 4 and rng.random() < 0.3:
            at = path.index(4) + 1
            path[at:at] = [rng.choice((5, 6)), 4]  # a detour before the outcome
        procedure = rng.choice(self.procedures)
        channel = rng.choice(procedure["channels"])
        span = due_span(procedure, channel)
        overdue = index % 3 == 0
        if overdue:
            ago = span + timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 8))
        else:
            ago = span * rng.uniform(0.1, 0.6) + timedelta(hours=1)
        submitted = _office_hours(now - ago, rng)
        # Spread the status changes between submission and now.
        gaps = sorted(rng.uniform(0, 1) for _ in path[1:])
        span_now = (now - submitted) * 0.95
        times = [submitted] + [submitted + span_now * g for g in gaps]
        unit, unit_name = rng.choice(UNITS)
        dossier = self._hoso(self.next_code(unit, submitted), unit_name, procedure, channel)
        dossier["NgayNopHoSo"] = portal_time(submitted)
        history: list[dict] = []
        for status, when in zip(path, times, strict=True):
            history.append(apply_status(dossier, status, when, span, rng))
        return dossier, history

    def _hoso(self, code: str, unit_name: str, procedure: dict, channel: dict) -> dict:
        rng = self.rng
        business = (
            procedure["field_code"] in {"DOANH_NGHIEP", "HO_KINH_DOANH"} and rng.random() < 0.7
        )
        applicant = person(rng)
        owner = applicant["name"]
        document_number = applicant["id_number"]
        if business:
            owner = f"Công ty TNHH {rng.choice(_GIVEN)} {rng.choice(_GIVEN)}"
            document_number = f"{rng.randint(1, 9)}{rng.randrange(10**9):09d}"  # tax code
        kenh = CHANNEL_KENH[channel["channel"]]
        return {
            "MaHoSo": code,
            "MaTTHC": procedure["code"],
            "TenTTHC": procedure["name"],
            "MaLinhVuc": procedure["field_code"],
            "TenLinhVuc": self.field_names.get(procedure["field_code"], ""),
            "SoBienNhan": code,
            "KenhThucHien": kenh,
            "ChuHoSo": owner,
            "SoGiayToChuHoSo": document_number,
            "LoaiDoiTuong": "2" if business else "1",
            "MaDoiTuong": "",
            "Email": applicant["email"],
            "SoDienThoai": applicant["phone"],
            "TrichYeuHoSo": f"{procedure['name']} - {owner}",
            "NgayNopHoSo": "",
            "NgayTiepNhan": "",
            "NgayHenTra": "",
            "NgayTra": "",
            "NgayKetThucXuLy": "",
            "NgayTuChoi": "",
            "TrangThaiHoSo": "1",
            "DonViXuLy": unit_name,
            "GhiChu": "",
            "HoSoCoThanhPhanSoHoa": "1" if kenh == "2" or rng.random() < 0.5 else "0",
            "TaiKhoanDuocXacThucVoiVNeID": "1" if kenh == "2" else "0",
            "DuocThanhToanTrucTuyen": "1" if kenh == "2" and rng.random() < 0.6 else "0",
            "DanhSachGiayToKetQua": [],
            "DanhSachHoSoBoSung": [],
            # Not sent by the portal: the simulator keeps it to compute the due date.
            "_results": list(procedure.get("results", [])),
        }


def apply_status(
    dossier: dict, status: int, when: datetime, span: timedelta, rng: random.Random
) -> dict:
    """Move ``dossier`` to ``status`` at ``when``, fill the dates that status sets, and return
    the TienDo entry describing the change."""
    stamp = portal_time(when)
    dossier["TrangThaiHoSo"] = str(status)
    if status == 2 and not dossier["NgayTiepNhan"]:
        dossier["NgayTiepNhan"] = stamp
        dossier["NgayHenTra"] = portal_time(when + span)
    elif status == 3:
        dossier["NgayTuChoi"] = stamp
        dossier["GhiChu"] = _ACTIONS[3]
    elif status == 5:
        dossier["DanhSachHoSoBoSung"].append(
            {
                "HoSoBoSungId": f"{dossier['MaHoSo']}-BS{len(dossier['DanhSachHoSoBoSung']) + 1}",
                "NguoiYeuCauBoSung": _OFFICERS[1][0],
                "NoiDungBoSung": "Bổ sung bản sao giấy tờ chứng minh nơi cư trú",
                "NgayYeuCauBoSung": stamp,
            }
        )
    elif status in (7, 8):
        dossier["NgayKetThucXuLy"] = stamp
        dossier["GhiChu"] = _ACTIONS[status]
    elif status == 9:
        dossier["NgayKetThucXuLy"] = stamp
        dossier["DanhSachGiayToKetQua"] = [
            {"TenGiayTo": name, "MaGiayToKetQua": f"{dossier['MaHoSo']}-KQ{n}"}
            for n, name in enumerate(dossier.get("_results", [])[:2], 1)
        ]
    elif status == 10:
        dossier["NgayTra"] = stamp
    officer, title, department = _OFFICERS[0] if status in (1, 2, 3, 10) else rng.choice(_OFFICERS)
    return {
        "MaHoSo": dossier["MaHoSo"],
        "NguoiXuLy": dossier["ChuHoSo"] if status in (1, 7) else officer,
        "ChucDanh": "" if status in (1, 7) else title,
        "ThoiDiemXuLy": stamp,
        "PhongBanXuLy": "" if status in (1, 7) else department,
        "NoiDungXuLy": _ACTIONS[status],
        "TrangThai": str(status),
        "NgayBatDau": stamp,
        "NgayKetThucTheoQuyDinh": dossier["NgayHenTra"],
    }


def next_status(status: int, rng: random.Random) -> int | None:
    choices = TRANSITIONS.get(status)
    if not choices:
        return None
    targets, weights = zip(*choices, strict=True)
    return rng.choices(targets, weights=weights)[0]


def public_view(dossier: dict) -> dict:
    """The HoSo record as the portal would send it (without the simulator's own keys)."""
    return {k: v for k, v in dossier.items() if not k.startswith("_")}


def _office_hours(value: datetime, rng: random.Random) -> datetime:
    local = value.astimezone(VN_TZ)
    local = local.replace(hour=rng.randint(7, 16), minute=rng.randint(0, 59), second=0)
    return local.astimezone(value.tzinfo)
