"""Reading the console's form and query values: page numbers, optional codes and the API's
own input schemas."""

from __future__ import annotations

import marshmallow as ma

from api.kernel.errors import ApiError


def page_number(text: str | None) -> int:
    text = text or ""
    return min(int(text), 1000) if text.isdigit() and len(text) < 6 and int(text) > 0 else 1


def int_or_none(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 9 else None


def checked(schema: ma.Schema, data: dict) -> dict:
    """The API's own input rules (lengths, choices) for the form's values: a refusal is the
    API's own 422."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        raise ApiError(422, "validation_failed", errors=error.messages) from error
