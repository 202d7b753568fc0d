"""How often one client may do something: a requester write, a console login, a web chat post.

Moving windows from ``limits`` (the rate limiter behind Flask-Limiter and SlowAPI), counted in
this process's memory: with N processes a client gets up to N times the limit. The limits are
written in its notation, e.g. ``20/minute`` or ``20/minute;200/hour``.
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref
from collections.abc import Sequence

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter


def parse_limits(value: str) -> list[RateLimitItem]:
    """``20/minute;200/hour`` -> its limits; ValueError says what is wrong."""
    try:
        items = parse_many(value)
    except ValueError:
        raise ValueError(
            f"{value!r} is not a rate limit: write it as 20/minute, or 20/minute;200/hour"
        ) from None
    if not items:
        raise ValueError("give at least one rate limit, e.g. 20/minute")
    return items


class Throttle:
    """Counts what each key did against every one of ``limits``.

    ``wait_seconds`` then ``count`` is a check and a later hit: hold ``turn(key)`` around both
    (and the work between) so that requests arriving at once cannot all pass the check before
    any is counted.
    """

    def __init__(self, limits: Sequence[RateLimitItem]) -> None:
        self._limits = tuple(limits)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        # A lock per key while anyone holds it; gone with its last holder.
        self._turns: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def turn(self, key: str) -> asyncio.Lock:
        """The lock that makes ``key``'s check, work and count one at a time."""
        lock = self._turns.get(key)
        if lock is None:
            lock = self._turns[key] = asyncio.Lock()
        return lock

    async def wait_seconds(self, *keys: str) -> int:
        """0 when every key is within every limit; else the seconds until all are."""
        wait: float | None = None
        for key in keys:
            for item in self._limits:
                if not await self._limiter.test(item, key):
                    stats = await self._limiter.get_window_stats(item, key)
                    wait = max(wait or 0.0, stats.reset_time - time.time())
        return 0 if wait is None else max(1, math.ceil(wait))

    async def count(self, *keys: str) -> None:
        for key in keys:
            for item in self._limits:
                await self._limiter.hit(item, key)
