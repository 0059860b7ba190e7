"""Facts written with every status change, the nightly repair, and the EMC outbox: its shape,
dedupe, retries (network, 5xx, 429), no retry on other 4xx, and the daily reconciliation."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select, update

from api.dossiers.models import Dossier
from api.kernel.clock import utcnow
from api.kernel.database import db
from api.quality.emc_reconcile import reconcile_day
from api.quality.emc_sender import backoff, flush_emc_outbox
from api.quality.facts import rebuild_recent
from api.quality.models import DossierFact, EmcEvent, EmcReconciliation
from tests.fakes.emc_api import FakeEmc
from tests.fakes.http_fake import Reply
from tests.helpers.dossiers import CODE, OWNER_ID, UNIT, hoso, push
from workers.tasks.schedule import PERIODIC


@pytest.fixture
def emc(app):
    original = app.extensions["settings"]
    with FakeEmc() as fake:
        app.extensions["settings"] = dataclasses.replace(
            original, emc_url=fake.tracking_url, emc_site_id="site-h12"
        )
        yield fake
    app.extensions["settings"] = original


def _fact(code: str = CODE) -> DossierFact:
    db.session.expire_all()
    return db.session.scalar(select(DossierFact).where(DossierFact.dossier_code == code))


def _events(code: str = CODE) -> list[EmcEvent]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(EmcEvent)
            .join(Dossier, Dossier.id == EmcEvent.dossier_id)
            .where(Dossier.code == code)
            .order_by(EmcEvent.id)
        )
    )


def _progress(client, status: int, at: str, code: str = CODE, **fields) -> None:
    """The dossier's record as of ``at`` (NgayCapNhat orders updates, like the portal's)."""
    push(client, [hoso(code=code, status=status, NgayCapNhat=at, **fields)])


def test_facts_follow_every_status_change(client, app_ctx):
    _progress(client, 2, "20251120090000", KenhThucHien="3", HoSoCoThanhPhanSoHoa="1")
    fact = _fact()
    assert fact is not None and fact.status_code == 2
    assert (fact.unit_code, fact.unit_name) == ("000.00.15.H12", UNIT)
    assert (fact.channel, fact.online_level, fact.procedure_code) == (
        "postal",
        "toan_trinh",
        "1.011954",
    )
    assert fact.components == 5 and fact.digitised and fact.has_fee and fact.synced_to_portal
    assert fact.due_source == "portal"
    _progress(client, 5, "20251120150000", KenhThucHien="3", HoSoCoThanhPhanSoHoa="1")
    assert _fact().status_code == 5 and _fact().paused_periods[0][1] is None
    _progress(client, 4, "20251121100000", KenhThucHien="3", HoSoCoThanhPhanSoHoa="1")
    fact = _fact()
    assert fact.status_code == 4 and fact.paused_periods[0][1] is not None
    assert [code for _, code in fact.status_history] == [2, 5, 4]
    # Thursday 20 Nov 15:00 → Friday 21 Nov: one working day, due 21 Nov 17:00 → Mon 24 Nov.
    assert fact.adjusted_due_at.astimezone().date() >= date(2025, 11, 24)
    _progress(
        client,
        10,
        "20251121160000",
        KenhThucHien="3",
        HoSoCoThanhPhanSoHoa="1",
        NgayTra="20251121160000",
        DanhSachGiayToKetQua=[{"TenGiayTo": "Giấy khai sinh", "MaGiayToKetQua": "KQ-1"}],
    )
    fact = _fact()
    assert fact.status_code == 10 and fact.e_result and fact.timeliness in ("early", "on_time")


def test_no_personal_data_in_facts(client, app_ctx):
    push(client, [hoso(status=4)])
    row = {c.name: getattr(_fact(), c.name) for c in DossierFact.__table__.columns}
    text = json.dumps(row, default=str)
    for secret in (OWNER_ID, "0912345987", "Nguyễn Thị Hoa"):
        assert secret not in text


def test_nightly_rebuild_repairs_drift(client, app_ctx):
    push(client, [hoso(status=4), hoso(code="000.00.15.H12-251120-0002", status=2)])
    db.session.execute(
        update(DossierFact)
        .where(DossierFact.dossier_code == CODE)
        .values(online_level="", channel="", status_code=1)
    )
    db.session.execute(
        DossierFact.__table__.delete().where(
            DossierFact.dossier_code == "000.00.15.H12-251120-0002"
        )
    )
    db.session.commit()
    assert rebuild_recent()["rebuilt"] == 2
    assert (_fact().online_level, _fact().channel, _fact().status_code) == (
        "toan_trinh",
        "online",
        4,
    )
    assert _fact("000.00.15.H12-251120-0002") is not None


def test_jobs_are_on_the_periodic_schedule():
    names = {func.__name__ for func, _, _ in PERIODIC}
    assert {
        "send_emc_events",
        "rebuild_quality_facts",
        "reconcile_emc_events",
        "publish_weekly_snapshots",
        "publish_monthly_snapshots",
    } <= names


def test_one_event_per_dossier_and_emc_status(client, app_ctx):
    _progress(client, 2, "20251120090000")
    _progress(client, 2, "20251120090000")  # the same record again
    _progress(client, 4, "20251120100000")
    _progress(client, 5, "20251120150000")
    _progress(client, 4, "20251121100000")  # back to processing: EMC already has status 2
    _progress(client, 9, "20251121150000")
    events = _events()
    assert [(e.status_code, e.emc_status) for e in events] == [(2, 1), (4, 2), (5, 0)]
    assert len({e.dedupe_key for e in events}) == len(events)


def test_event_shape_levels_channels_and_no_id_number(client, app_ctx, emc):
    push(
        client,
        [
            hoso(status=2),  # toàn trình, online
            hoso(code="000.00.15.H12-251120-0002", status=2, MaTTHC="2.000813", KenhThucHien="2"),
            hoso(code="000.00.15.H12-251120-0003", status=2, KenhThucHien="3"),  # by post
        ],
    )
    assert flush_emc_outbox() == {"sent": 3, "retry": 0, "failed": 0}
    by_code = {e["CodeProfile"]: e for e in emc.events}
    full, partly, postal = (
        by_code[c] for c in (CODE, "000.00.15.H12-251120-0002", "000.00.15.H12-251120-0003")
    )
    assert (full["Level"], full["FormsReception"], full["SiteId"], full["Status"]) == (
        4,
        1,
        "site-h12",
        1,
    )
    assert (partly["Level"], partly["FormsReception"]) == (3, 1)  # partly online is 3, not 4
    assert postal["FormsReception"] == 2  # postal filing is not online
    assert full["FormsPayments"] == 2 and partly["FormsPayments"] == 2  # a fee, not paid online
    for request in emc.requests:
        assert OWNER_ID.encode() not in request.body and b"0912345987" not in request.body
    user = json.loads(full["User"])
    assert len(user["NationalIdHash"]) == 64 and OWNER_ID not in user["NationalIdHash"]
    assert all(e.state == "sent" for e in _events())


@pytest.mark.parametrize(
    "reply", [Reply(503, json={"error": "down"}), Reply(429, headers={"Retry-After": "120"})]
)
def test_5xx_and_429_are_retried_with_backoff(client, app_ctx, emc, reply):
    push(client, [hoso(status=2)])
    before = utcnow()
    emc.fail(reply)
    assert flush_emc_outbox()["retry"] == 1
    event = _events()[0]
    assert (event.state, event.attempts) == ("pending", 1)
    wait = event.next_attempt_at - before
    assert wait >= (timedelta(seconds=120) if reply.status == 429 else backoff(1))
    assert flush_emc_outbox() == {"sent": 0, "retry": 0, "failed": 0}  # not due yet
    db.session.execute(update(EmcEvent).values(next_attempt_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert flush_emc_outbox()["sent"] == 1 and _events()[0].state == "sent"
    assert backoff(2) > backoff(1) and backoff(30) == timedelta(hours=6)


def test_network_errors_are_retried(client, app_ctx, app):
    original = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(
        original, emc_url="http://127.0.0.1:9/TrackingMCDT"
    )
    try:
        push(client, [hoso(status=2)])
        assert flush_emc_outbox()["retry"] == 1
        event = _events()[0]
        assert event.state == "pending" and event.last_error.startswith("network")
    finally:
        app.extensions["settings"] = original


def test_other_4xx_is_never_retried(client, app_ctx, emc):
    push(client, [hoso(status=2), hoso(code="000.00.15.H12-251120-0002", status=2)])
    emc.fail(Reply(400, json={"error": "bad SiteId"}))
    counts = flush_emc_outbox()
    assert counts["failed"] == 1 and counts["sent"] == 1
    db.session.expire_all()
    failed = list(db.session.scalars(select(EmcEvent).where(EmcEvent.state == "failed")))
    assert len(failed) == 1 and "400" in failed[0].last_error
    db.session.execute(update(EmcEvent).values(next_attempt_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    sent_before = len(emc.requests)
    assert flush_emc_outbox() == {"sent": 0, "retry": 0, "failed": 0}
    assert len(emc.requests) == sent_before


def test_events_wait_while_emc_is_not_configured(client, app_ctx):
    push(client, [hoso(status=2)])
    assert flush_emc_outbox()["skipped"] == 1
    assert _events()[0].state == "pending"


def test_daily_reconciliation_counts_and_repairs(client, app_ctx, emc):
    _progress(client, 2, "20251120090000")
    _progress(client, 4, "20251120100000")
    flush_emc_outbox()
    db.session.execute(EmcEvent.__table__.delete().where(EmcEvent.status_code == 4))
    db.session.commit()
    summary = reconcile_day(date(2025, 11, 20))
    assert summary["status_changes"] == 2 and summary["expected"] == 2
    assert (summary["queued"], summary["sent"], summary["missing_queued"]) == (1, 1, 1)
    assert [e.status_code for e in _events()] == [2, 4]
    again = reconcile_day(date(2025, 11, 20))
    assert (again["queued"], again["missing_queued"]) == (2, 0)
    assert db.session.get(EmcReconciliation, date(2025, 11, 20)).queued == 2


def test_a_rating_updates_the_fact_in_the_same_flush(client, app_ctx):
    from api.rating.models import Rating, RatingAnswer, RatingIndicator

    _progress(client, 10, "20251121160000", NgayTra="20251121160000")
    fact = _fact()
    assert fact.rated_at is None and fact.rating_overall is None
    overall = db.session.scalar(select(RatingIndicator.code).where(RatingIndicator.is_overall))
    rating = Rating(dossier_id=fact.dossier_id, channel="app", assisted=True)
    rating.answers.append(RatingAnswer(indicator_code=overall, score=1, source="citizen"))
    db.session.add(rating)
    db.session.commit()
    fact = _fact()
    assert fact.rated_at is not None and fact.rating_overall == 1 and fact.assisted
