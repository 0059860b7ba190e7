"""Demo figures for `make run`: twelve months of history dossiers in the simulator's units,
loaded through the same ingest path as a real push (so their facts and EMC events are written
as they would be), some ratings, and the monthly snapshots published. Idempotent: the same
codes every run, and a month already published is left as it is."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from api.dossiers.inbound import ingest_dossiers
from api.kernel.clock import VN_TZ, as_utc, to_local, utcnow
from api.kernel.database import db
from api.quality import periods, snapshots
from api.quality.calendar import default_calendar
from api.quality.models import DossierFact
from api.rating.models import Rating, RatingAnswer, RatingIndicator

UNITS = (
    ("000.00.15.H12", "Trung tâm Phục vụ hành chính công tỉnh"),
    ("000.21.15.H12", "Ủy ban nhân dân xã Tân Hòa"),
    ("000.22.15.H12", "Ủy ban nhân dân phường Đông Thành"),
    ("000.23.15.H12", "Ủy ban nhân dân xã Phước Lộc"),
)
# (procedure code, name, legal limit in working days): fully online, partly online, with fees.
PROCEDURES = (
    ("1.011954", "Đăng ký khai sinh", 1),
    ("2.000813", "Thủ tục mẫu có lệ phí (một phần trực tuyến)", 1),
    ("1.007090", "Thủ tục mẫu một phần trực tuyến", 3),
    ("2.002969", "Thủ tục mẫu 15 ngày làm việc", 15),
)
PER_MONTH = 28
FIRST_NUMBER = 9001  # history codes stay clear of the simulator's (0001, 0002, ...)


def _stamp(moment: datetime) -> str:
    return to_local(moment).strftime("%Y%m%d%H%M%S")


def _records(month: str, progress: float, rng: random.Random) -> list[dict]:
    """One month of dossiers; ``progress`` 0→1 over the year makes the trend improve."""
    calendar = default_calendar()
    start, end = periods.bounds("month", month)
    days = [
        d
        for d in (to_local(start).date() + timedelta(n) for n in range(31))
        if d < to_local(end).date() and calendar.is_working_day(d)
    ]
    records = []
    for n in range(PER_MONTH):
        unit, unit_name = UNITS[n % len(UNITS)]
        code, name, limit = PROCEDURES[rng.randrange(len(PROCEDURES))]
        day = days[rng.randrange(len(days))]
        received = as_utc(
            datetime.combine(day, time(rng.randint(8, 15), rng.choice((0, 30))), VN_TZ)
        )
        due = calendar.add_working_days(received.replace(hour=10), limit).replace(hour=17, minute=0)
        online = rng.random() < 0.35 + 0.4 * progress
        late = rng.random() < 0.25 - 0.18 * progress
        spent = (due - received) * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.2, 0.95))
        finished = received + spent
        status = 10 if rng.random() < 0.9 else 9
        record = {
            "MaHoSo": f"{unit}-{to_local(received):%y%m%d}-{FIRST_NUMBER + n:04d}",
            "MaTTHC": code,
            "TenTTHC": name,
            "KenhThucHien": "2" if online else rng.choice(("1", "1", "3")),
            "ChuHoSo": "Công dân mẫu (demo)",
            "LoaiDoiTuong": "1",
            "NgayNopHoSo": _stamp(received - timedelta(minutes=30)),
            "NgayTiepNhan": _stamp(received),
            "NgayHenTra": _stamp(due),
            "NgayKetThucXuLy": _stamp(finished),
            "TrangThaiHoSo": str(status),
            "DonViXuLy": unit_name,
            "HoSoCoThanhPhanSoHoa": "1" if online or rng.random() < 0.3 + 0.5 * progress else "0",
            "DuocThanhToanTrucTuyen": "1"
            if online and rng.random() < 0.3 + 0.5 * progress
            else "0",
            "DanhSachGiayToKetQua": [{"TenGiayTo": "Kết quả", "MaGiayToKetQua": f"KQ-{n}"}]
            if rng.random() < 0.4 + 0.5 * progress
            else [],
            "NgayCapNhat": _stamp(finished + timedelta(hours=1)),
        }
        if status == 10:
            record["NgayTra"] = _stamp(finished + timedelta(hours=1))
        records.append(record)
    return records


def _rate(codes: list[str], progress: float) -> int:
    overall = db.session.scalar(select(RatingIndicator.code).where(RatingIndicator.is_overall))
    if overall is None:
        return 0
    facts = db.session.scalars(select(DossierFact).where(DossierFact.dossier_code.in_(codes)))
    rated = set(db.session.scalars(select(Rating.dossier_id)))
    added = 0
    for fact in facts:
        rng = random.Random(fact.dossier_code)  # the same choice for a dossier every run
        if fact.dossier_id in rated or fact.finished_at is None or rng.random() > 0.6:
            continue
        score = 2 if rng.random() < 0.5 + 0.3 * progress else (1 if rng.random() < 0.7 else 0)
        rating = Rating(
            dossier_id=fact.dossier_id,
            channel="app",
            assisted=rng.random() < 0.12,
            created_at=as_utc(fact.finished_at) + timedelta(days=1),
        )
        rating.answers.append(RatingAnswer(indicator_code=overall, score=score, source="citizen"))
        db.session.add(rating)
        added += 1
    db.session.commit()
    return added


def seed_demo_figures(months: int = 12) -> dict[str, int]:
    rng = random.Random(766)
    this_month = periods.key_of("month", utcnow())
    keys = periods.last_months(periods.previous("month", this_month), months)
    loaded = rated = published = 0
    for index, month in enumerate(keys):
        progress = index / max(months - 1, 1)
        records = _records(month, progress, rng)
        ingest_dossiers(records, int(utcnow().timestamp()), source="demo")
        loaded += len(records)
        rated += _rate([r["MaHoSo"] for r in records], progress)
    for month in keys:
        for kind, code in snapshots.scopes_to_publish():
            if kind == "commune" or snapshots.latest(kind, code, "month", month):
                continue
            _, end = periods.bounds("month", month)
            snapshots.create_snapshot(kind, code, "month", month, cutoff=end, publish=True)
            published += 1
        db.session.commit()
    return {"dossiers": loaded, "ratings": rated, "snapshots": published}
