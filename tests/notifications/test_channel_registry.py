"""A new channel is one class and one registration; an event kind nobody can word fails loudly.

The carrier pigeon below is the whole of a channel: the registry, preferences, chains,
reaching and delivery take it from there, through the worker's real delivery job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import func, select

from api.auth.models import Account
from api.auth.tokens import start_session
from api.dossiers.models import DomainEvent
from api.kernel.database import db
from api.profile.models import ChatIdentity
from push.channels import registry
from push.channels.base import Outcome, SendResult
from push.channels.protocol import Outgoing, Reach, Rendered
from push.notifications import fanout, templates
from push.notifications import models as m
from tests.helpers.common import bearer
from tests.helpers.dossiers import CODE, RECORD, push
from tests.notifications.test_notifications import citizen, notifications  # noqa: F401 - fixtures


@dataclass
class Coop:
    """The pigeons' provider: keeps what was sent."""

    sent: list[dict[str, Any]] = field(default_factory=list)


class PigeonChannel:
    name, name_vi, name_en = "pigeon", "Bồ câu đưa thư", "Carrier pigeon"

    def __init__(self) -> None:
        self.coop = Coop()

    def build(self, settings: Any) -> Coop:
        return self.coop

    def address(self, reach: Reach) -> str | None:
        return reach.chats.get(self.name)

    def render(self, message: Rendered) -> str:
        return message.title

    def send(self, client: Coop, outgoing: Outgoing) -> tuple[str, SendResult]:
        client.sent.append(
            {
                "to": self.address(outgoing.reach),
                "text": self.render(outgoing.message),
                "reference": outgoing.reference,
            }
        )
        return "", SendResult(Outcome.DELIVERED, provider_message_id=f"p-{outgoing.reference}")

    def expects_receipt(self, route: str) -> bool:
        return False


@pytest.fixture
def pigeon(app):
    channel = registry.register(PigeonChannel())
    app.extensions.pop("push_channels", None)  # the clients are built again, the pigeon's too
    yield channel
    registry.unregister(channel.name)
    app.extensions.pop("push_channels", None)


def _run_worker(app) -> None:
    """The delivery as the workers run it: rq jobs, until the queues are empty."""
    from api.kernel.jobs import QUEUE_NAMES
    from workers.tasks.runner import ThreadWorker

    worker_class = type("TestThreadWorker", (ThreadWorker,), {"app": app})
    worker_class(list(QUEUE_NAMES), connection=app.extensions["redis"]).work(burst=True)


def test_a_registered_channel_delivers_end_to_end(client, app, pigeon, citizen):  # noqa: F811
    from api.kernel.jobs import all_queues

    with app.app_context():
        for queue in all_queues():
            queue.empty()
        db.session.add(ChatIdentity(account_id=citizen, channel="pigeon", external_id="coop-7"))
        tokens = start_session(db.session.get(Account, citizen), "vneid").as_dict()
        db.session.commit()
    catalog = client.get("/api/v1/me/notification-preferences", headers=bearer(tokens))
    assert catalog.status_code == 200
    chosen = {"channels": ["pigeon", "sms"], "events": {}, "language": "vi"}
    saved = client.put("/api/v1/me/notification-preferences", json=chosen, headers=bearer(tokens))
    assert saved.status_code == 200, saved.json  # the preferences know the new channel
    push(client, [RECORD])  # the portal's push: outbox, relay job, delivery job
    _run_worker(app)
    assert [(s["to"], CODE in s["text"]) for s in pigeon.coop.sent] == [("coop-7", True)]
    [row] = notifications(app)
    assert row.status == m.DELIVERED and row.delivered_channel == "pigeon"
    assert row.chain == ["pigeon", "sms"]
    assert pigeon.coop.sent[0]["reference"] == str(row.attempts[-1].id)


def test_the_registration_is_undone_after_the_test(client, app):
    assert registry.get("pigeon") is None
    assert "pigeon" not in registry.names()
    with app.app_context():
        from push.notifications.preferences import notification_catalog

        assert "pigeon" not in [c["code"] for c in notification_catalog()["channels"]]


def test_the_registry_holds_the_five_channels_in_their_order():
    assert registry.names() == ["app", "zalo", "telegram", "sms", "email"]
    assert registry.expects_receipt("sms", "") and registry.expects_receipt("zalo", "zns")
    assert not registry.expects_receipt("zalo", "oa") and not registry.expects_receipt("app", "")


def test_an_event_without_a_template_fails_and_its_domain_event_stays_unprocessed(
    client,
    app,
    citizen,  # noqa: F811
    monkeypatch,
):
    push(client, [RECORD])  # a dossier the citizen owns, its first event relayed
    with app.app_context():
        fanout.relay()
    # A status whose notification kind has no words (a kind added without its template).
    monkeypatch.setitem(fanout.EVENT_BY_STATUS, 9, "certificate_issued")
    push(client, [{**RECORD, "TrangThaiHoSo": "9"}])
    with app.app_context():
        waiting = db.session.scalar(
            select(func.count()).select_from(DomainEvent).where(DomainEvent.processed_at.is_(None))
        )
        assert waiting == 1
        with pytest.raises(templates.UnknownNotificationEvent, match="certificate_issued"):
            fanout.relay()
        db.session.rollback()
        still = db.session.scalar(
            select(func.count()).select_from(DomainEvent).where(DomainEvent.processed_at.is_(None))
        )
        assert still == 1  # not marked processed and dropped
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(m.Notification)
                .where(m.Notification.event == "certificate_issued")
            )
            == 0
        )


def test_an_outbox_kind_nobody_handles_stays_unprocessed_and_is_reported(client, app, caplog):
    push(client, [RECORD])  # one handled event (a status change) beside the unknown one
    with app.app_context():
        db.session.add(DomainEvent(kind="dossier.archived", dedupe_key="archived:1", payload={}))
        db.session.commit()
        with caplog.at_level(logging.ERROR, logger="push.notifications.fanout"):
            relayed = fanout.relay()
        assert relayed.events == 1  # the status change, not the unknown kind
        left = db.session.scalars(
            select(DomainEvent.kind).where(DomainEvent.processed_at.is_(None))
        ).all()
        assert left == ["dossier.archived"]  # waits for a handler, never marked processed
        assert any(
            r.message == "domain_event_kind_unhandled" and r.kinds == ["dossier.archived"]
            for r in caplog.records
        )
        assert fanout.events_waiting() is False  # the relay does not spin on it
