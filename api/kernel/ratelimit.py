"""Redis-backed rate limits (per phone, per IP, per account...), answered with 429 + Retry-After.

Fixed windows with INCR/EXPIRE in one pipeline: cheap, and exact enough for abuse control.
If Redis is down, limits fail closed for sign-in attempts: we would rather say "try again
shortly" than let a brute force through.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

import redis
from flask import current_app

from api.kernel.errors import ApiError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    name: str
    max_hits: int
    window_seconds: int


def _key(limit: Limit, subject: str) -> str:
    # Subjects are phones, IPs or ids: hash them so Redis holds no personal numbers.
    digest = hashlib.sha256(subject.encode()).hexdigest()[:32]
    return f"rl:{limit.name}:{digest}"


def hit(limit: Limit, subject: str, connection: redis.Redis | None = None) -> None:
    """Count one attempt; raise 429 with Retry-After once the window is full."""
    conn = connection or current_app.extensions["redis"]
    key = _key(limit, subject)
    try:
        pipe = conn.pipeline()
        pipe.incr(key)
        pipe.expire(key, limit.window_seconds, nx=True)
        pipe.ttl(key)
        count, _, ttl = pipe.execute()
    except redis.RedisError as exc:
        log.error(
            "rate_limit_unavailable", extra={"limit": limit.name, "error": type(exc).__name__}
        )
        raise ApiError(503, "service_unavailable", headers={"Retry-After": "30"}) from exc
    if count > limit.max_hits:
        retry = max(int(ttl), 1)
        raise ApiError(429, "too_many_requests", headers={"Retry-After": str(retry)})


def blocked_for(limit: Limit, subject: str, connection: redis.Redis | None = None) -> int:
    """Seconds left if ``subject`` is over ``limit`` now, else 0 (does not count a hit)."""
    conn = connection or current_app.extensions["redis"]
    key = _key(limit, subject)
    try:
        count = int(conn.get(key) or 0)
        return max(int(conn.ttl(key)), 1) if count >= limit.max_hits else 0
    except redis.RedisError as exc:
        raise ApiError(503, "service_unavailable", headers={"Retry-After": "30"}) from exc


def reset(limit: Limit, subject: str, connection: redis.Redis | None = None) -> None:
    conn = connection or current_app.extensions["redis"]
    try:
        conn.delete(_key(limit, subject))
    except redis.RedisError:
        log.warning("rate_limit_reset_failed", extra={"limit": limit.name})
