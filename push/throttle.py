"""Per-channel send rate shared by all workers (provider quotas): a Redis counter per second."""

from __future__ import annotations

import logging
import time

import redis
from flask import current_app

log = logging.getLogger(__name__)


def take_many(channel: str, wanted: int) -> tuple[int, float]:
    """Take up to ``wanted`` send slots of this second: (granted, seconds to wait for the rest).

    Slots taken beyond the quota are not given back: the counter only says the second is full.
    """
    if wanted <= 0:
        return 0, 0.0
    settings = current_app.extensions["settings"]
    now = time.time()
    second = int(now)
    key = f"throttle:{channel}:{second}"
    try:
        pipe = current_app.extensions["redis"].pipeline()
        pipe.incrby(key, wanted)
        pipe.expire(key, 2)
        count, _ = pipe.execute()
    except redis.RedisError:
        return wanted, 0.0  # the quota guard must not stop delivery when Redis blinks
    granted = max(0, min(wanted, settings.channel_quota(channel) - (count - wanted)))
    return granted, (0.0 if granted == wanted else max(second + 1 - now, 0.05))
