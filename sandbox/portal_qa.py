"""SANDBOX - not DVCQG. The portal's Q&A (Hỏi đáp) services for the portal simulator.

Pull: ``LayDanhSachHoiDapGuiTuDVCQG`` (questions citizens asked on the portal),
``LayDanhSachHoiDapBoCoQuan`` (Q&A written by agencies), ``LayNoiDungTraLoiTheoCauHoi``
(``cauhoiid``: the answers to one question). Push: ``DongBoHoiDap`` (our published Q&A) and
``DongBoKetQuaHoiDapGuiTuDVCQG`` (our answers to the portal's questions), each stored by
``HOIDAPID``: a repeat replaces, never adds, and ``pushes`` counts every call so a test can
tell a re-send from a new item. Field names as seen in open-source one-stop systems
(support.md), *unconfirmed*.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

PULL_CITIZEN = "LayDanhSachHoiDapGuiTuDVCQG"
PULL_AGENCY = "LayDanhSachHoiDapBoCoQuan"
PULL_ANSWERS = "LayNoiDungTraLoiTheoCauHoi"
PUSH_QA = "DongBoHoiDap"
PUSH_RESULT = "DongBoKetQuaHoiDapGuiTuDVCQG"
SERVICES = frozenset({PULL_CITIZEN, PULL_AGENCY, PULL_ANSWERS, PUSH_QA, PUSH_RESULT})

PUSH_QA_FIELDS = ("HOIDAPID", "MaLinhVuc", "NOIDUNG", "MADONVI", "TENDONVI")
PUSH_RESULT_FIELDS = ("HOIDAPID", "MADONVI", "NGUOITRALOI", "NGAYTRALOI", "NOIDUNGTRALOI")


def demo_items(unit_code: str) -> tuple[list[dict], list[dict], dict[str, list[dict]]]:
    """A few realistic items: two good citizen questions, one with an unknown field code, one
    with an unknown unit, one skipped (TRANGTHAI 0), and two agency Q&A with answers."""
    citizen = [
        {
            "HOIDAPID": "QG-1001",
            "MALINHVUC": "HO_TICH",
            "MATTHCDP": "1.011954",
            "MADONVI": unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Con tôi sinh ở bệnh viện tỉnh khác thì đăng ký khai sinh ở đâu ạ?",
            "HOVATEN": "Trần Thị Bình",
            "THUDIENTU": "binh.tran@example.vn",
            "TRANGTHAI": "1",
        },
        {
            "HOIDAPID": "QG-1002",
            "MALINHVUC": "CU_TRU",
            "MATTHCDP": "1.009103",
            "MADONVI": unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Sinh viên thuê trọ có phải đăng ký tạm trú không? SĐT 0912345678",
            "HOVATEN": "Lê Văn Cường",
            "THUDIENTU": "cuong.le@example.vn",
            "TRANGTHAI": "1",
        },
        {
            "HOIDAPID": "QG-1003",
            "MALINHVUC": "LINH_VUC_LA",
            "MATTHCDP": "",
            "MADONVI": unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Hỏi về một lĩnh vực chưa có trong danh mục địa phương.",
            "HOVATEN": "Phạm Văn Dũng",
            "THUDIENTU": "dung@example.vn",
            "TRANGTHAI": "1",
        },
        {
            "HOIDAPID": "QG-1004",
            "MALINHVUC": "DAT_DAI",
            "MATTHCDP": "1.005939",
            "MADONVI": "000.99.99.Z99",
            "TENDONVI": "Đơn vị không có trong danh mục",
            "NOIDUNG": "Sang tên sổ đỏ mất bao lâu?",
            "HOVATEN": "Ngô Thị Hoa",
            "THUDIENTU": "hoa@example.vn",
            "TRANGTHAI": "1",
        },
        {
            "HOIDAPID": "QG-1005",
            "MALINHVUC": "HO_TICH",
            "MATTHCDP": "",
            "MADONVI": unit_code,
            "TENDONVI": "",
            "NOIDUNG": "Câu hỏi đã bị gỡ",
            "HOVATEN": "",
            "THUDIENTU": "",
            "TRANGTHAI": "0",
        },
    ]
    agency = [
        {
            "HOIDAPID": "CQ-2001",
            "MALINHVUC": "CAN_CUOC",
            "MATTHCDP": "2.000771",
            "MADONVI": unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Thẻ căn cước hết hạn có phải đổi ngay không?",
            "TRANGTHAI": "1",
        },
        {
            "HOIDAPID": "CQ-2002",
            "MALINHVUC": "HO_KINH_DOANH",
            "MATTHCDP": "2.000784",
            "MADONVI": unit_code,
            "TENDONVI": "Trung tâm Phục vụ hành chính công tỉnh",
            "NOIDUNG": "Hộ kinh doanh có được thuê người làm không?",
            "TRANGTHAI": "1",
        },
    ]
    answers = {
        "CQ-2001": [
            {
                "TRALOIID": "TL-1",
                "NOIDUNGTRALOI": "Thẻ hết hạn cần đổi trong 30 ngày; nộp tại công an xã, phường.",
            }
        ],
        "CQ-2002": [
            {"TRALOIID": "TL-2", "NOIDUNGTRALOI": "Được, hộ kinh doanh được sử dụng lao động."}
        ],
    }
    return citizen, agency, answers


class QaDesk:
    """The simulator's Q&A state and service handlers."""

    def __init__(self, unit_code: str, seed_demo: bool = True) -> None:
        self._lock = threading.Lock()
        self.citizen: list[dict] = []
        self.agency: list[dict] = []
        self.answers: dict[str, list[dict]] = {}
        if seed_demo:
            self.citizen, self.agency, self.answers = demo_items(unit_code)
        self.published: dict[str, dict] = {}  # DongBoHoiDap by HOIDAPID
        self.results: dict[str, dict] = {}  # DongBoKetQuaHoiDapGuiTuDVCQG by HOIDAPID
        self.pushes: list[tuple[str, str]] = []  # (service, HOIDAPID) of every item received

    def handlers(self, ok: Callable, error: Callable) -> dict[str, Callable[[dict], object]]:
        def pull(items: list[dict]) -> Callable[[dict], object]:
            return lambda body: ok([dict(i) for i in items])

        def answers(body: dict) -> object:
            wanted = str(body.get("cauhoiid") or "")
            if not wanted:
                return error("3", "Thiếu mã câu hỏi (cauhoiid)")
            return ok([dict(a, HOIDAPID=wanted) for a in self.answers.get(wanted, [])])

        def push(service: str, fields: tuple[str, ...], store: dict) -> Callable:
            def handler(body: dict) -> object:
                records = body.get("data")
                if not isinstance(records, list) or not all(
                    isinstance(r, dict) and all(r.get(f) not in (None, "") for f in fields)
                    for r in records
                ):
                    return error("3", f"data phải là danh sách có {', '.join(fields)}")
                with self._lock:
                    for record in records:
                        store[record["HOIDAPID"]] = dict(record)
                        self.pushes.append((service, record["HOIDAPID"]))
                return ok([{"HOIDAPID": r["HOIDAPID"]} for r in records])

            return handler

        return {
            PULL_CITIZEN: pull(self.citizen),
            PULL_AGENCY: pull(self.agency),
            PULL_ANSWERS: answers,
            PUSH_QA: push(PUSH_QA, PUSH_QA_FIELDS, self.published),
            PUSH_RESULT: push(PUSH_RESULT, PUSH_RESULT_FIELDS, self.results),
        }
