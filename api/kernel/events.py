"""In-process events inside the caller's transaction: a lower domain announces what happened,
higher domains react, and the lower one never imports them (docs/architecture.md).

A domain declares the kinds it announces; higher domains subscribe at app start (their
``init_app``). Handlers write rows in the caller's session and never commit: the request or job
that made the change owns the transaction. Work that must survive a crash or reach a worker
goes through the outbox (``api.kernel.outbox``) or the job port (``api.kernel.jobs``) instead.
"""

from __future__ import annotations

from collections.abc import Callable

Handler = Callable[..., None]

_declared: set[str] = set()
_handlers: dict[str, list[Handler]] = {}


class UnknownEventKind(LookupError):
    """An event kind no domain declared: a typo or a missing ``declare``, never silently dropped."""


def declare(kind: str) -> str:
    """Declare a kind the calling domain announces; returns the kind."""
    _declared.add(kind)
    _handlers.setdefault(kind, [])
    return kind


def subscribe(kind: str, handler: Handler) -> None:
    """Run ``handler(**payload)`` whenever ``kind`` is announced (once, however often called)."""
    if kind not in _declared:
        raise UnknownEventKind(kind)
    handlers = _handlers[kind]
    if handler not in handlers:
        handlers.append(handler)


def announce(kind: str, **payload: object) -> None:
    """Tell every subscriber, in subscription order, inside the current transaction."""
    if kind not in _declared:
        raise UnknownEventKind(kind)
    for handler in _handlers[kind]:
        handler(**payload)


def subscribers(kind: str) -> list[Handler]:
    if kind not in _declared:
        raise UnknownEventKind(kind)
    return list(_handlers[kind])
