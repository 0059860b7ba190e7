"""Job functions. Each runs inside the app context and calls the same services as the API."""

from __future__ import annotations


def ping(value: str = "pong") -> str:
    """A trivial job: the reference the benchmarks compare real jobs against."""
    return value
