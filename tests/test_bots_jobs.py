"""The bots' machinery: Redis away at the webhook, the sweep, retries and the apology, the
state time-out, the officer relay closing quiet talks, the CLI and the sandbox chat page."""

from __future__ import annotations

from datetime import timedelta

import redis
from sqlalchemy import select, update

from api.kernel.clock import utcnow
from api.kernel.database import db
from api.kernel.settings import Settings
from bots import jobs
from bots.models import BotUpdate, ThreadChat
from tests.dossier_factory import CODE, hoso, push
from tests.test_bots_support import world_fixture  # noqa: F401 (the world fixture)

CHAT = 5550002


def _age_updates(app, seconds: int = 120) -> None:
    with app.app_context():
        db.session.execute(
            update(BotUpdate).values(received_at=utcnow() - timedelta(seconds=seconds))
        )
        db.session.commit()


def test_redis_away_the_update_waits_for_the_sweep(world, monkeypatch):
    import api.kernel.jobs

    def no_redis(name: str = "default"):  # noqa: ANN202
        raise redis.ConnectionError("Redis is away")

    monkeypatch.setattr(api.kernel.jobs, "get_queue", no_redis)
    assert world.telegram(world.tg_message(CHAT, text="xin chào"), run=False).status_code == 200
    (stored,) = world.updates()
    assert stored.processed_at is None and world.tg.sent_messages() == []
    monkeypatch.undo()
    with world.app.app_context():
        assert jobs.sweep_updates()["enqueued"] == 0  # too young: its job may still come
    _age_updates(world.app)
    with world.app.app_context():
        assert jobs.sweep_updates()["enqueued"] == 1
    world.run_jobs()
    assert "Tôi có thể giúp bạn" in world.tg.texts(CHAT)[-1]
    assert world.updates()[0].processed_at is not None


def test_a_failing_update_is_retried_then_apologised_for(world, monkeypatch):
    import bots.telegram.adapter as adapter

    def broken(incoming):  # noqa: ANN001, ANN202
        raise RuntimeError("bug")

    monkeypatch.setattr(adapter, "handle", broken)
    world.say_tg(CHAT, "xin chào")
    (row,) = world.updates()
    assert (row.attempts, row.error, row.processed_at) == (1, "RuntimeError", None)
    with world.app.app_context():
        assert jobs.process_update(row.id) == "retry_later"
        assert jobs.process_update(row.id) == "failed"
        assert jobs.process_update(row.id) == "skipped"
    assert world.tg.texts(CHAT) == ["Xin lỗi, hệ thống đang bận. Bạn vui lòng thử lại sau ít phút."]


def test_old_updates_are_purged(world):
    world.say_tg(CHAT, "alo")
    with world.app.app_context():
        db.session.execute(update(BotUpdate).values(processed_at=utcnow() - timedelta(days=31)))
        db.session.commit()
        assert jobs.sweep_updates() == {"enqueued": 0, "purged": 1}


def test_state_times_out(world):
    push(world.client, [hoso()])
    world.say_tg(CHAT, f"tra cứu {CODE}")
    conn = world.app.extensions["redis"]
    key = f"bot:state:telegram:{CHAT}"
    assert 0 < conn.ttl(key) <= Settings.bot_state_ttl_seconds
    conn.delete(key)  # half an hour later
    world.say_tg(CHAT, "5987")
    assert "chưa hiểu" in world.tg.texts(CHAT)[-1]  # polite, with the menu


def test_relay_closes_quiet_talks(world):
    push(world.client, [hoso()])
    with world.app.app_context():
        from api.auth.models import Account
        from api.dossiers.models import Dossier

        account = Account(role="citizen", assurance="phone", phone="84912000111")
        db.session.add(account)
        db.session.flush()
        dossier_id = db.session.scalar(select(Dossier.id))
        db.session.add(
            ThreadChat(
                channel="telegram", chat_id=str(CHAT), dossier_id=dossier_id,
                account_id=account.id, last_activity_at=utcnow() - timedelta(days=2),
            )
        )  # fmt: skip
        db.session.commit()
        assert jobs.relay_officer_replies() == {"relayed": 0, "closed": 1}


def test_cli_chat_and_platform_commands(world):
    runner = world.app.test_cli_runner()
    out = runner.invoke(args=["bot", "chat", "--chat-id", "cli-1"], input="xin chào\n/1\n")
    assert out.exit_code == 0, out.output
    assert "Tôi có thể giúp bạn" in out.output and "Bạn cần làm thủ tục gì" in out.output
    out = runner.invoke(
        args=["bot", "telegram-webhook", "https://dvc.example.vn/webhooks/telegram"]
    )
    assert out.exit_code == 0, out.output
    (call,) = world.tg.methods("setWebhook")
    assert call["secret_token"] == "tg-webhook-secret-for-tests"
    assert set(call["allowed_updates"]) == {"message", "callback_query", "my_chat_member"}
    out = runner.invoke(args=["bot", "zalo-token"])
    assert out.exit_code == 0 and "valid until" in out.output and world.zalo.refreshes == 1
    assert "at-" not in out.output and "rt-" not in out.output  # never print tokens


def test_sandbox_chat_page(app, database_url):
    from api.app import create_app
    from tests.conftest import TEST_REDIS_URL, make_settings

    sandbox = create_app(make_settings(database_url, TEST_REDIS_URL, sandbox=True))
    web = sandbox.test_client()
    assert b"SANDBOX" in web.get("/sandbox/chat").data
    r = web.post("/sandbox/chat/send", json={"chat_id": "sandbox-abc123", "text": "xin chào"})
    assert "Tôi có thể giúp bạn" in r.json["replies"][0]["text"]
    r = web.post("/sandbox/chat/send", json={"chat_id": "sandbox-abc123", "data": "f"})
    assert "Bạn cần làm thủ tục gì" in r.json["replies"][0]["text"]
    assert web.post("/sandbox/chat/send", json={"chat_id": "x"}).status_code == 400
    notes = web.get("/sandbox/chat/notifications?chat_id=sandbox-abc123").json
    assert notes == {"items": []}
    assert app.test_client().get("/sandbox/chat").status_code == 404  # only in the sandbox
