"""Per-channel send rate shared by all workers (provider quotas): a Redis counter per second."""

from __future__ import annotations

import logging
import time

import redis
from flask import current_app

log = logging.getLogger(__name__)


def take(channel: str) -> float:
    """Take one send slot; 0 if allowed now, else seconds to wait before trying again."""
    settings = current_app.extensions["settings"]
    now = time.time()
    second = int(now)
    key = f"throttle:{channel}:{second}"
    try:
        pipe = current_app.extensions["redis"].pipeline()
        pipe.incr(key)
        pipe.expire(key, 2)
        count, _ = pipe.execute()
    except redis.RedisError:
        return 0.0  # the quota guard must not stop delivery when Redis blinks
    if count > settings.channel_rate_per_second:
        return max(second + 1 - now, 0.05)
    return 0.0
