"""Keeping in step with the portal: pushes and pulls land exactly once and in order; replays,
duplicates, malformed items and outages are handled; nothing is lost."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from api.dossiers.models import DomainEvent, Dossier, DossierFollow, SyncRun, TimelineEntry
from api.dossiers.pull import pull_followed, pull_nightly
from api.kernel.database import db
from api.portal.client import get_gateway
from api.portal.push_auth import sign
from tests.conftest import PUSH_SECRET


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def hoso(portal, code):
    return portal.dossier(code)


def post_signed(client, path, records, stamp=None, secret=PUSH_SECRET, raw=None):
    body = raw if raw is not None else json.dumps({"data": records}).encode()
    stamp = str(int(time.time()) if stamp is None else stamp)
    return client.post(
        path,
        data=body,
        content_type="application/json",
        headers={"X-Portal-Timestamp": stamp, "X-Portal-Signature": sign(secret, stamp, body)},
    )


def test_push_over_http_lands_once(app, portal, live_server, app_ctx):
    url = f"{live_server}/api/v1/portal/dossiers"
    records = [hoso(portal, c) for c in portal.dossier_codes()]
    first = portal.push_to(url, PUSH_SECRET, records=records)
    assert first.status_code == 200
    assert {r["message"] for r in first.json()["result"]} == {"created"}
    again = portal.push_to(url, PUSH_SECRET, records=records)
    assert {r["message"] for r in again.json()["result"]} == {"unchanged"}
    db.session.rollback()  # end the read snapshot: the server wrote since
    assert count(Dossier) == len(records)
    assert count(DomainEvent) == len(records)  # one "first status" event per dossier
    progress = [e for c in portal.dossier_codes() for e in portal.progress[c]]
    r1 = portal.push_to(
        f"{live_server}/api/v1/portal/progress", PUSH_SECRET, kind="progress", records=progress
    )
    r2 = portal.push_to(
        f"{live_server}/api/v1/portal/progress", PUSH_SECRET, kind="progress", records=progress
    )
    assert all(r["error_code"] == 0 for r in r1.json()["result"] + r2.json()["result"])
    assert {r["message"] for r in r2.json()["result"]} == {"unchanged"}
    db.session.rollback()  # end the read snapshot: the server wrote since
    assert count(TimelineEntry, TimelineEntry.kind == "progress") == len(progress)


def test_advance_then_push_moves_status_once(app, portal, live_server, app_ctx):
    url = f"{live_server}/api/v1/portal"
    first = portal.push_to(
        f"{url}/dossiers", PUSH_SECRET, records=[hoso(portal, c) for c in portal.dossier_codes()]
    )
    assert first.status_code == 200, first.text
    changed = []
    while not changed:
        changed = portal.advance(probability=0.7)
    assert portal.push_to(f"{url}/dossiers", PUSH_SECRET).status_code == 200
    assert portal.push_to(f"{url}/progress", PUSH_SECRET, kind="progress").status_code == 200
    db.session.rollback()  # end the read snapshot: the server wrote since
    for entry in changed:
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == entry["MaHoSo"]))
        assert dossier is not None, (
            entry["MaHoSo"],
            db.session.scalars(select(Dossier.code)).all(),
        )
        assert dossier.status_code == int(portal.dossier(entry["MaHoSo"])["TrangThaiHoSo"])
    events_before = count(DomainEvent)
    # The same changes delivered again by pull change nothing.
    for code in {e["MaHoSo"] for e in changed}:
        db.session.add(
            DossierFollow(
                dossier_id=db.session.scalar(select(Dossier.id).where(Dossier.code == code))
            )
        )
    db.session.execute(db.update(Dossier).values(next_sync_at=db.func.now()))
    db.session.commit()
    run = pull_followed(get_gateway())
    assert run.done == len({e["MaHoSo"] for e in changed}) and run.changed == 0
    assert count(DomainEvent) == events_before


def test_older_update_after_newer_is_ignored(client, portal, app_ctx):
    code = portal.dossier_codes()[0]
    record = hoso(portal, code)
    newer = {**record, "TrangThaiHoSo": "4"}
    older = {**record, "TrangThaiHoSo": "2"}
    now = int(time.time())
    assert (
        post_signed(client, "/api/v1/portal/dossiers", [newer], now).json["result"][0]["message"]
        == "created"
    )
    answer = post_signed(client, "/api/v1/portal/dossiers", [older], now - 60).json["result"][0]
    assert answer == {"index": 0, "MaHoSo": code, "error_code": 0, "message": "stale"}
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier.status_code == 4
    assert count(TimelineEntry, TimelineEntry.kind == "status") == 1
    assert count(DomainEvent) == 1
    # An older progress entry with another status does not move it back either.
    stale = {"MaHoSo": code, "ThoiDiemXuLy": "20200101080000", "TrangThai": "2", "NoiDungXuLy": "x"}
    post_signed(client, "/api/v1/portal/progress", [stale])
    db.session.refresh(dossier)
    assert dossier.status_code == 4 and count(DomainEvent) == 1


def test_newer_progress_moves_status_once(client, portal, app_ctx):
    code = portal.dossier_codes()[0]
    post_signed(
        client,
        "/api/v1/portal/dossiers",
        [{**hoso(portal, code), "TrangThaiHoSo": "4"}],
        int(time.time()) - 3600 * 0,
    )
    entry = {
        "MaHoSo": code,
        "ThoiDiemXuLy": "20991231080000",
        "TrangThai": "5",
        "NoiDungXuLy": "Yêu cầu bổ sung bản sao giấy khai sinh",
        "NguoiXuLy": "Cán bộ A",
    }
    for _ in range(3):
        post_signed(client, "/api/v1/portal/progress", [entry])
    assert db.session.scalar(select(Dossier.status_code).where(Dossier.code == code)) == 5
    assert count(DomainEvent) == 2 and count(TimelineEntry, TimelineEntry.kind == "progress") == 1


def test_one_bad_item_never_rejects_the_batch(client, portal, app_ctx):
    good = hoso(portal, portal.dossier_codes()[0])
    items = [
        good,
        {"MaHoSo": "nonsense"},
        {**good, "MaHoSo": "000.00.15.H12-240101-9999", "TrangThaiHoSo": "11"},
        {**good, "MaHoSo": "000.00.15.H12-240101-9998", "NgayHenTra": "2024-01-01"},
        "not an object",
        {**good, "MaHoSo": "000.00.15.H12-240101-9997", "KenhThucHien": "9"},
    ]
    result = post_signed(client, "/api/v1/portal/dossiers", items).json["result"]
    assert [r["error_code"] for r in result] == [0, 1, 1, 1, 1, 1]
    assert "MaHoSo" in result[1]["message"] and "TrangThaiHoSo" in result[2]["message"]
    assert "NgayHenTra" in result[3]["message"] and "KenhThucHien" in result[5]["message"]
    assert count(Dossier) == 1
    unknown = {"MaHoSo": "000.00.15.H12-240101-5555", "ThoiDiemXuLy": "20240101080000"}
    assert (
        post_signed(client, "/api/v1/portal/progress", [unknown]).json["result"][0]["error_code"]
        == 2
    )


@pytest.mark.parametrize(
    "case",
    ["no_headers", "wrong_secret", "old", "future", "tampered_body"],
)
def test_bad_signatures_and_replays_refused(client, portal, app_ctx, case):
    body = json.dumps({"data": [hoso(portal, portal.dossier_codes()[0])]}).encode()
    now = int(time.time())
    headers = {
        "X-Portal-Timestamp": str(now),
        "X-Portal-Signature": sign(PUSH_SECRET, str(now), body),
    }
    if case == "no_headers":
        headers = {}
    elif case == "wrong_secret":
        headers["X-Portal-Signature"] = sign("other", str(now), body)
    elif case in ("old", "future"):
        stamp = str(now - 301 if case == "old" else now + 301)
        headers = {
            "X-Portal-Timestamp": stamp,
            "X-Portal-Signature": sign(PUSH_SECRET, stamp, body),
        }
    elif case == "tampered_body":
        body = body.replace(b'"TrangThaiHoSo"', b'"TrangThaiHoSo" ')
    r = client.post(
        "/api/v1/portal/dossiers", data=body, content_type="application/json", headers=headers
    )
    assert r.status_code == 401 and r.json["error"] == "portal_signature_invalid"
    assert count(Dossier) == 0


def test_batch_limit(client, portal, app_ctx):
    record = hoso(portal, portal.dossier_codes()[0])
    r = post_signed(client, "/api/v1/portal/dossiers", [record] * 501)
    assert r.status_code == 422 and "data" in r.json["errors"]
    assert post_signed(client, "/api/v1/portal/dossiers", []).status_code == 422
    assert count(Dossier) == 0


def _seed_followed(client, portal, codes):
    post_signed(
        client, "/api/v1/portal/dossiers", [hoso(portal, c) for c in codes], int(time.time()) - 120
    )
    for code in codes:
        dossier_id = db.session.scalar(select(Dossier.id).where(Dossier.code == code))
        db.session.add(DossierFollow(dossier_id=dossier_id))
    db.session.execute(db.update(Dossier).values(next_sync_at=db.func.now()))
    db.session.commit()


def test_portal_down_mid_sync_loses_nothing(client, portal, app_ctx):
    open_codes = [
        c
        for c in portal.dossier_codes()
        if portal.dossier(c)["TrangThaiHoSo"] in {"1", "2", "4", "5", "6"}
    ]
    _seed_followed(client, portal, open_codes)
    gateway = get_gateway()
    calls = {"n": 0}
    real = gateway.lookup_dossier

    def flaky(code):
        calls["n"] += 1
        if calls["n"] == 3:
            portal.go_down("refuse")
        return real(code)

    gateway.lookup_dossier = flaky
    first = pull_followed(gateway)
    assert first.error.startswith("portal unavailable") and first.done == 2
    still_due = count(Dossier, Dossier.next_sync_at <= db.func.now(), Dossier.finished.is_(False))
    assert still_due == len(open_codes) - 2
    portal.come_up()
    gateway.lookup_dossier = real
    second = pull_followed(gateway)
    assert second.error == "" and second.done == len(open_codes) - 2
    assert count(Dossier, Dossier.last_synced_at.is_(None)) == 0


def test_nightly_resumes_after_outage(client, portal, app_ctx):
    codes = portal.dossier_codes()
    post_signed(client, "/api/v1/portal/dossiers", [hoso(portal, c) for c in codes])
    unfinished = count(Dossier, Dossier.finished.is_(False))
    portal.fail_next(100, 503)  # beyond the gateway's retries
    run = pull_nightly(get_gateway(), batch=3)
    assert run.error and run.finished_at is None and run.done == 0
    portal.reset_failures()
    resumed = pull_nightly(get_gateway(), batch=3)
    assert resumed.id == run.id and resumed.finished_at is not None
    assert resumed.done == unfinished
    assert count(SyncRun) == 1


def test_sync_runs_never_overlap(app, portal, app_ctx):
    lock = app.extensions["redis"].lock("lock:pull_followed", timeout=60)
    assert lock.acquire()
    try:
        assert pull_followed(get_gateway()) is None
    finally:
        lock.release()


def test_gateway_session_expiry_relogin_during_pull(client, portal, app_ctx):
    codes = portal.dossier_codes()[:3]
    _seed_followed(client, portal, codes)
    gateway = get_gateway()
    gateway.lookup_dossier(codes[0])
    logins = portal.login_count
    portal.expire_sessions()
    run = pull_followed(gateway)
    assert run.error == "" and portal.login_count == logins + 1


def test_catalog_refresh_from_portal(app, portal, app_ctx):
    from api.catalog.models import Procedure
    from api.catalog.portal_refresh import refresh_catalog

    before = {p.code: p.content_hash for p in db.session.scalars(select(Procedure))}
    seen = []
    summary = refresh_catalog(
        get_gateway(), lambda done, total: seen.append((done, total)), limit=30
    )
    assert summary.total == 30 and summary.failed == 0, summary.problems
    assert seen[-1] == (30, 30)
    # The portal's LayThuTuc carries the same procedures; names and fields survive the round trip.
    for code in [p["MATTHC"] for p in get_gateway().list_procedures()[:30]]:
        assert code in before
    again = refresh_catalog(get_gateway(), limit=30)
    assert again.created == 0 and again.updated == 0 and again.unchanged == 30
    from api.catalog.importer import DEFAULT_CATALOG, import_catalog, load_catalog_file

    import_catalog(load_catalog_file(DEFAULT_CATALOG), source="restore")


def test_refresh_catalog_command_keeps_its_name(app, portal, app_ctx):
    # The command lives in the catalog domain and is added to the portal's command group.
    result = app.test_cli_runner().invoke(args=["portal", "refresh-catalog", "--limit", "5"])
    assert result.exit_code == 0, result.output
    assert "Catalog from the portal: 5 records" in result.output
    from api.catalog.importer import DEFAULT_CATALOG, import_catalog, load_catalog_file

    import_catalog(load_catalog_file(DEFAULT_CATALOG), source="restore")


def test_batch_repeating_a_code_is_applied_in_order(client, portal, app_ctx):
    record = hoso(portal, portal.dossier_codes()[0])
    batch = [{**record, "TrangThaiHoSo": "2"}, {**record, "TrangThaiHoSo": "4"}, record]
    result = post_signed(client, "/api/v1/portal/dossiers", batch).json["result"]
    assert [r["message"] for r in result][:2] == ["created", "updated"]
    assert all(r["error_code"] == 0 for r in result)
    statuses = db.session.scalars(
        select(TimelineEntry.status_code)
        .where(TimelineEntry.kind == "status")
        .order_by(TimelineEntry.id)
    ).all()
    assert statuses[:2] == [2, 4] and count(DomainEvent) == len(statuses)


def test_mixed_batch_outcomes(client, portal, app_ctx):
    codes = portal.dossier_codes()[:4]
    first = [hoso(portal, c) for c in codes[:2]]
    post_signed(client, "/api/v1/portal/dossiers", first, int(time.time()) - 60)
    newer = {**first[0], "TrangThaiHoSo": "6" if first[0]["TrangThaiHoSo"] != "6" else "4"}
    stale = {**first[1], "TrangThaiHoSo": "3"}
    batch = [newer, stale, hoso(portal, codes[2]), {"MaHoSo": "bad"}]
    result = post_signed(client, "/api/v1/portal/dossiers", batch, int(time.time()) - 120).json[
        "result"
    ]
    assert [r["message"] for r in result[:3]] == ["stale", "stale", "created"]
    assert result[3]["error_code"] == 1
    result = post_signed(client, "/api/v1/portal/dossiers", [newer], int(time.time())).json[
        "result"
    ]
    assert result[0]["message"] == "updated"
