"""Hand-built facts for the golden tests of the quality figures (no database)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from api.kernel.clock import VN_TZ, as_utc
from api.kernel.database import db
from api.quality.calendar import default_calendar
from api.quality.definitions import default_versions
from api.quality.indicators import Computation, FactInput, Period, RatingInput
from api.quality.models import DossierFact
from api.rating.models import Rating, RatingAnswer, RatingIndicator
from tests.helpers.dossiers import hoso, push

# dossier_statuses.group as seeded by migration 0003.
GROUPS = {
    1: "in_progress",
    2: "in_progress",
    3: "refused",
    4: "in_progress",
    5: "supplement_requested",
    6: "payment_requested",
    7: "withdrawn",
    8: "refused",
    9: "done",
    10: "done",
}


def vn(text: str) -> datetime:
    """ "2026-04-24 17:00" (Vietnam time) → aware UTC."""
    return as_utc(datetime.fromisoformat(text).replace(tzinfo=VN_TZ))


def fact(code: str, *history: tuple[str, int], due: str | None = None, **fields) -> FactInput:
    """A dossier with its status history [(Vietnam time, status)]; received at the first 2."""
    steps = tuple((vn(at), status) for at, status in history)
    received = next((at for at, status in steps if status == 2), steps[0][0] if steps else None)
    done = next((at for at, status in steps if GROUPS[status] == "done" or status == 8), None)
    values = {
        "code": code,
        "unit_code": "000.21.15.H12",
        "unit_name": "Ủy ban nhân dân xã Tân Hòa",
        "procedure_code": "1.000001",
        "online_level": "toan_trinh",
        "channel": "online",
        "history": steps,
        "received_at": received,
        "due_at": vn(due) if due else None,
        "finished_at": done,
        "synced_to_portal": True,
        **fields,
    }
    return FactInput(**values)


def simple(code: str, **fields) -> FactInput:
    """Received 3 Nov 2025 09:00, in progress, due 28 Nov 2025 17:00."""
    return fact(code, ("2025-11-03 09:00", 2), due="2025-11-28 17:00", **fields)


NOVEMBER = Period(vn("2025-11-01 00:00"), vn("2025-12-01 00:00"), vn("2025-12-01 00:00"))


def compute(
    facts: list[FactInput],
    ratings: list[RatingInput] | None = None,
    procedures: list[tuple[str, str]] | None = None,
    period: Period = NOVEMBER,
) -> tuple[dict, dict]:
    run = Computation(
        facts,
        ratings or [],
        procedures if procedures is not None else [("1.000001", "toan_trinh")],
        period,
        default_versions()[0],
        default_calendar(),
        GROUPS,
    )
    return run.result()


def figure(content: dict, code: str) -> dict:
    return next(f for f in content["figures"] if f["code"] == code)


CUTOFF = as_utc(datetime(2025, 12, 1, tzinfo=VN_TZ))


UNIT_A, UNIT_B = "000.21.15.H12", "000.22.15.H12"


NAME_A, NAME_B = "Ủy ban nhân dân xã Tân Hòa", "Ủy ban nhân dân phường Đông Thành"


def _code(unit: str, n: int) -> str:
    return f"{unit}-251103-{n:04d}"


def _seed(client) -> None:
    """Six November dossiers in two units: on time, late, overdue, paused, online or not."""
    common = {"NgayTiepNhan": "20251103090000", "NgayHenTra": "20251110170000"}
    records = [
        hoso(
            _code(UNIT_A, 1),
            10,
            DonViXuLy=NAME_A,
            NgayTra="20251107100000",
            NgayCapNhat="20251107100000",
            HoSoCoThanhPhanSoHoa="1",
            DuocThanhToanTrucTuyen="1",
            DanhSachGiayToKetQua=[{"TenGiayTo": "KQ", "MaGiayToKetQua": "E-1"}],
            **common,
        ),
        hoso(
            _code(UNIT_A, 2),
            9,
            DonViXuLy=NAME_A,
            NgayKetThucXuLy="20251112100000",
            NgayCapNhat="20251112100000",
            KenhThucHien="1",
            **common,
        ),
        hoso(_code(UNIT_A, 3), 4, DonViXuLy=NAME_A, NgayCapNhat="20251104100000", **common),
        hoso(
            _code(UNIT_B, 1),
            10,
            DonViXuLy=NAME_B,
            NgayTra="20251110160000",
            NgayCapNhat="20251110160000",
            KenhThucHien="3",
            **common,
        ),
        hoso(_code(UNIT_B, 2), 5, DonViXuLy=NAME_B, NgayCapNhat="20251105100000", **common),
        hoso(
            _code(UNIT_B, 3),
            2,
            DonViXuLy=NAME_B,
            NgayCapNhat="20251103090000",
            SoGiayToChuHoSo="079111222333",
            **common,
        ),
    ]
    push(client, records)
    overall = db.session.scalar(select(RatingIndicator.code).where(RatingIndicator.is_overall))
    for code, score, assisted in ((_code(UNIT_A, 1), 2, False), (_code(UNIT_B, 1), 0, True)):
        fact = db.session.scalar(select(DossierFact).where(DossierFact.dossier_code == code))
        rating = Rating(
            dossier_id=fact.dossier_id,
            channel="app",
            assisted=assisted,
            created_at=as_utc(datetime(2025, 11, 20, 10, tzinfo=VN_TZ)),
        )
        rating.answers.append(RatingAnswer(indicator_code=overall, score=score, source="citizen"))
        db.session.add(rating)
    db.session.commit()
