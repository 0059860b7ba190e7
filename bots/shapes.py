"""The shapes of the webhook updates we read: a signed update whose fields have the wrong
types (a "message" that is a string, an "attachments" that is a number) is refused with 422
at the door instead of failing later in the adapter with a traceback."""

from __future__ import annotations

from typing import Any

# key → type, or (type, the shape inside it); for a list, the shape of each item.
Shape = dict[str, Any]

_CHAT = {
    "chat": dict,
    "from": dict,
    "text": str,
    "caption": str,
    "contact": dict,
    "document": dict,
    "photo": (list, (dict, None)),
}
_TELEGRAM: Shape = {
    "message": (dict, _CHAT),
    "edited_message": (dict, _CHAT),
    "callback_query": (dict, {"message": (dict, _CHAT), "from": dict, "data": str}),
    "my_chat_member": (dict, {"chat": dict, "new_chat_member": dict}),
}
_ZALO: Shape = {
    "event_name": str,
    "timestamp": (str, int),
    "sender": dict,
    "recipient": dict,
    "follower": dict,
    "info": dict,
    "message": (
        dict,
        {"text": str, "msg_id": (str, int), "attachments": (list, (dict, {"payload": dict}))},
    ),
}


def _types(spec: Any) -> tuple[tuple[type, ...], Any]:
    """A spec → (accepted types, inner shape or None)."""
    if isinstance(spec, type):
        return (spec,), None
    if all(isinstance(s, type) for s in spec):
        return tuple(spec), None
    kind, inner = spec
    return (kind,) if isinstance(kind, type) else tuple(kind), inner


def problem(value: Any, shape: Shape, path: str = "") -> str | None:
    """The first field (dotted path) whose type is wrong, or None."""
    if not isinstance(value, dict):
        return path or "update"
    for key, spec in shape.items():
        if key not in value or value[key] is None:
            continue
        found = _field_problem(value[key], spec, f"{path}{key}")
        if found:
            return found
    return None


def _field_problem(item: Any, spec: Any, path: str) -> str | None:
    kinds, inner = _types(spec)
    if isinstance(item, bool) and bool not in kinds or not isinstance(item, kinds):
        return path
    if inner is None:
        return None
    if isinstance(item, list):
        for index, element in enumerate(item):
            found = _field_problem(element, inner, f"{path}.{index}")
            if found:
                return found
        return None
    return problem(item, inner, f"{path}.")


def telegram_problem(update: dict) -> str | None:
    return problem(update, _TELEGRAM)


def zalo_problem(event: dict) -> str | None:
    return problem(event, _ZALO)
