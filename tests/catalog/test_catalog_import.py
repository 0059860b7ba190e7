"""Importing a catalog file: idempotent upsert, bad records reported by position and reason
while the rest import, progress and summary on the command line, search sees the change."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import delete, func, select

from api.catalog.importer import DEFAULT_CATALOG, import_catalog, load_catalog_file
from api.catalog.models import CatalogRevision, Procedure
from api.kernel.database import db

NEW_CODE = "9.900001"


@pytest.fixture
def base():
    return json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))


@pytest.fixture
def cleanup(app):
    yield
    with app.app_context():
        db.session.execute(delete(Procedure).where(Procedure.code.like("9.9%")))
        # Deleting rows by hand is a catalog change too: bump the revision like an import.
        db.session.add(CatalogRevision(source="test cleanup"))
        db.session.commit()
        # Put the sample procedure that a test changed back as it was.
        import_catalog(load_catalog_file(DEFAULT_CATALOG), source="restore")


def new_record(base, code=NEW_CODE, name="Cấp giấy phép nuôi zyxwvut"):
    record = copy.deepcopy(base["procedures"][0])
    record.update(code=code, name=name, description="Thủ tục thử nghiệm cho nhà yến.")
    return record


def test_second_import_changes_nothing(app, base):
    with app.app_context():
        before = db.session.scalar(select(func.max(CatalogRevision.id)))
        summary = import_catalog(base, source="again")
        assert (summary.created, summary.updated, summary.unchanged, summary.failed) == (
            0,
            0,
            283,
            0,
        )
        assert db.session.scalar(select(func.max(CatalogRevision.id))) == before


def test_bad_records_reported_rest_imported(app, base, cleanup):
    data = {
        "fields": base["fields"],
        "procedures": [
            new_record(base),
            {**new_record(base, "9.900002"), "online_level": "nhanh"},
            {**new_record(base, "9.900003"), "field_code": "KHONG_CO"},
            {**new_record(base, "9.900004"), "code": "abc"},
            "not an object",
            {**new_record(base, "9.900005"), "channels": [{"channel": "fax", "fees": []}]},
            new_record(base, NEW_CODE, "Trùng mã"),
            {k: v for k, v in new_record(base, "9.900006").items() if k != "name"},
            {
                **new_record(base, "9.900007"),
                "channels": [
                    {
                        "channel": "truc_tiep",
                        "fees": [{"name": "Phí", "amount_vnd": None, "note": ""}],
                    }
                ],
            },
            new_record(base, "9.900008", "Thủ tục hợp lệ thứ hai"),
        ],
    }
    with app.app_context():
        summary = import_catalog(data, source="test")
        assert summary.created == 2 and summary.failed == 8
        problems = {p.position: p.reason for p in summary.problems}
        assert "online_level" in problems[2]
        assert "field_code" in problems[3] and "KHONG_CO" in problems[3]
        assert problems[4].startswith("code")
        assert "not a JSON object" in problems[5]
        assert "channel" in problems[6] and "fax" in problems[6]
        assert "more than once" in problems[7]
        assert problems[8].startswith("name")
        assert "note" in problems[9]
        codes = set(db.session.scalars(select(Procedure.code).where(Procedure.code.like("9.9%"))))
        assert codes == {NEW_CODE, "9.900008"}


def test_changed_record_updates_and_search_sees_it(app, client, base, cleanup):
    assert client.get("/api/v1/procedures", query_string={"q": "zyxwvut"}).json["total"] == 0
    changed = copy.deepcopy(base)
    changed["procedures"][0]["requirements"] = "Yêu cầu mới."
    changed["procedures"].append(new_record(base))
    with app.app_context():
        summary = import_catalog(changed, source="test")
        assert (summary.created, summary.updated, summary.unchanged) == (1, 1, 282)
    from api.catalog.search.loader import holder

    holder._checked_at = 0  # the next request checks the revision at once
    found = client.get("/api/v1/procedures", query_string={"q": "zyxwvut"}).json
    assert [i["code"] for i in found["items"]] == [NEW_CODE]
    detail = client.get("/api/v1/procedures/1.011954").json
    assert detail["requirements"] == "Yêu cầu mới."
    assert len(detail["documents"]) == len(base["procedures"][0]["documents"])


def test_cli_import_progress_summary_and_errors(app, base, tmp_path, cleanup):
    runner = app.test_cli_runner()
    path = tmp_path / "catalog.json"
    path.write_text(
        json.dumps(
            {
                "fields": base["fields"],
                "procedures": [
                    new_record(base),
                    {**new_record(base, "9.900002"), "online_level": "x"},
                ],
            }
        ),
        encoding="utf-8",
    )
    result = runner.invoke(args=["catalog", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 records, 1 created, 0 updated, 0 unchanged, 1 failed" in result.output
    assert "procedures[2] (9.900002): online_level" in result.output
    as_json = runner.invoke(args=["catalog", "import", str(path), "--json-summary"])
    assert json.loads(as_json.stdout[as_json.stdout.index("{") :])["unchanged"] == 1
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    broken = runner.invoke(args=["catalog", "import", str(bad)])
    assert broken.exit_code == 2 and "not valid JSON" in broken.output
    missing = runner.invoke(args=["catalog", "import", str(tmp_path / "none.json")])
    assert missing.exit_code == 2 and "cannot read" in missing.output


def test_large_catalog_reindexed_in_the_background(app, client, base, cleanup, monkeypatch):
    """Past a size, a changed catalog is re-indexed by a thread: requests keep the old index
    meanwhile, then see the new one."""
    import threading
    import time

    from api.catalog.search import loader

    holder = loader.holder
    holder._checked_at = 0
    client.get("/api/v1/procedures", query_string={"q": "khai sinh"})  # index current
    monkeypatch.setattr(loader, "BACKGROUND_REBUILD_SIZE", 0)
    release = threading.Event()
    real_build = holder._build

    def held_build():
        release.wait(10)  # the thread builds only once the first request has its answer
        return real_build()

    monkeypatch.setattr(holder, "_build", held_build)
    changed = copy.deepcopy(base)
    changed["procedures"].append(new_record(base))
    with app.app_context():
        import_catalog(changed, source="test")
    holder._checked_at = 0
    first = client.get("/api/v1/procedures", query_string={"q": "zyxwvut"}).json
    assert first["total"] == 0 and holder._rebuilding  # answered at once from the old index
    release.set()
    deadline = time.monotonic() + 20
    while holder._rebuilding and time.monotonic() < deadline:
        time.sleep(0.05)
    holder._checked_at = 0
    found = client.get("/api/v1/procedures", query_string={"q": "zyxwvut"}).json["total"]
    assert found == 1
    holder._checked_at = 0  # the restored catalog is indexed at the next check
