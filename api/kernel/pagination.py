"""One pagination style: ``page`` and ``page_size`` in, an envelope with ``total`` out."""

from __future__ import annotations

import math
from dataclasses import dataclass

import marshmallow as ma

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20
# Deep pages of a search are never useful and cost memory; refuse them clearly.
MAX_PAGE = 1000


class PageArgsSchema(ma.Schema):
    page = ma.fields.Integer(
        load_default=1,
        validate=ma.validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "Page number, from 1"},
    )
    page_size = ma.fields.Integer(
        load_default=DEFAULT_PAGE_SIZE,
        validate=ma.validate.Range(min=1, max=MAX_PAGE_SIZE),
        metadata={"description": f"Items per page, 1 to {MAX_PAGE_SIZE}"},
    )


@dataclass(frozen=True)
class Page:
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def page_envelope(items: list, total: int, page: Page, **extra: object) -> dict:
    return {
        "items": items,
        "page": page.page,
        "page_size": page.page_size,
        "total": total,
        "pages": math.ceil(total / page.page_size) if total else 0,
        **extra,
    }


def page_schema(item_schema: type[ma.Schema], name: str, **extra_fields: ma.fields.Field):
    """A response schema for a page of ``item_schema`` (named for the OpenAPI document)."""
    attrs = {
        "items": ma.fields.List(ma.fields.Nested(item_schema)),
        "page": ma.fields.Integer(),
        "page_size": ma.fields.Integer(),
        "total": ma.fields.Integer(),
        "pages": ma.fields.Integer(),
        **extra_fields,
    }
    return type(name, (ma.Schema,), attrs)
