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
