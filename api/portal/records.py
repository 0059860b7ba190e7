"""Pure conversions between the portal's formats and ours: dates and the LayThuTuc record.

No I/O here. Field names follow /work/shared/reference/integrations.md §1. Where no public
source confirms a code or a field, it is a module constant marked *unconfirmed*: correct it
here once the portal's documentation is in hand, nowhere else.

The mapping is deliberately literal: what the portal does not send stays empty (or None),
never guessed.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Mapping
from datetime import UTC, datetime

from api.kernel.clock import VN_TZ, to_local
from api.kernel.text import fold

log = logging.getLogger(__name__)

# Portal date-times are local Vietnam time without an offset (integrations.md §1).
PORTAL_DATETIME_FORMAT = "%Y%m%d%H%M%S"
_PORTAL_DATETIME = re.compile(r"[0-9]{14}")

# KENH in CACHTHUCTHUCHIEN → our channel code. *Unconfirmed*: no official spec; two open-source
# systems that read LayThuTuc (opencps-v2, a provincial .NET one-stop system) use these values,
# and they agree with HoSo.KenhThucHien (1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích).
KENH_CHANNELS: dict[str, str] = {"1": "truc_tiep", "2": "truc_tuyen", "3": "buu_chinh"}

# CAPTHUCHIEN[].CAPTHUCHIEN → level name, used only when TENCAP is absent. *Unconfirmed*: values
# as read by one provincial system (0 bộ/trung ương, 1 tỉnh, 2 huyện, 3 xã).
LEVEL_NAMES: dict[str, str] = {
    "0": "Cấp trung ương",
    "1": "Cấp tỉnh",
    "2": "Cấp huyện",
    "3": "Cấp xã",
}

# Field carrying the online-service level, and its values → our online_level code.
# *Unconfirmed* name and values: "MUCDO" as stored by one provincial system; the numeric values
# are the old Decree 43/2011 levels (4 = fully online, 3 = partly online, 1-2 = information).
ONLINE_LEVEL_FIELD = "MUCDO"
ONLINE_LEVELS: dict[str, str] = {
    "4": "toan_trinh",
    "3": "mot_phan",
    "2": "thong_tin",
    "1": "thong_tin",
}

# Field of a THANHPHANHOSO[].GIAYTO[] item saying whether the paper is mandatory. *Unconfirmed*
# name; when absent the document counts as required (the catalog file's own default).
DOCUMENT_REQUIRED_FIELD = "BATBUOC"

# DONVI values meaning Vietnamese đồng, compared folded ("VNĐ" → "vnd", "Đồng" → "dong").
_VND_UNITS = {"", "vnd", "dong", "d", "vn dong"}


# --- dates ---------------------------------------------------------------------------------


def parse_portal_datetime(value: str | None) -> datetime | None:
    """ "20240101083000" (Asia/Ho_Chi_Minh) → 2024-01-01 01:30:00+00:00. Empty → None.

    Raises ValueError for anything that is not exactly yyyyMMddHHmmss or not a real instant.
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"Portal date-time must be a string, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if not _PORTAL_DATETIME.fullmatch(text):
        raise ValueError(f"Not a portal date-time (yyyyMMddHHmmss): {value!r}")
    local = datetime.strptime(text, PORTAL_DATETIME_FORMAT)  # ValueError on month 13 etc.
    try:
        return local.replace(tzinfo=VN_TZ).astimezone(UTC)
    except OverflowError as exc:  # 00010101000000 in Vietnam is before year 1 in UTC
        raise ValueError(f"Not a portal date-time (out of range): {value!r}") from exc


def format_portal_datetime(value: datetime | None) -> str:
    """An instant → the portal's local yyyyMMddHHmmss; None → "" (the portal's empty date).

    A naive datetime is taken as UTC, like everything we store (api.kernel.clock).
    """
    if value is None:
        return ""
    return to_local(value).strftime(PORTAL_DATETIME_FORMAT)


# --- LayThuTuc → catalog record ------------------------------------------------------------


def procedure_record_from_laythutuc(
    result: Mapping, *, agency_names: Mapping[str, str] | None = None
) -> dict:
    """One LayThuTuc ``result`` item → a record shaped like api/data/procedures.json.

    ``agency_names`` maps agency codes to names (e.g. from LayDanhMucCoQuan); the portal gives
    the issuing agency only as MACOQUANCONGBO, so without it ``issuing_agency`` stays empty.
    """
    names = agency_names or {}
    fields = _items(result, "LINHVUCTHUCHIEN")
    return {
        "code": _text(result.get("MATTHC") or result.get("MaTTHC")),
        "name": _text(result.get("TENTTHC")),
        "field_code": _text(fields[0].get("MALINHVUC")) if fields else "",
        "levels": _levels(result),
        "agencies": _unique(_text(a.get("TENDONVI")) for a in _items(result, "COQUANTHUCHIEN")),
        "issuing_agency": names.get(_text(result.get("MACOQUANCONGBO")), ""),
        "subjects": _unique(
            _text(s.get("TENDOITUONG")) for s in _items(result, "DOITUONGTHUCHIEN")
        ),
        "online_level": _online_level(result.get(ONLINE_LEVEL_FIELD)),
        "channels": [
            channel
            for item in _items(result, "CACHTHUCTHUCHIEN")
            if (channel := _channel(item)) is not None
        ],
        "steps": _steps(result),
        "documents": _documents(result),
        "requirements": _text(result.get("YEUCAU")),
        "results": _unique(_text(r.get("TENKETQUA")) for r in _items(result, "KETQUATHUCHIEN")),
        "legal_basis": _legal_basis(result),
        "description": _text(result.get("MOTA")),
    }


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _items(record: Mapping, key: str) -> list[Mapping]:
    """A list of objects under ``key``; some systems store these lists as JSON text."""
    value = record.get(key)
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return []
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]


def _unique(values) -> list[str]:  # noqa: ANN001
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return seen


def _levels(result: Mapping) -> list[str]:
    return _unique(
        _text(item.get("TENCAP")) or LEVEL_NAMES.get(_text(item.get("CAPTHUCHIEN")), "")
        for item in _items(result, "CAPTHUCHIEN")
    )


def _online_level(value: object) -> str:
    text = _text(value)
    if text in ONLINE_LEVELS:
        return ONLINE_LEVELS[text]
    folded = fold(text)
    if "toan trinh" in folded:
        return "toan_trinh"
    if "mot phan" in folded:
        return "mot_phan"
    return ""


def _channel(item: Mapping) -> dict | None:
    kenh = _text(item.get("KENH"))
    channel = KENH_CHANNELS.get(kenh)
    if channel is None:
        # An unknown channel code cannot be shown honestly; drop it and say so.
        log.warning("LayThuTuc: unknown KENH %r skipped", kenh)
        return None
    texts: list[str] = []
    days: int | None = None
    fees: list[dict] = []
    for time_item in _items(item, "THOIGIAN"):
        amount = _text(time_item.get("THOIGIANGIAIQUYET"))
        unit = _text(time_item.get("DONVITINH"))
        texts.append(_text(time_item.get("MOTA")) or f"{amount} {unit}".strip())
        if days is None:
            days = _days(amount, unit)
        fees.extend(_fee(fee) for fee in _items(time_item, "PHILEPHI"))
    # One reader found PHILEPHI beside THOIGIAN rather than inside it: accept both.
    fees.extend(_fee(fee) for fee in _items(item, "PHILEPHI"))
    return {
        "channel": channel,
        "duration_text": "\n".join(t for t in texts if t),
        "duration_days": days,
        "fees": fees,
    }


def _days(amount: str, unit: str) -> int | None:
    """Only a duration counted in days becomes duration_days; hours, months etc. stay text."""
    if not fold(unit).startswith("ngay"):
        return None
    try:
        number = float(amount.replace(",", "."))
    except ValueError:
        return None
    if number < 0 or math.isnan(number) or math.isinf(number):
        return None
    # Half a day counts as one, as the catalog records "same day" as 1.
    return math.ceil(number)


def _fee(item: Mapping) -> dict:
    # MOTA is free text: its first line names the fee, the rest is the note.
    lines = _text(item.get("MOTA")).splitlines()
    name = lines[0].strip() if lines else ""
    note = "\n".join(lines[1:]).strip()
    if not name:
        name = _text(item.get("MAPHILEPHI"))
    raw = item.get("SOTIEN")
    unit = _text(item.get("DONVI"))
    amount = _amount_vnd(raw) if fold(unit) in _VND_UNITS else None
    shown = f"{_text(raw)} {unit}".strip()
    if amount is None and _text(raw) and shown not in note:
        # Not readable as đồng (a percentage, a range, a foreign currency): keep it as words.
        note = f"{note}\n{shown}".strip()
    return {"name": name, "amount_vnd": amount, "note": note}


def _amount_vnd(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    text = re.sub(r"\s*(vnđ|vnd|đồng|đ)\.?$", "", str(value).strip().lower()).strip()
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):  # "8.000" or "8,000": thousands separators
        return int(re.sub(r"[.,]", "", text))
    if re.fullmatch(r"\d+", text):
        return int(text)
    if re.fullmatch(r"\d+[.,]0{1,2}", text):
        return int(re.split(r"[.,]", text)[0])
    return None


def _legal_basis(result: Mapping) -> list[dict]:
    basis = []
    for item in _items(result, "CANCUPHAPLY"):
        number, title = _text(item.get("SOVANBAN")), _text(item.get("TENVANBAN"))
        if number or title:
            basis.append({"number": number, "title": title})
    return basis


def _steps(result: Mapping) -> list[str]:
    cases = _items(result, "TRINHTUTHUCHIEN")
    steps: list[str] = []
    for case in cases:
        # With several cases, keep which case a step belongs to.
        label = _text(case.get("TRUONGHOP")) if len(cases) > 1 else ""
        for step in _items(case, "TRINHTU"):
            name = _text(step.get("TENTRINHTU"))
            if name:
                steps.append(f"{label}: {name}" if label else name)
    return steps


def _documents(result: Mapping) -> list[dict]:
    cases = _items(result, "THANHPHANHOSO")
    documents: list[dict] = []
    for case in cases:
        label = _text(case.get("TRUONGHOP")) if len(cases) > 1 else ""
        for paper in _items(case, "GIAYTO"):
            name = _text(paper.get("TENGIAYTO"))
            if not name:
                continue
            documents.append(
                {
                    "name": name,
                    "copies": _copies(paper),
                    "required": _required(paper.get(DOCUMENT_REQUIRED_FIELD)),
                    "note": f"Trường hợp: {label}" if label else "",
                }
            )
    return documents


def _count(value: object) -> int:
    try:
        return max(int(float(_text(value) or 0)), 0)
    except ValueError:
        return 0


def _copies(paper: Mapping) -> str:
    originals, copies = _count(paper.get("SOBANCHINH")), _count(paper.get("SOBANSAO"))
    parts = []
    if originals:
        parts.append(f"{originals:02d} bản chính")
    if copies:
        parts.append(f"{copies:02d} bản sao")
    return ", ".join(parts)


def _required(value: object) -> bool:
    if value is None or value == "":
        return True
    if isinstance(value, bool):
        return value
    return fold(_text(value)) not in {"0", "false", "khong", "no"}
