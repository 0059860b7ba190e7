"""Periods (ISO weeks, months, Vietnam time), units and communes, weekly and commune
snapshots, and facts living and dying with the transaction of the status change."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import pytest
from sqlalchemy import select

from api.dossiers.apply import apply_dossier_update
from api.kernel.clock import VN_TZ, as_utc
from api.kernel.database import db
from api.portal.dossier_records import dossier_from_hoso
from api.quality import periods, snapshots
from api.quality.models import DossierFact, EmcEvent
from api.quality.units import _commune_for, commune_of, unit_code_of
from tests.helpers.dossiers import hoso, push


def test_period_bounds_in_vietnam_time():
    start, end = periods.bounds("month", "2025-12")
    assert start == as_utc(datetime(2025, 12, 1, tzinfo=VN_TZ))
    assert end == as_utc(datetime(2026, 1, 1, tzinfo=VN_TZ))
    assert start.hour == 17  # 00:00 in Hà Nội is 17:00 UTC the day before
    week_start, week_end = periods.bounds("week", "2026-W01")  # ISO week 1 starts 29 Dec 2025
    assert week_start == as_utc(datetime(2025, 12, 29, tzinfo=VN_TZ))
    assert (week_end - week_start).days == 7
    assert periods.key_of("week", as_utc(datetime(2026, 1, 1, 9, tzinfo=VN_TZ))) == "2026-W01"
    assert periods.key_of("month", as_utc(datetime(2025, 12, 1, 0, 30, tzinfo=VN_TZ))) == "2025-12"
    assert periods.previous("month", "2026-01") == "2025-12"
    assert periods.last_months("2026-02", 3) == ["2025-12", "2026-01", "2026-02"]
    for kind, key in (
        ("month", "2025-13"),
        ("week", "2026-W54"),
        ("week", "2025-W53"),
        ("day", "x"),
    ):
        with pytest.raises(periods.BadPeriod):
            periods.bounds(kind, key)


def test_units_and_communes(app_ctx):
    assert unit_code_of("000.21.15.H12-251103-0001") == "000.21.15.H12"
    assert unit_code_of("not a code") == ""
    _commune_for.cache_clear()
    assert commune_of("UBND phường Hoàn Kiếm", 1) == 70
    assert commune_of("Ủy ban nhân dân phường Hoàn Kiếm", 1) == 70
    assert commune_of("UBND phường Hoàn Kiếm", 79) is None  # not in that province
    assert commune_of("", 1) is None


def test_facts_are_written_in_the_same_transaction(client, app_ctx):
    update = dossier_from_hoso(hoso(status=2))
    apply_dossier_update(update, as_utc(datetime(2025, 11, 20, 9, tzinfo=VN_TZ)), "test")
    code = update.code
    assert db.session.scalar(select(DossierFact).where(DossierFact.dossier_code == code))
    assert db.session.scalar(select(EmcEvent.id).where(EmcEvent.dedupe_key == f"{code}:1"))
    db.session.rollback()  # the status change is undone: so are its fact and its EMC event
    assert db.session.scalar(select(DossierFact).where(DossierFact.dossier_code == code)) is None
    assert db.session.scalar(select(EmcEvent.id)) is None


def test_weekly_and_commune_snapshots(client, app, app_ctx):
    original = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(original, quality_province_code=1)
    try:
        _commune_for.cache_clear()
        push(
            client,
            [
                hoso(
                    status=4,
                    NgayTiepNhan="20251118090000",
                    NgayHenTra="20251121170000",
                    NgayCapNhat="20251118090000",
                )
            ],
        )
        assert db.session.scalar(select(DossierFact.commune_code)) == 70
        scopes = snapshots.scopes_to_publish()
        assert ("province", "1") in scopes and ("commune", "70") in scopes
        week = snapshots.create_snapshot("commune", "70", "week", "2025-W47", publish=True)
        content = json.loads(week.content)
        assert content["period"]["start"] == "2025-11-17T00:00:00+07:00"
        assert content["counts"]["received"] == 1 and content["scope"] == {
            "kind": "commune",
            "code": "70",
        }
        with pytest.raises(snapshots.BadScope):
            snapshots.create_snapshot("province", "all", "week", "2025-W47")
        with pytest.raises(snapshots.BadScope):
            snapshots.create_snapshot("commune", "x", "week", "2025-W47")
        ids = snapshots.publish_period("week", "2025-W47")
        assert len(ids) == 3  # province, unit, commune
    finally:
        app.extensions["settings"] = original
        _commune_for.cache_clear()


def test_the_migration_matches_the_models(app_ctx):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    ours = {
        "quality_facts",
        "quality_snapshots",
        "quality_snapshot_members",
        "quality_portal_values",
        "emc_outbox",
        "emc_reconciliations",
    }
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), db.metadata)

    relevant = [c for c in diff if any(name in str(c) for name in ours) or "assisted" in str(c)]
    assert relevant == []
