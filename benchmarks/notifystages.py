"""Wall time per step of push.dispatch.deliver_one, by wrapping the functions it calls.

Only for benchmarks.notifyprofile's child process: the wrappers replace module attributes
for the duration of ``patched()`` and are removed afterwards; the code measured is unchanged.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from api.extensions import db
from push import dispatch, senders, throttle

# (module, attribute, label): what deliver_one calls, in order.
STEPS = (
    (dispatch, "_claim", "claim (UPDATE + COMMIT)"),
    (throttle, "take", "quota (Redis)"),
    (dispatch, "_reach", "reach (account, devices, chats)"),
    (dispatch, "render", "render template"),
    (senders, "send", "provider call (HTTP)"),
    (dispatch, "_record", "record outcome (2 GET, UPDATEs, COMMIT)"),
    (dispatch, "deliver_one", "deliver_one total"),
)


class Stages:
    def __init__(self) -> None:
        self.seconds: Counter = Counter()
        self.calls: Counter = Counter()

    def _wrap(self, label: str, func: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return func(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started
                self.calls[label] += 1

        return timed

    @contextmanager
    def patched(self) -> Iterator[None]:
        originals = [(module, name, getattr(module, name)) for module, name, _ in STEPS]
        for (module, name, label), (_, _, func) in zip(STEPS, originals, strict=True):
            setattr(module, name, self._wrap(label, func))
        commit = db.session.commit
        db.session.commit = self._wrap("of which COMMITs", commit)
        try:
            yield
        finally:
            for module, name, func in originals:
                setattr(module, name, func)
            del db.session.commit

    def per_item(self, items: int) -> dict[str, float]:
        out = {label: round(self.seconds[label] * 1000 / items, 3) for _, _, label in STEPS}
        named = sum(v for k, v in out.items() if k != "deliver_one total")
        out["rest: load notification, attempt SELECT/INSERT, COMMIT"] = round(
            out["deliver_one total"] - named, 3
        )
        out["of which COMMITs"] = round(self.seconds["of which COMMITs"] * 1000 / items, 3)
        out["COMMITs per delivery"] = round(self.calls["of which COMMITs"] / items, 2)
        return out
