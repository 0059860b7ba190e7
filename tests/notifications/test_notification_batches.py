"""The pipeline under bursts: events become notifications a batch at a time (once, whatever
is repeated), wake-ups coalesce, deliveries go out in parallel but in order per person, and
what the quota or a provider holds back comes back on its own."""

from __future__ import annotations

import dataclasses
import time

import pytest
from rq.registry import ScheduledJobRegistry
from sqlalchemy import func, select, update

from api.auth.models import Account
from api.dossiers.models import DomainEvent, Dossier, DossierFollow
from api.kernel.database import db
from api.kernel.outbox import wake_relay, wake_up_taken
from push.notifications import dispatch, fanout
from push.notifications import models as m
from tests.helpers.dossiers import RECORD, push
from tests.notifications.test_notifications import fakes, prefer  # noqa: F401 - fixtures

PEOPLE = 12


def code(n: int) -> str:
    return f"000.00.15.H12-251120-{n:04d}"


def owner_id(n: int) -> str:
    return f"0010901{n:05d}"


def records(count: int, status: str = "2", first: int = 0) -> list[dict]:
    return [
        {
            **RECORD,
            "MaHoSo": code(n),
            "SoBienNhan": code(n),
            "SoGiayToChuHoSo": owner_id(n),
            "TrangThaiHoSo": status,
        }
        for n in range(first, first + count)
    ]


@pytest.fixture
def people(app) -> list[int]:
    """PEOPLE citizens, each the applicant of dossier n, preferring SMS."""
    with app.app_context():
        accounts = [
            Account(
                role="citizen", assurance="vneid", personal_id=owner_id(n), phone=f"849123{n:05d}"
            )
            for n in range(PEOPLE)
        ]
        db.session.add_all(accounts)
        db.session.commit()
        ids = [a.id for a in accounts]
    for account_id in ids:
        prefer(app, account_id, ["sms"])
    return ids


def pending_events(app) -> int:
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(DomainEvent).where(DomainEvent.processed_at.is_(None))
        )


def test_a_burst_becomes_one_notification_per_person_and_event_once(client, app, people):
    push(client, records(PEOPLE))
    with app.app_context():
        dossier = {d.code: d.id for d in db.session.scalars(select(Dossier))}
        # Person 0 also follows dossier 1; person 1 (its owner) follows it too; a Telegram chat
        # follows dossier 2 without an account; person 3's account is closed.
        db.session.add_all(
            [
                DossierFollow(dossier_id=dossier[code(1)], account_id=people[0]),
                DossierFollow(dossier_id=dossier[code(1)], account_id=people[1]),
                DossierFollow(dossier_id=dossier[code(2)], chat_channel="telegram", chat_id="77"),
            ]
        )
        db.session.execute(update(Account).where(Account.id == people[3]).values(active=False))
        db.session.commit()
        relayed = fanout.relay()
        assert relayed.events == PEOPLE
        rows = db.session.execute(
            select(m.Notification.account_id, m.Notification.chat_id, m.Notification.dossier_id)
        ).all()
        mine = sorted((a, d) for a, _, d in rows if a is not None)
        expected = sorted(
            [(people[n], dossier[code(n)]) for n in range(PEOPLE) if n != 3]
            + [(people[0], dossier[code(1)])]
        )
        assert mine == expected  # the owner who also follows hears once; the closed account not
        assert [(c, d) for a, c, d in rows if a is None] == [("77", dossier[code(2)])]
        assert sorted(relayed.notification_ids) == sorted(
            db.session.scalars(select(m.Notification.id)).all()
        )
        # A crash after the commit, or a repeated event, makes nothing twice.
        db.session.execute(update(DomainEvent).values(processed_at=None))
        db.session.commit()
        again = fanout.relay()
        assert again.events == PEOPLE and again.notification_ids == []
        assert db.session.scalar(select(func.count()).select_from(m.Notification)) == len(rows)


def test_the_relay_drains_everything_in_batches(client, app, people, monkeypatch):
    """Batches smaller than the burst, the first ones making no notification at all (nobody
    has an account for those dossiers): the run still goes on until the outbox is empty."""
    from workers.tasks.jobs import process_domain_events

    monkeypatch.setattr(fanout, "BATCH", 5)
    push(client, records(15, first=100))  # dossiers of people without an account
    push(client, records(PEOPLE))
    assert pending_events(app) == 15 + PEOPLE
    with app.app_context():
        done = process_domain_events()
    assert done == {"notifications": PEOPLE}
    assert pending_events(app) == 0


def test_wake_ups_coalesce_while_one_waits(app):
    from api.kernel.jobs import get_queue

    with app.app_context():
        queue = get_queue("urgent")
        queue.empty()
        wake_up_taken()
        for _ in range(5):
            wake_relay()
        assert queue.count == 1  # a burst of commits: one run, which will see them all
        wake_up_taken()  # that run started: later commits need a new one
        wake_relay()
        assert queue.count == 2
        queue.empty()
        wake_up_taken()


def test_parallel_across_people_in_order_for_each(client, app, fakes, people):  # noqa: F811
    few = 4  # all could be in flight at once
    push(client, records(few))
    push(client, records(1, status="4"))  # person 0 hears of two changes, in this order
    fakes["sms"].hold = 0.1
    with app.app_context():
        ids = fanout.process_pending_events()
        assert len(ids) == few + 1
        counts = dispatch.deliver_batch(ids)
    assert counts == {"skipped": 0, "sent": few + 1}
    sms = fakes["sms"]
    assert sms.peak_in_flight > 1  # different people at once
    assert sms.peak_in_flight_per_phone == 1  # one person's messages one after the other
    first_person = [s["message"] for s in sms.sent if s["phone"] == "84912300000"]
    assert len(first_person) == 2
    assert "tiep nhan" in first_person[0].lower() and "tiep nhan" not in first_person[1].lower()


def test_over_the_quota_comes_back_by_itself(client, app, fakes, people):  # noqa: F811
    settings = app.extensions["settings"]
    app.extensions["settings"] = dataclasses.replace(
        settings, channel_rate_per_second=1000, channel_rates="email=2, sms=4"
    )
    try:
        push(client, records(PEOPLE))
        with app.app_context():
            ids = fanout.process_pending_events()
            counts = dispatch.deliver_batch(ids)
            assert counts["sent"] + counts["throttled"] == PEOPLE
            assert 1 <= counts["sent"] <= 8  # this second's quota, perhaps the next one's
            held = db.session.scalars(
                select(m.Notification.id).where(m.Notification.status == m.PENDING)
            ).all()
            assert len(held) == counts["throttled"]
            # Not left for the sweeper's next minute: a delayed job holds exactly those.
            registry = ScheduledJobRegistry("default", connection=app.extensions["redis"])
            scheduled = [
                registry.job_class.fetch(i, connection=registry.connection)
                for i in registry.get_job_ids()
            ]
            waiting = sorted(i for job in scheduled for i in job.args[0])
            assert waiting == sorted(held)
            for job in scheduled:
                registry.remove(job, delete_job=True)
    finally:
        app.extensions["settings"] = settings


def test_told_to_wait_comes_back_by_itself(client, app, fakes, people):  # noqa: F811
    fakes["sms"].fail(1, status=429)
    push(client, records(1))
    with app.app_context():
        ids = fanout.process_pending_events()
        assert dispatch.deliver_batch(ids) == {"skipped": 0, "retry_later": 1}
        registry = ScheduledJobRegistry("default", connection=app.extensions["redis"])
        jobs = [
            registry.job_class.fetch(i, connection=registry.connection)
            for i in registry.get_job_ids()
        ]
        assert [job.args[0] for job in jobs] == [ids]
        for job in jobs:
            registry.remove(job, delete_job=True)


def test_one_relay_at_a_time(client, app, people):
    """While another worker relays, a second run leaves the outbox to it and returns at once
    (the holder looks again after letting go); once free, a run drains it."""
    from api.kernel.outbox import relay_lock
    from workers.tasks.jobs import process_domain_events

    push(client, records(PEOPLE))
    with app.app_context():
        other = relay_lock()
        assert other.acquire()
        try:
            assert process_domain_events() == {"notifications": 0}
            assert pending_events(app) == PEOPLE
        finally:
            other.release()
        assert process_domain_events() == {"notifications": PEOPLE}
    assert pending_events(app) == 0


def test_channel_quotas_from_the_provider_contracts():
    from api.kernel.settings import Settings

    settings = Settings.from_env(
        {"CHANNEL_RATE_PER_SECOND": "50", "CHANNEL_RATES": "sms=30,zalo=200"}
    )
    assert [settings.channel_quota(c) for c in ("sms", "zalo", "email")] == [30, 200, 50]
    for wrong in ("sms=abc", "sms", "=5", "sms=0"):
        with pytest.raises(ValueError, match="CHANNEL_RATES"):
            Settings.from_env({"CHANNEL_RATES": wrong})


def test_chats_hear_in_their_language_and_once(client, app, people):
    """A chat following a dossier hears in the language it chose with the bot; a chat linked to
    an account that already hears on that channel is not told twice."""
    from api.profile.models import ChatIdentity
    from bots.models import BotChat

    push(client, records(2))
    with app.app_context():
        fanout.relay()
        dossier = {d.code: d.id for d in db.session.scalars(select(Dossier))}
        db.session.add_all(
            [
                BotChat(channel="telegram", chat_id="501", language="en"),
                DossierFollow(dossier_id=dossier[code(0)], chat_channel="telegram", chat_id="501"),
                DossierFollow(dossier_id=dossier[code(0)], chat_channel="telegram", chat_id="502"),
                # Person 1's own chat follows their dossier too; they hear on Telegram...
                ChatIdentity(account_id=people[1], channel="telegram", external_id="503"),
                DossierFollow(dossier_id=dossier[code(1)], chat_channel="telegram", chat_id="503"),
            ]
        )
        db.session.commit()
    prefer(app, people[1], ["telegram"])
    push(client, records(2, status="4"))
    with app.app_context():
        before = db.session.scalar(select(func.max(m.Notification.id)))
        fanout.relay()
        made = db.session.execute(
            select(
                m.Notification.chat_id, m.Notification.account_id, m.Notification.language
            ).where(m.Notification.id > before)
        ).all()
    chats = {chat: language for chat, account, language in made if account is None}
    assert chats == {"501": "en", "502": "vi"}  # nothing for 503: its account hears there
    assert sorted(a for _, a, _ in made if a is not None) == sorted(people[:2])
    # ...but if the account hears by SMS only, the chat that follows hears on Telegram.
    prefer(app, people[1], ["sms"])
    push(client, records(1, status="5", first=1))
    with app.app_context():
        fanout.relay()
        latest = db.session.scalars(
            select(m.Notification.chat_id).where(m.Notification.event == "supplement_requested")
        ).all()
    assert "503" in latest


def test_a_chat_that_blocked_the_bot_stops_following(client, app, fakes, people):  # noqa: F811
    from tests.fakes.telegram_api import blocked

    push(client, records(1))
    with app.app_context():
        fanout.relay()
        dossier_id = db.session.scalar(select(Dossier.id))
        db.session.add(DossierFollow(dossier_id=dossier_id, chat_channel="telegram", chat_id="61"))
        db.session.commit()
    fakes["tg"].fail_next("sendMessage", blocked())
    push(client, records(1, status="4"))
    with app.app_context():
        ids = fanout.process_pending_events()
        dispatch.deliver_batch(ids)
        assert (
            db.session.scalar(select(m.Notification.status).where(m.Notification.chat_id == "61"))
            == m.FAILED
        )
        assert db.session.scalars(select(DossierFollow.chat_id)).all() == []


def test_a_slow_provider_cannot_hold_a_batch_past_its_time(client, app, fakes, people, monkeypatch):  # noqa: F811
    """Past its sending time a batch starts no more calls: what is left goes back to the queue
    (the attempt kept, so its reference is the same when it is sent), well before the job's
    time-out and the claim's end."""
    from api.kernel.jobs import DEFAULT_TIMEOUT as JOB_TIMEOUT
    from push.notifications.claims import CLAIM_RENEW_SECONDS

    # The job ends well within its time-out; its claims are renewed while it runs.
    assert dispatch.SEND_BUDGET_SECONDS + 60 < JOB_TIMEOUT
    assert dispatch.CLAIM.total_seconds() > 2 * CLAIM_RENEW_SECONDS
    monkeypatch.setattr(dispatch, "SEND_BUDGET_SECONDS", 0.15)
    push(client, records(1))
    push(client, records(1, status="4"))
    push(client, records(1, status="5"))  # one person, three messages: one after the other
    fakes["sms"].hold = 0.2
    with app.app_context():
        ids = fanout.process_pending_events()
        ids = [i for i in ids if db.session.get(m.Notification, i).account_id == people[0]]
        assert len(ids) == 3
        assert dispatch.deliver_batch(ids) == {"skipped": 0, "sent": 1, "not_tried_in_time": 2}
        back = db.session.scalars(
            select(m.Notification).where(m.Notification.status == m.PENDING)
        ).all()
        assert sorted(n.id for n in back) == sorted(ids[1:])
        assert all(n.attempts[-1].status == m.SENDING for n in back)
        registry = ScheduledJobRegistry("default", connection=app.extensions["redis"])
        jobs = [
            registry.job_class.fetch(i, connection=registry.connection)
            for i in registry.get_job_ids()
        ]
        assert sorted(i for job in jobs for i in job.args[0]) == sorted(ids[1:])
        for job in jobs:
            registry.remove(job, delete_job=True)
        fakes["sms"].hold = 0.0
        monkeypatch.setattr(dispatch, "SEND_BUDGET_SECONDS", 120.0)
        assert dispatch.deliver_batch(ids[1:]) == {"skipped": 0, "sent": 2}
    assert len(fakes["sms"].sent) == 3 and fakes["sms"].duplicates == 0


def test_urgent_news_goes_in_the_urgent_queue(client, app, people):
    from api.kernel.jobs import get_queue
    from workers.tasks.jobs import process_domain_events

    push(client, records(3))
    push(client, records(2, status="9"))  # results ready (urgent), then rating invitations
    with app.app_context():
        queues = {name: get_queue(name) for name in ("urgent", "default")}
        for queue in queues.values():
            queue.empty()
        process_domain_events()

        def queued(name: str) -> set[str]:
            ids = [i for job in queues[name].jobs for i in job.args[0]]
            return {db.session.get(m.Notification, i).event for i in ids}

        assert queued("urgent") == {"result_ready"}
        assert queued("default") == {"status_changed", "rating_invitation"}
        for queue in queues.values():
            queue.empty()


def test_embedded_worker_moves_delayed_jobs_itself(app):
    """The embedded default cannot use rq's forked scheduler (the Redis stand-in lives in this
    process): its scheduler thread puts due delayed jobs into their queues."""
    from datetime import timedelta

    from rq.scheduler import RQScheduler

    from api.kernel.jobs import QUEUE_NAMES, get_queue
    from workers.tasks.runner import move_due_jobs

    with app.app_context():
        queue = get_queue("default")
        queue.empty()
        job = queue.enqueue_in(timedelta(seconds=-1), "workers.tasks.jobs.ping", "later")
        assert queue.count == 0 and job.id in queue.scheduled_job_registry.get_job_ids()
        move_due_jobs(RQScheduler(list(QUEUE_NAMES), connection=app.extensions["redis"]))
        assert queue.job_ids == [job.id]
        queue.empty()


def test_the_quota_is_a_token_bucket_shared_by_all_workers(app):
    """A second's worth of sends at most at once, refilled at the quota's rate; what is not
    granted says how long until the next send may go."""
    from push.channels.throttle import take_many

    settings = app.extensions["settings"]
    channel, t = f"bucket-test-{time.time_ns()}", 1_000_000.0
    app.extensions["settings"] = dataclasses.replace(settings, channel_rates=f"{channel}=5")
    try:
        with app.app_context():
            assert take_many(channel, 10, now=t) == (5, pytest.approx(0.2))
            assert take_many(channel, 10, now=t + 0.4)[0] == 2  # refilled 0.4 s × 5/s
            granted, wait = take_many(channel, 1, now=t + 0.4)
            assert granted == 0 and wait == pytest.approx(0.2)
            assert take_many(channel, 3, now=t + 60) == (3, 0.0)
            assert take_many(channel, 10, now=t + 60)[0] == 2  # never more than the capacity
    finally:
        app.extensions["settings"] = settings


def test_a_channel_can_have_fewer_calls_in_flight(client, app, fakes, people, monkeypatch):  # noqa: F811
    """SMTP servers take a handful of sessions per client: a channel's calls in flight are
    capped per worker (CHANNEL_CONCURRENCY), the others keep the whole pool."""
    settings = app.extensions["settings"]
    monkeypatch.setattr(dispatch, "_gates", {})
    app.extensions["settings"] = dataclasses.replace(settings, channel_concurrency="sms=2")
    try:
        assert app.extensions["settings"].channel_calls("email") == settings.delivery_threads
        push(client, records(6))
        fakes["sms"].hold = 0.1
        with app.app_context():
            counts = dispatch.deliver_batch(fanout.process_pending_events())
        assert counts == {"skipped": 0, "sent": 6}
        assert fakes["sms"].peak_in_flight == 2
    finally:
        app.extensions["settings"] = settings
    from api.kernel.settings import Settings

    with pytest.raises(ValueError, match="CHANNEL_CONCURRENCY"):
        Settings.from_env({"CHANNEL_CONCURRENCY": "email=many"})


def test_pipeline_figures_for_prometheus(client, app, fakes, people):  # noqa: F811
    """Deliveries by channel and outcome and provider times are counted where they happen;
    /metrics also tells what waits (outbox, due notifications, queues) when scraped."""
    from prometheus_client import REGISTRY

    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    sent = sample("dvc_notification_deliveries_total", channel="sms", outcome="sent")
    calls = sample("dvc_notification_provider_call_seconds_count", channel="sms")
    push(client, records(3))
    body = client.get("/metrics").get_data(as_text=True)
    assert "dvc_outbox_unprocessed_events 3.0" in body
    assert 'dvc_queue_jobs{queue="default"}' in body
    with app.app_context():
        dispatch.deliver_batch(fanout.process_pending_events())
    assert sample("dvc_notification_deliveries_total", channel="sms", outcome="sent") == sent + 3
    assert sample("dvc_notification_provider_call_seconds_count", channel="sms") == calls + 3
    assert sample("dvc_notification_to_provider_seconds_count", channel="sms") >= 3
    body = client.get("/metrics").get_data(as_text=True)
    assert "dvc_outbox_unprocessed_events 0.0" in body


def test_a_worker_can_serve_its_own_figures(app, monkeypatch):
    import socket
    import urllib.request

    from workers.tasks.runner import _serve_metrics

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings = app.extensions["settings"]
    monkeypatch.setitem(
        app.extensions, "settings", dataclasses.replace(settings, worker_metrics_port=port)
    )
    _serve_metrics(app)
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
        assert b"dvc_notification_deliveries_total" in answer.read()


def test_embedded_worker_delivers_a_status_change_end_to_end(client, app, fakes, people):  # noqa: F811
    """Through rq as the embedded default runs it: the push wakes the relay, whose job makes
    the notifications and enqueues their delivery job, which sends them."""
    from api.kernel.jobs import QUEUE_NAMES, all_queues
    from api.kernel.outbox import WAKE_FLAG
    from workers.tasks.runner import ThreadWorker

    with app.app_context():
        for queue in all_queues():
            queue.empty()
    app.extensions["redis"].delete(WAKE_FLAG)
    push(client, records(2))
    worker_class = type("TestThreadWorker", (ThreadWorker,), {"app": app})
    worker = worker_class(list(QUEUE_NAMES), connection=app.extensions["redis"])
    worker.work(burst=True)  # until the queues are empty, jobs enqueued by jobs included
    assert sorted(s["phone"] for s in fakes["sms"].sent) == ["84912300000", "84912300001"]
    assert pending_events(app) == 0
