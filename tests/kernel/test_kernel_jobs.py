"""The job port (api.kernel.jobs): named tasks on named queues, handed over after the commit."""

from __future__ import annotations

import importlib
import logging

import pytest
import redis
from sqlalchemy import select

from api.kernel import jobs
from api.kernel.database import db
from push.notifications.models import Notification


def _queued(name: str = "default") -> list[tuple[str, tuple]]:
    return [(job.func_name, tuple(job.args)) for job in jobs.get_queue(name).get_jobs()]


def test_every_named_task_is_a_function_a_worker_can_import():
    for name, path in jobs.TASKS.items():
        module, _, attribute = path.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), name


def test_an_unknown_task_or_queue_fails_loudly(app_ctx):
    with pytest.raises(jobs.UnknownTask):
        jobs.enqueue("deliver_notificatons", [1])
    with pytest.raises(jobs.UnknownTask):
        jobs.enqueue("deliver_notifications", [1], queue="fast")
    assert _queued() == []


def test_a_task_waits_for_the_commit(app_ctx):
    jobs.after_commit(db.session(), "deliver_notifications", [41, 42])
    assert _queued() == []  # the rows it reads are not there yet
    db.session.commit()
    assert _queued() == [(jobs.TASKS["deliver_notifications"], ([41, 42],))]
    db.session.commit()  # handed over once, not at every later commit
    assert len(_queued()) == 1


def test_a_rollback_drops_the_task(app_ctx):
    jobs.after_commit(db.session(), "deliver_notifications", [7], queue="urgent")
    db.session.rollback()
    db.session.commit()
    assert _queued("urgent") == []


def test_a_savepoint_does_not_hand_over_early(app_ctx):
    session = db.session()
    with session.begin_nested():
        jobs.after_commit(session, "deliver_notifications", [9])
    assert _queued() == []  # the savepoint is released, the transaction is still open
    session.commit()
    assert _queued() == [(jobs.TASKS["deliver_notifications"], ([9],))]


def test_redis_away_is_logged_and_nothing_is_lost(app_ctx, monkeypatch, caplog):
    def no_redis(name: str = "default"):  # noqa: ANN202
        raise redis.ConnectionError("Redis is away")

    monkeypatch.setattr(jobs, "get_queue", no_redis)
    with caplog.at_level(logging.WARNING, logger="api.kernel.jobs"):
        assert jobs.enqueue("deliver_notifications", [1]) is False
    assert [r.message for r in caplog.records] == ["enqueue_failed_sweeper_will_retry"]
    assert db.session.scalars(select(Notification)).all() == []  # nothing written, nothing lost


def test_the_composed_app_schedules_every_interfaces_periodic_jobs(app):
    from workers.tasks.schedule import periodic_jobs

    names = {func.__name__ for func, _, _ in periodic_jobs(app)}
    # the workers' own and the bots', brought together by the app factory
    assert {"sweep_notifications", "sweep_updates", "relay_officer_replies"} <= names
    assert len(names) == len(periodic_jobs(app))  # each once


def test_a_periodic_job_on_an_unknown_queue_is_refused(app):
    with pytest.raises(jobs.UnknownTask):
        jobs.add_periodic(app, [(print, "someday", {"interval": 60})])
