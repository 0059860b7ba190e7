"""In-process events inside the caller's transaction: a lower domain announces what happened,
higher domains react, and the lower one never imports them (docs/architecture.md).

A domain declares the kinds it announces; higher domains subscribe at app start (their
``init_app``). Handlers write rows in the caller's session and never commit: the request or job
that made the change owns the transaction. Work that must survive a crash or reach a worker
goes through the outbox (``api.kernel.outbox``) or the job port (``api.kernel.jobs``) instead.

``announce`` tells the subscribers; ``collect`` also gathers what they give back (the
notifications they made, an answer to a question), for an announcer that must act on it.
A kind declared ``required`` has to have a subscriber: announcing it to nobody is a wiring
mistake (a sign-in code that would reach no phone), so it raises instead of passing quietly.
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[..., object]

_declared: set[str] = set()
_required: set[str] = set()
_handlers: dict[str, list[Handler]] = {}


class UnknownEventKind(LookupError):
    """An event kind no domain declared: a typo or a missing ``declare``, never silently dropped."""


class NoSubscriber(LookupError):
    """A required kind announced before any domain subscribed to it (a missing ``init_app``)."""


def declare(kind: str, *, required: bool = False) -> str:
    """Declare a kind the calling domain announces; returns the kind. ``required``: announcing
    it with no subscriber raises ``NoSubscriber``."""
    _declared.add(kind)
    if required:
        _required.add(kind)
    _handlers.setdefault(kind, [])
    return kind


def subscribe(kind: str, handler: Handler) -> None:
    """Run ``handler(**payload)`` whenever ``kind`` is announced (once, however often called)."""
    handlers = _subscribed(kind)
    if handler not in handlers:
        handlers.append(handler)


def announce(kind: str, **payload: object) -> None:
    """Tell every subscriber, in subscription order, inside the current transaction."""
    for handler in _listeners(kind):
        handler(**payload)


def collect(kind: str, **payload: object) -> list:
    """Like ``announce``, and gather what the handlers return: each gives a list (or None for
    nothing), joined in subscription order."""
    gathered: list = []
    for handler in _listeners(kind):
        result = handler(**payload)
        if result is not None:
            gathered.extend(_as_list(result))
    return gathered


def subscribers(kind: str) -> list[Handler]:
    return list(_subscribed(kind))


def _subscribed(kind: str) -> list[Handler]:
    if kind not in _declared:
        raise UnknownEventKind(kind)
    return _handlers[kind]


def _listeners(kind: str) -> list[Handler]:
    handlers = _subscribed(kind)
    if not handlers and kind in _required:
        raise NoSubscriber(kind)
    return list(handlers)  # a handler that subscribes another does not change this round


def _as_list(result: object) -> list:
    if isinstance(result, list | tuple):
        return list(result)
    raise TypeError(f"an event handler returns a list or None, not {type(result).__name__}")
