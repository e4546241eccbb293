"""Fixed-window counters in Redis that hold under concurrency.

Reading a counter and writing it back later lets every concurrent request read the
same number; here one MULTI/EXEC block creates the key with its expiry if it is new
(SET NX EX) and increments it (INCR keeps the expiry), so each request gets its own
count. A request that turns out not to count (the form was invalid) gives its slot
back with `release`.
"""

from __future__ import annotations

from django.core.cache import cache
from django_redis import get_redis_connection


def _key(name: str) -> str:
    return cache.make_key(f"ratelimit:{name}")


def reserve(name: str, *, limit: int, window_seconds: int) -> bool:
    """Take one slot of `limit` in the current window of `name`; False when none is left."""
    key = _key(name)
    pipe = get_redis_connection("default").pipeline(transaction=True)
    pipe.set(key, 0, ex=window_seconds, nx=True)
    pipe.incr(key)
    _, count = pipe.execute()
    return count <= limit


def release(name: str) -> None:
    """Give back a slot taken by `reserve` (never below zero)."""
    key = _key(name)
    connection = get_redis_connection("default")
    connection.eval(
        "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then "
        "return redis.call('DECR', KEYS[1]) end return 0",
        1,
        key,
    )
