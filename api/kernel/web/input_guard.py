"""One validation layer in front of every route: input no route can use is refused with 422
in the one error format, before any schema, service or database sees it.

Refused: NUL characters (PostgreSQL cannot store them: each one was a 500 and a traceback),
unpaired surrogates (no UTF-8 for them), and JSON nested deeper than any of our documents
(10,000 levels exhausted the parser's recursion). In the path, the query string, form fields
and JSON bodies. Routes that judge the items of a batch one by one (portal pushes) get the
depth check only: one bad record must not refuse the others.
"""

from __future__ import annotations

import json
import logging
import re

from flask import Flask, request

from api.kernel.errors import ApiError
from api.kernel.i18n import register_validation_messages

log = logging.getLogger(__name__)

MAX_JSON_DEPTH = 32
BAD_TEXT = "Contains a character that cannot be stored (NUL or an unpaired surrogate)."
TOO_DEEP = f"JSON nested deeper than {MAX_JSON_DEPTH} levels."
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")
# Batches whose items are judged one by one (each gets its own error).
ITEM_JUDGED_PREFIXES = ("/api/v1/portal/",)

register_validation_messages(
    {
        BAD_TEXT: "Có ký tự không lưu được (ký tự NUL hoặc ký tự đại diện lẻ).",
        TOO_DEEP: f"Dữ liệu JSON lồng nhau quá {MAX_JSON_DEPTH} tầng.",
    }
)


def has_bad_text(value: str) -> bool:
    return _BAD_CHARS.search(value) is not None


def json_problem(data: object, check_text: bool = True) -> tuple[str, str] | None:
    """(where, why) a parsed JSON document cannot be used, or None; ``where`` is the field's
    dotted path ("json" for the document itself). Walks without recursion."""
    stack: list[tuple[object, int, str]] = [(data, 1, "")]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, str):
            if check_text and has_bad_text(value):
                return path or "json", BAD_TEXT
        elif isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                return "json", TOO_DEEP
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{path}.{key}" if path else str(key)
                if check_text and isinstance(key, str) and has_bad_text(key):
                    return "json", BAD_TEXT
                stack.append((item, depth + 1, name[:200]))
    return None


def _refuse(location: str, problem: str) -> ApiError:
    log.info("input_refused", extra={"problem": problem[:40], "path_len": len(request.path)})
    where = location if not has_bad_text(location) else "json"
    return ApiError(422, "validation_failed", errors={where: [problem]})


def check_request() -> None:
    if has_bad_text(request.path):
        raise _refuse("path", BAD_TEXT)
    for location, multi in (("query", request.args), ("form", request.form)):
        for key, values in multi.lists():
            if has_bad_text(key):
                raise _refuse(location, BAD_TEXT)
            if any(has_bad_text(v) for v in values):
                raise _refuse(key[:200], BAD_TEXT)
    if request.is_json and request.content_length != 0:
        raw = request.get_data(cache=True)
        try:
            data = json.loads(raw)
        except RecursionError:
            raise _refuse("json", TOO_DEEP) from None
        except ValueError:
            return  # not JSON: the route's own parsing answers that
        per_item = request.path.startswith(ITEM_JUDGED_PREFIXES)
        problem = json_problem(data, check_text=not per_item)
        if problem:
            raise _refuse(*problem)


def init_input_guard(app: Flask) -> None:
    app.before_request(check_request)
