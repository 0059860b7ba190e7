"""Bots end to end: real-shaped Telegram updates posted to /webhooks/telegram one at a time,
timing the webhook's answer and the reply's arrival at a fake Bot API on 127.0.0.1.

Two stacks: "embedded" (SQLite, in-process Redis stand-in, the rq worker in a thread, as
`make run`) and "postgres" (PostgreSQL, Redis, a separate `python -m workers` process, as
production; skipped when PostgreSQL or Redis cannot be reached, see benchmarks.harness.pgstack).
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.harness.common import note, summarise_ms
from benchmarks.harness.server import catalog_app, spawn, stop

ROUNDS = 200
SECRET = "bench-secret"
DATABASE = "dvc_bench_bots"


class _Arrivals:
    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self.event = threading.Event()

    def fake(self):  # noqa: ANN202
        from tests.fakes.telegram_api import FakeTelegramApi

        arrivals = self

        class Timed(FakeTelegramApi):
            def _call(self, request, m):  # noqa: ANN001, ANN202
                if m.group("method") == "sendMessage":
                    chat = str((request.json() or {}).get("chat_id"))
                    arrivals.at.setdefault(chat, time.perf_counter())
                    arrivals.event.set()
                return super()._call(request, m)

        return Timed()


def _measure(
    client, arrivals: _Arrivals, messages: list[dict], rounds: int, first: int = 1
) -> dict:  # noqa: ANN001
    webhook, reply, lost = [], [], 0
    for n in range(first, first + rounds):
        chat = 7_000_000 + n
        update = {
            "update_id": n,
            "message": {
                "message_id": n, "date": int(time.time()),
                "text": messages[n % len(messages)]["text"],
                "from": {"id": chat, "is_bot": False, "first_name": "A"},
                "chat": {"id": chat, "type": "private"},
            },
        }  # fmt: skip
        arrivals.event.clear()
        started = time.perf_counter()
        client.post(
            "/webhooks/telegram", data=json.dumps(update), content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )  # fmt: skip
        webhook.append(time.perf_counter() - started)
        while str(chat) not in arrivals.at and time.perf_counter() < started + 5.0:
            arrivals.event.wait(0.02)
        if str(chat) in arrivals.at:
            reply.append(arrivals.at[str(chat)] - started)
        else:
            lost += 1
    return {
        "rounds": rounds,
        "webhook": summarise_ms(webhook),
        "reply": summarise_ms(reply),
        "no_reply_within_5s": lost,
    }


def _settings_env(fake_url: str) -> dict[str, str]:
    from tests.fakes.telegram_api import TOKEN

    return {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE": fake_url, "LOG_LEVEL": "WARNING"}  # fmt: skip


def embedded(messages: list[dict], rounds: int = ROUNDS) -> dict:
    from api.kernel.settings import Settings
    from workers.tasks.runner import ThreadWorker

    arrivals = _Arrivals()
    with tempfile.TemporaryDirectory() as tmp, arrivals.fake() as fake:
        env = {**_settings_env(fake.url), "DATABASE_URL": f"sqlite:///{Path(tmp) / 'b.db'}"}
        app = catalog_app(Settings.from_env(env=env, embedded_worker=False))
        worker = type("BenchWorker", (ThreadWorker,), {"app": app})(
            ["urgent"], connection=app.extensions["redis"]
        )
        thread = threading.Thread(
            target=worker.work, kwargs={"logging_level": "ERROR"}, daemon=True
        )
        thread.start()
        result = _measure(app.test_client(), arrivals, messages, rounds)
        worker.request_stop(None, None)
        thread.join(5)
        with app.app_context():
            from api.kernel.database import db

            db.engine.dispose()
    return {**result, "worker": "rq worker thread, in-process Redis stand-in, SQLite"}


def postgres(messages: list[dict], rounds: int = ROUNDS) -> dict:
    from api.kernel.settings import Settings
    from benchmarks.harness import pgstack

    try:
        url = pgstack.fresh_database(DATABASE)
    except Exception as exc:  # noqa: BLE001 - no PostgreSQL here: say so, measure the rest
        return {"skipped": f"PostgreSQL not reachable ({type(exc).__name__})"}
    arrivals = _Arrivals()
    with tempfile.TemporaryDirectory() as tmp, arrivals.fake() as fake:
        env = pgstack.app_env(url, **_settings_env(fake.url))
        app = catalog_app(Settings.from_env(env=env, embedded_worker=False))
        app.extensions["redis"].flushdb()
        log = Path(tmp) / "worker.log"
        worker = spawn([sys.executable, "-m", "workers"], log, env)
        try:
            _measure(app.test_client(), arrivals, messages, 5)  # the worker is up
            result = _measure(app.test_client(), arrivals, messages, rounds, first=100)
        finally:
            stop(worker, 10)
        if result["no_reply_within_5s"]:
            note("bots: some replies never came; the worker said:\n" + log.read_text()[-3000:])
        with app.app_context():
            from api.kernel.database import db

            db.engine.dispose()
    return {**result, "worker": "python -m workers (forks per job), Redis, PostgreSQL"}


def run(messages: list[dict]) -> dict[str, dict]:
    results = {"embedded": embedded(messages)}
    note("bots: the same on PostgreSQL and Redis with a worker process")
    results["postgres"] = postgres(messages)
    return results
