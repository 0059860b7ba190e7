"""The service around the domain: health, readiness, metrics, request ids, errors, logs, docs."""

from __future__ import annotations

import json
import logging
import os
import re

from api.kernel.logs import JsonFormatter, mask_text
from tests.conftest import build_app


def test_health(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.json == {"status": "ok"}


def test_ready_checks_database_and_redis(client):
    r = client.get("/ready")
    assert r.status_code == 200
    assert r.json["checks"] == {"database": "ok", "redis": "ok"}


def test_ready_503_when_redis_unreachable(database_url):
    # Port 1 on loopback refuses connections at once.
    app = build_app(database_url, "redis://127.0.0.1:1/0")
    r = app.test_client().get("/ready")
    assert r.status_code == 503
    assert r.json["checks"]["database"] == "ok" and r.json["checks"]["redis"].startswith("error")


def test_metrics_count_requests_by_endpoint(client):
    client.get("/api/v1/procedures/1.011954")
    client.get("/api/v1/procedures/9.999999")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'endpoint="/api/v1/procedures/<string:code>"' in text
    assert "dvc_http_request_duration_seconds_bucket" in text
    assert 'status="404"' in text


def test_request_id_echoed_or_made(client):
    r = client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["X-Request-ID"] == "abc-123"
    r = client.get("/health", headers={"X-Request-ID": "bad id with spaces"})
    assert (
        r.headers["X-Request-ID"] != "bad id with spaces" and len(r.headers["X-Request-ID"]) == 32
    )


def test_one_error_format_for_framework_errors(client):
    r = client.get("/nowhere")
    assert r.status_code == 404 and set(r.json) >= {"code", "status", "error", "message"}
    r = client.delete("/api/v1/fields")
    assert r.status_code == 405 and r.json["error"] == "method_not_allowed"
    r = client.post("/api/v1/auth/otp", data="not json", content_type="text/plain")
    assert r.status_code in (415, 422) and "message" in r.json
    # A body that is not JSON at all: "errors" is an object like every other error's.
    r = client.post("/api/v1/auth/otp", data="\x00", content_type="application/json")
    assert r.status_code == 400 and isinstance(r.json["errors"], dict), r.json
    assert list(r.json["errors"]) == ["json"]


def test_english_on_request(client):
    r = client.get("/nowhere", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert r.json["message"] == "We could not find what you asked for."
    r = client.get("/nowhere", headers={"Accept-Language": "vi-VN"})
    assert r.json["message"].startswith("Không tìm thấy")


def test_logs_are_json_with_request_id_and_masked():
    record = logging.makeLogRecord(
        {
            "msg": "calling %s about %s",
            "args": ("0912345678", "079123456789"),
            "levelname": "INFO",
            "name": "t",
            "phone": "+84912345678",
            "token": "Bearer eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl",
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["msg"] == "calling *******678 about *********789"
    assert line["phone"] == "********678" and "eyJ" not in line["token"]
    assert mask_text("code 123456 ok") == "code 123456 ok"  # short numbers are not personal ids
    # Long snake_case event names are words, not tokens; long mixed runs with digits are tokens.
    assert mask_text("enqueue_failed_sweeper_will_retry") == "enqueue_failed_sweeper_will_retry"
    assert mask_text("key sk_live_4eC39HqLyjWDarjtT1zdp7dc end") == "key [token] end"


def test_openapi_document(client):
    spec = client.get("/openapi.json").json
    assert spec["info"]["title"] == "dvc-connect"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    paths = spec["paths"]
    for path in [
        "/api/v1/procedures",
        "/api/v1/procedures/suggest",
        "/api/v1/procedures/{code}",
        "/api/v1/fields",
        "/health",
        "/ready",
        "/api/v1/auth/otp",
        "/api/v1/me",
    ]:
        assert path in paths, path
    search = paths["/api/v1/procedures"]["get"]
    assert {p["name"] for p in search["parameters"]} >= {
        "q",
        "field",
        "online_level",
        "level",
        "agency",
        "subject",
        "page",
        "page_size",
    }
    assert "422" in search["responses"]
    assert "404" in paths["/api/v1/procedures/{code}"]["get"]["responses"]
    assert "Error" in spec["components"]["schemas"]
    assert "error" in spec["components"]["schemas"]["Error"]["properties"]


def test_every_protected_route_documents_security(app, client):
    """Every route behind the auth decorator shows bearerAuth and 401 in the spec, and every
    route that shows bearerAuth really refuses an anonymous call."""
    spec = client.get("/openapi.json").json
    protected = 0
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            secured = op.get("security") == [{"bearerAuth": []}]
            if not secured:
                continue
            protected += 1
            assert "401" in op["responses"], (method, path)
            url = re.sub(r"\{\w*_id\}", "1", path)
            url = url.replace("{code}", "1.011954").replace("{channel}", "zalo")
            r = client.open(url, method=method.upper(), json={})
            assert r.status_code == 401, (method, path, r.status_code)
    assert protected >= 10


def test_docs_page(client):
    r = client.get("/docs")
    assert r.status_code == 200 and b"swagger" in r.data.lower()


def test_our_own_validation_messages_in_vietnamese(client):
    r = client.post("/api/v1/dossiers/lookup", json={"code": "x", "verify": "1"})
    assert r.status_code == 422
    assert r.json["errors"]["code"][0].startswith("Mã hồ sơ chưa đúng")
    assert r.json["errors"]["verify"][0].startswith("Xin nhập 4 số cuối")
    en = client.post(
        "/api/v1/dossiers/lookup",
        json={"code": "x", "verify": "1"},
        headers={"Accept-Language": "en"},
    )
    assert en.json["errors"]["code"][0].startswith("Not a dossier code")


def test_python_m_workers_runs_jobs_in_its_own_process(app):
    """``python -m workers`` (burst here): jobs run in the worker process, in the app context."""
    from rq.job import JobStatus

    from api.kernel.jobs import get_queue
    from workers.tasks.runner import run_worker_process

    with app.app_context():
        queue = get_queue("default")
        queue.empty()
        job = queue.enqueue("workers.tasks.jobs.ping", "in-process")
        where = queue.enqueue("os.getpid")
    run_worker_process(app, burst=True)
    job.refresh()
    assert job.get_status() == JobStatus.FINISHED and job.return_value() == "in-process"
    assert where.return_value() == os.getpid()  # not a forked child


def test_a_busy_embedded_database_asks_to_try_again():
    """SQLite's "database is locked" (the embedded default under concurrent writes) is a 503
    with Retry-After in the one error format; any other database fault stays a 500."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    def locked():
        raise OperationalError("UPDATE x", {}, sqlite3.OperationalError("database is locked"))

    def broken():
        raise OperationalError("UPDATE x", {}, sqlite3.OperationalError("disk I/O error"))

    from flask import Flask

    from api.kernel.errors import register_error_handlers

    app = Flask(__name__)  # only the error handling of ours: these routes exist for the test
    register_error_handlers(app)
    app.add_url_rule("/locked", view_func=locked)
    app.add_url_rule("/broken", view_func=broken)
    client = app.test_client()
    r = client.get("/locked")
    assert r.status_code == 503 and r.headers["Retry-After"] == "2"
    assert r.json["error"] == "service_unavailable" and r.json["message"]
    assert client.get("/broken").status_code == 500
