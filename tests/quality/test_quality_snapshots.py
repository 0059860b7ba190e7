"""Snapshots: immutable once published, recomputed into new ones, the same input giving the
same bytes; the drill-down adding up to each figure; the public report as JSON, CSV and HTML
with no personal data; the portal's published values beside the local estimates."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from api.kernel.database import db
from api.quality import snapshots
from api.quality.models import PublishedSnapshotError, Snapshot
from tests.helpers.common import bearer, make_staff, sign_in_staff
from tests.helpers.dossiers import OWNER_ID, hoso, push
from tests.helpers.quality import CUTOFF, NAME_A, UNIT_A, UNIT_B, _code, _seed


@pytest.fixture
def seeded(client, app_ctx):
    _seed(client)
    return client


def _snap(kind="province", code="all", publish=False, cutoff=CUTOFF) -> Snapshot:
    snapshot = snapshots.create_snapshot(
        kind, code, "month", "2025-11", cutoff=cutoff, publish=publish
    )
    db.session.commit()
    return snapshot


def test_a_snapshot_has_its_formula_version_cut_off_and_figures(seeded):
    snapshot = _snap()
    content = json.loads(snapshot.content)
    assert snapshot.formula_version == content["formula_version"] == "766-local-1"
    assert content["data_cutoff"] == "2025-12-01T00:00:00+07:00"
    t1 = next(f for f in content["figures"] if f["code"] == "T1")
    # A1 returned Fri 7 Nov (early: Mon 10 to spare), A2 finished 12 Nov (late), A3 and B3
    # still open past due, B1 returned 10 Nov 16:00 (on time), B2 paused in time (not judged).
    assert (t1["numerator"], t1["denominator"]) == (2, 5)
    assert (
        content["counts"]["early"],
        content["counts"]["on_time"],
        content["counts"]["late"],
    ) == (1, 1, 1)
    assert (content["counts"]["in_progress_overdue"], content["counts"]["paused"]) == (2, 1)
    assert content["counts"]["received"] == 6
    by_unit = {u["unit_code"]: u for u in content["by_unit"]}
    assert set(by_unit) == {UNIT_A, UNIT_B}
    assert (by_unit[UNIT_A]["on_time"]["numerator"], by_unit[UNIT_A]["on_time"]["denominator"]) == (
        1,
        3,
    )
    assert by_unit[UNIT_B]["online"]["percent"] == "66.66"  # B1 by post is not online
    own = {v["code"]: v for v in content["satisfaction"]["self"]}
    assisted = {v["code"]: v for v in content["satisfaction"]["assisted"]}
    assert (own["SAT_ANSWERED"]["numerator"], own["SAT_ANSWERED"]["denominator"]) == (1, 1)
    assert (
        assisted["SAT_ANSWERED_ASSISTED"]["numerator"],
        assisted["SAT_ANSWERED_ASSISTED"]["denominator"],
    ) == (0, 1)


def test_same_input_same_bytes_and_later_changes_do_not_leak_in(seeded):
    first = _snap()
    # After the cut-off: A3 finishes in December.
    push(
        seeded,
        [
            hoso(
                _code(UNIT_A, 3),
                10,
                DonViXuLy=NAME_A,
                NgayTiepNhan="20251103090000",
                NgayHenTra="20251110170000",
                NgayTra="20251203100000",
                NgayCapNhat="20251203100000",
            )
        ],
    )
    second = _snap()
    assert second.id != first.id and second.content == first.content
    assert second.content_sha256 == first.content_sha256
    assert second.supersedes_id is None  # the first was never published


def test_published_snapshots_are_final_and_recompute_makes_a_new_one(seeded, app):
    published = _snap(publish=True)
    published.content = "{}"
    with pytest.raises(PublishedSnapshotError):
        db.session.commit()
    db.session.rollback()
    published.published_at = None
    with pytest.raises(PublishedSnapshotError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(PublishedSnapshotError):
        db.session.delete(db.session.get(Snapshot, published.id))
        db.session.commit()
    db.session.rollback()
    if db.engine.dialect.name == "postgresql":  # the trigger guards raw SQL too
        with pytest.raises(Exception, match="published"):
            db.session.execute(
                text("UPDATE quality_snapshots SET content = '{}' WHERE id = :i"),
                {"i": published.id},
            )
        db.session.rollback()
    again = _snap(publish=True)
    assert again.id != published.id and again.supersedes_id == published.id
    assert db.session.get(Snapshot, published.id).content == again.content


def test_drilldown_adds_up_to_every_figure(seeded, app):
    make_staff(app, "admin.q", "admin")
    admin = bearer(sign_in_staff(seeded, "admin.q"))
    created = seeded.post(
        "/api/v1/quality/snapshots",
        headers=admin,
        json={
            "scope_kind": "province",
            "scope_code": "all",
            "period_kind": "month",
            "period_key": "2025-11",
        },
    )
    assert created.status_code == 201, created.json
    snapshot = created.json
    content = snapshot["content"]
    variants = content["satisfaction"]["self"] + content["satisfaction"]["assisted"]
    checked = 0
    for figure in content["figures"] + variants:
        for part, key in (("numerator", "numerator"), ("denominator", "denominator")):
            url = f"/api/v1/quality/snapshots/{snapshot['id']}/figures/{figure['code']}/{part}"
            r = seeded.get(url, headers=admin, query_string={"page_size": 2})
            if figure["status"] == "not_measurable":
                assert r.status_code == 404
                continue
            assert r.status_code == 200, r.json
            assert r.json["total"] == figure[key] == r.json["figure_value"]
            items = list(r.json["items"])
            for page in range(2, r.json["pages"] + 1):
                items += seeded.get(
                    url, headers=admin, query_string={"page_size": 2, "page": page}
                ).json["items"]
            assert len(items) == figure[key] == len({i["code"] for i in items})
            checked += 1
    assert checked > 20
    t1 = seeded.get(
        f"/api/v1/quality/snapshots/{snapshot['id']}/figures/T1/numerator", headers=admin
    ).json["items"]
    assert {i["code"] for i in t1} == {_code(UNIT_A, 1), _code(UNIT_B, 1)}


def test_officers_see_their_own_unit_only(seeded, app):
    make_staff(app, "officer.a", "officer", unit_code=NAME_A)
    officer = bearer(sign_in_staff(seeded, "officer.a"))
    body = {
        "scope_kind": "unit",
        "scope_code": UNIT_A,
        "period_kind": "month",
        "period_key": "2025-11",
    }
    assert seeded.post("/api/v1/quality/snapshots", headers=officer, json=body).status_code == 201
    other = seeded.post(
        "/api/v1/quality/snapshots", headers=officer, json={**body, "scope_code": UNIT_B}
    )
    assert other.status_code == 403 and other.json["error"] == "quality_scope_forbidden"
    publish = seeded.post(
        "/api/v1/quality/snapshots", headers=officer, json={**body, "publish": True}
    )
    assert publish.status_code == 403
    bad = seeded.post(
        "/api/v1/quality/snapshots", headers=officer, json={**body, "period_key": "2025-13"}
    )
    assert bad.status_code == 422 and bad.json["error"] == "quality_bad_period"
    assert seeded.post("/api/v1/quality/snapshots", json=body).status_code == 401


def test_public_report_json_csv_html_without_personal_data(seeded, app):
    assert seeded.get("/api/v1/quality/reports/province/all?month=2025-11").status_code == 404
    _snap(publish=True)
    _snap("unit", UNIT_A, publish=True)
    make_staff(app, "admin.q", "admin")
    admin = bearer(sign_in_staff(seeded, "admin.q"))
    imported = seeded.post(
        "/api/v1/quality/portal-values",
        headers=admin,
        json={
            "values": [
                {
                    "scope_kind": "province",
                    "scope_code": "all",
                    "period_kind": "month",
                    "period_key": "2025-11",
                    "indicator": "total",
                    "value": "83.47",
                    "source": "portal",
                },
                {
                    "scope_kind": "province",
                    "scope_code": "all",
                    "period_kind": "month",
                    "period_key": "2025-11",
                    "indicator": "T1",
                    "value": "15.5",
                },
            ]
        },
    )
    assert imported.status_code == 200 and imported.json == {"saved": 2}
    report = seeded.get("/api/v1/quality/reports/province/all?month=2025-11")
    assert report.status_code == 200
    body = report.json
    assert body["total"]["portal_value"]["value"] == "83.47" and body["label"] == "local_estimate"
    assert next(f for f in body["figures"] if f["code"] == "T1")["portal_value"]["value"] == "15.50"
    assert len(body["trend"]) == 12 and body["trend"][-1]["month"] == "2025-11"
    assert (
        body["trend"][-1]["score"] == body["total"]["score"] and body["trend"][0]["score"] is None
    )
    assert {u["unit_code"] for u in body["by_unit"]} == {UNIT_A, UNIT_B}
    csv = seeded.get("/api/v1/quality/reports/province/all?month=2025-11&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.get_data(as_text=True).startswith("\ufeffsection,code,name")
    page = seeded.get("/quality/province/all?month=2025-11")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert (
        html.count("<svg") == 4
        and "<script" not in html
        and "http" not in html.split("<body>")[1].replace("http://www.w3.org/2000/svg", "")
    )
    unit_page = seeded.get(f"/quality/unit/{UNIT_A}")
    assert unit_page.status_code == 200 and NAME_A in unit_page.get_data(as_text=True)
    for text_out in (report.get_data(as_text=True), csv.get_data(as_text=True), html):
        for secret in (OWNER_ID, "079111222333", "0912345987", "Nguyễn Thị Hoa", _code(UNIT_A, 1)):
            assert secret not in text_out
    assert seeded.get("/quality").status_code == 302
    assert seeded.get("/api/v1/quality/reports/province/all?month=2025-1").status_code == 422
    # Each language alone on the page: no Vietnamese group or scope names in the English one.
    assert "Công khai, minh bạch" in html and "Toàn tỉnh" in html
    english = seeded.get("/quality/province/all?month=2025-11&lang=en").get_data(as_text=True)
    assert "Openness and transparency" in english and "Whole province" in english
    assert "Công khai, minh bạch" not in english and "Toàn tỉnh" not in english


def test_drilldown_refuses_an_unknown_part_or_figure(seeded, app):
    make_staff(app, "admin.q", "admin")
    admin = bearer(sign_in_staff(seeded, "admin.q"))
    snapshot = _snap()
    base = f"/api/v1/quality/snapshots/{snapshot.id}/figures"
    assert seeded.get(f"{base}/T1/both", headers=admin).status_code == 404
    assert (
        seeded.get(f"{base}/ZZ/numerator", headers=admin).json["error"]
        == "quality_figure_not_found"
    )
    assert seeded.get(f"{base}/O1/numerator", headers=admin).status_code == 404  # not measurable
    assert (
        seeded.get(
            "/api/v1/quality/snapshots/999999/figures/T1/numerator", headers=admin
        ).status_code
        == 404
    )


def test_publishing_is_for_admins_audited_and_idempotent(seeded, app):
    from api.audit.models import AuditEvent

    make_staff(app, "admin.q", "admin")
    make_staff(app, "officer.a", "officer", unit_code=NAME_A)
    admin = bearer(sign_in_staff(seeded, "admin.q"))
    officer = bearer(sign_in_staff(seeded, "officer.a"))
    snapshot = _snap()
    url = f"/api/v1/quality/snapshots/{snapshot.id}/publish"
    assert seeded.post(url, headers=officer).status_code == 403
    first = seeded.post(url, headers=admin)
    assert first.status_code == 200 and first.json["published_at"]
    again = seeded.post(url, headers=admin)
    assert again.json["published_at"] == first.json["published_at"]
    db.session.expire_all()
    actions = list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "quality.snapshot_published")
        )
    )
    assert actions == ["quality.snapshot_published"]
    view = seeded.get(f"/api/v1/quality/snapshots/{snapshot.id}", headers=officer)
    assert view.status_code == 403  # a province snapshot is not an officer's unit
