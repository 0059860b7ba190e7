"""In-process events (api.kernel.events): how a lower domain reaches higher ones without importing them."""

from __future__ import annotations

import pytest

from api.kernel import events


def test_subscribers_hear_an_announcement_in_order_and_once():
    kind = events.declare("test.thing_happened")
    heard: list[tuple[str, int]] = []

    def first(n: int) -> None:
        heard.append(("first", n))

    def second(n: int) -> None:
        heard.append(("second", n))

    events.subscribe(kind, first)
    events.subscribe(kind, second)
    events.subscribe(kind, first)  # a second app start subscribes again: still once
    events.announce(kind, n=7)
    assert heard == [("first", 7), ("second", 7)]


def test_an_undeclared_kind_fails_loudly():
    with pytest.raises(events.UnknownEventKind):
        events.announce("test.never_declared", n=1)
    with pytest.raises(events.UnknownEventKind):
        events.subscribe("test.never_declared", print)


def test_the_quality_domain_hears_dossier_changes(app):
    from api.dossiers import status_hooks
    from api.quality import subscriber

    assert subscriber.on_status_change in events.subscribers(status_hooks.STATUS_CHANGED)
    assert subscriber.on_batch in events.subscribers(status_hooks.BATCH_CHANGED)


def test_collect_gathers_what_the_handlers_give_in_order():
    kind = events.declare("test.asked")

    def none(n: int) -> None:
        return None

    def doubles(n: int) -> list[int]:
        return [n, n * 2]

    def nothing(n: int) -> list[int]:
        return []

    def triple(n: int) -> list[int]:
        return [n * 3]

    for handler in (none, doubles, nothing, triple):
        events.subscribe(kind, handler)
    assert events.collect(kind, n=2) == [2, 4, 6]
    assert events.collect(events.declare("test.asked_nobody"), n=2) == []


def test_a_handler_that_gives_something_else_than_a_list_fails_loudly():
    kind = events.declare("test.asked_wrongly")
    events.subscribe(kind, lambda n: n)
    with pytest.raises(TypeError):
        events.collect(kind, n=1)


def test_a_required_kind_announced_to_nobody_fails_loudly():
    kind = events.declare("test.must_be_heard", required=True)
    with pytest.raises(events.NoSubscriber):
        events.announce(kind, n=1)
    with pytest.raises(events.NoSubscriber):
        events.collect(kind, n=1)
    heard: list[int] = []

    def hear(n: int) -> None:
        heard.append(n)

    events.subscribe(kind, hear)
    events.announce(kind, n=1)
    assert heard == [1]


def test_the_domains_hear_identity_and_the_fan_out(app):
    """Wired in the domains' init_app: a code and a proof always have a listener (required
    kinds), the fan-out's side effects come in the domains' order."""
    from api.auth import announcements as identity
    from api.dossiers import subscriber as dossiers
    from api.messaging import system
    from api.rating import invitation
    from api.support import surveys
    from bots.engine.identity import languages_of
    from push.notifications import subscriber as notifications
    from push.notifications.announcements import CHAT_LANGUAGES, STATUS_NOTIFIED

    assert notifications.send_code in events.subscribers(identity.CODE_TO_SEND)
    assert dossiers.on_phone_proven in events.subscribers(identity.PHONE_PROVEN)
    assert dossiers.on_identity_proven in events.subscribers(identity.IDENTITY_PROVEN)
    side_effects = [
        system.on_status_notified,
        invitation.on_status_notified,
        surveys.on_status_notified,
    ]
    assert [h for h in events.subscribers(STATUS_NOTIFIED) if h in side_effects] == side_effects
    assert languages_of in events.subscribers(CHAT_LANGUAGES)
