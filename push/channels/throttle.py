"""Per-channel send rate shared by all workers (provider quotas): a token bucket in Redis.

Each channel's bucket holds at most a second's worth of sends and refills at the channel's
quota (settings.channel_quota); taking and refilling happen in one Lua script, so workers
on any number of machines never overdraw it between them.
"""

from __future__ import annotations

import logging
import time

import redis
from flask import current_app

log = logging.getLogger(__name__)

# KEYS[1] bucket; ARGV rate/s, capacity, now (s), wanted → {granted, seconds until one more}
_TAKE = """
local rate, capacity = tonumber(ARGV[1]), tonumber(ARGV[2])
local now, wanted = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or capacity
local at = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate)
local granted = math.min(wanted, math.floor(tokens))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
redis.call('EXPIRE', KEYS[1], math.ceil(capacity / rate) + 60)
local wait = 0
if granted < wanted then wait = (1 - tokens) / rate end
return {granted, tostring(wait)}
"""


def take_many(channel: str, wanted: int, now: float | None = None) -> tuple[int, float]:
    """Take up to ``wanted`` sends from the channel's bucket: (granted, seconds until the next
    one may go). Without Redis everything is granted: the quota guard must not stop delivery
    when Redis blinks (providers answer an overdraw with 429, which is retried)."""
    if wanted <= 0:
        return 0, 0.0
    rate = current_app.extensions["settings"].channel_quota(channel)
    connection = current_app.extensions["redis"]
    try:
        granted, wait = connection.register_script(_TAKE)(
            keys=[f"throttle:{channel}"],
            args=[rate, rate, time.time() if now is None else now, wanted],
        )
    except redis.RedisError as exc:
        log.warning("throttle_unavailable", extra={"error": type(exc).__name__})
        return wanted, 0.0
    return int(granted), max(float(wait), 0.0 if int(granted) == wanted else 0.05)
