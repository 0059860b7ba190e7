"""The embedded default holds under its own worker: a SQLite file, the in-process Redis
stand-in and the worker thread, with portal pushes (HoSo and TienDo) and citizens' requests
arriving at once over HTTP. Writers wait their turn: no 5xx, no failed job."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rq.registry import FailedJobRegistry
from werkzeug.serving import make_server

from api.kernel.database import db
from api.portal.push_auth import sign
from tests.conftest import PUSH_SECRET, build_app
from tests.helpers.dossiers import hoso

DRAIN_LIMIT_SECONDS = 60  # a bound on waiting for the worker, not a timing assertion


@pytest.fixture
def embedded(tmp_path):
    """The embedded default's parts: SQLite file, stand-in Redis, the worker's thread class
    running in a thread beside a threaded HTTP server (stopped after the test)."""
    from api.kernel.jobs import QUEUE_NAMES, all_queues
    from workers.tasks.runner import ThreadWorker

    app = build_app(f"sqlite:///{tmp_path / 'embedded.db'}", "")
    with app.app_context():
        for queue in all_queues():
            queue.empty()
    worker_class = type("BoundThreadWorker", (ThreadWorker,), {"app": app})
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            worker = worker_class(list(QUEUE_NAMES), connection=app.extensions["redis"])
            worker.work(burst=True, with_scheduler=False, logging_level="WARNING")
            stop.wait(0.05)

    thread = threading.Thread(target=work, name="rq-embedded-worker", daemon=True)
    thread.start()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    stop.set()
    thread.join(timeout=30)
    with app.app_context():
        db.engine.dispose()


def _signed_post(base: str, path: str, records: list[dict]) -> requests.Response:
    body = json.dumps({"data": records}).encode()
    stamp = str(int(time.time()))
    return requests.post(
        base + path,
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Portal-Timestamp": stamp,
            "X-Portal-Signature": sign(PUSH_SECRET, stamp, body),
        },
        timeout=60,
    )


def _code(n: int) -> str:
    return f"000.00.15.H12-251120-{n:04d}"


def _progress(n: int, status: int, hour: int) -> dict:
    return {
        "MaHoSo": _code(n),
        "NguoiXuLy": "Cán bộ",
        "ChucDanh": "Chuyên viên",
        "ThoiDiemXuLy": f"202511{21 + hour // 24:02d}{hour % 24:02d}0000",
        "PhongBanXuLy": "Một cửa",
        "NoiDungXuLy": f"Bước {hour}",
        "TrangThai": str(status),
    }


def test_pushes_requests_and_the_worker_together(embedded):
    app, base = embedded
    statuses: list[int] = []
    # A single sequential progress push first: what a new user tries.
    assert _signed_post(base, "/api/v1/portal/dossiers", [hoso(_code(1))]).status_code == 200
    assert _signed_post(base, "/api/v1/portal/progress", [_progress(1, 5, 1)]).status_code == 200

    def pusher(worker: int) -> None:
        for step in range(6):
            n = 10 + worker * 10 + step
            statuses.append(
                _signed_post(base, "/api/v1/portal/dossiers", [hoso(_code(n))]).status_code
            )
            statuses.append(
                _signed_post(
                    base, "/api/v1/portal/progress", [_progress(n, 5, step + 2)]
                ).status_code
            )

    def reader(_: int) -> None:
        for _ in range(10):
            statuses.append(
                requests.get(f"{base}/api/v1/procedures?q=khai sinh", timeout=60).status_code
            )
            lookup = {"code": _code(1), "verify": "5987"}
            statuses.append(
                requests.post(f"{base}/api/v1/dossiers/lookup", json=lookup, timeout=60).status_code
            )

    def otp(worker: int) -> None:
        for step in range(3):
            phone = f"09123{worker:02d}{step:03d}"
            statuses.append(
                requests.post(
                    f"{base}/api/v1/auth/otp", json={"phone": phone}, timeout=60
                ).status_code
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        jobs = [pool.submit(pusher, i) for i in range(3)]
        jobs += [pool.submit(reader, i) for i in range(3)]
        jobs += [pool.submit(otp, i) for i in range(2)]
        for job in jobs:
            job.result()
    assert statuses and not [s for s in statuses if s >= 500], sorted(set(statuses))

    from api.dossiers.models import DomainEvent
    from api.kernel.jobs import all_queues

    def unprocessed() -> int:
        # An empty queue is not the end: the relay job may still be running its last batch.
        count = db.session.query(DomainEvent).filter(DomainEvent.processed_at.is_(None)).count()
        db.session.remove()
        return count

    deadline = time.monotonic() + DRAIN_LIMIT_SECONDS
    with app.app_context():
        while time.monotonic() < deadline and (any(q.count for q in all_queues()) or unprocessed()):
            time.sleep(0.2)
        failed = [(q.name, FailedJobRegistry(queue=q).get_job_ids()) for q in all_queues()]
        assert all(not ids for _, ids in failed), failed
        waiting = unprocessed()
    assert waiting == 0  # every status change was turned into notifications
