"""Database ids as the outside world may give them: whole numbers the integer columns hold.

An absurd number in a URL or a query is then an unknown address (404) or a validation error
(422), never a database overflow (500).
"""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

ID_MAX = 2**31 - 1  # PostgreSQL INTEGER (and what SQLite's driver accepts)


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` in our URLs."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:  # noqa: A002 - werkzeug's
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)

    @staticmethod
    def parameter_schema(converter: IntegerConverter) -> dict:
        """How the OpenAPI document describes it."""
        return {"type": "integer", "format": "int32", "minimum": 0, "maximum": ID_MAX}
