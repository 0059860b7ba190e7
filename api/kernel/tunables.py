"""Tunable numbers and names that are not (yet) fields of ``Settings``.

Lookup order: a ``Settings`` field of that name (once the lead adds one, its environment
variable works), then ``settings.extra[name]`` (tests and embedders), then the default.
"""

from __future__ import annotations

from typing import TypeVar

from flask import current_app

T = TypeVar("T")


def tunable(name: str, default: T) -> T:
    settings = current_app.extensions["settings"]
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = settings.extra.get(name)
    if value in (None, ""):
        return default
    # Environment values arrive as strings; keep the default's type.
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes"}
    if isinstance(default, (int, float)) and not isinstance(value, (int, float)):
        return type(default)(value)
    return value
