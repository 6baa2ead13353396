"""Throttling of the routes a guesser would hammer (sign-in, registration, refresh, password
checks), in Redis so every API process shares the counts.

Failures back off exponentially per key: the first ``free`` failures cost nothing, then each
one locks the key for 1, 2, 4, ... seconds up to ``cap``. The keys are chosen so that a real
user is never locked out for long by someone else: the steep lock is per (account, client
address); the lock per account alone, from any address, is capped at a short time; and a
client address gets its own allowance whatever the accounts it tries. Locked keys are checked
before any password hash is computed, so a guesser costs the server one Redis round trip.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

from schemas.refusals import TooManyRequests, Unavailable

_PREFIX = "soems:throttle:"


@dataclass(frozen=True)
class BackOff:
    """Failures of one kind of key: how many are free, the longest lock, how long a failure
    is remembered."""

    free: int
    cap_seconds: int
    memory_seconds: int = 15 * 60


# Per (account, address): a guesser at one account from one place.
ACCOUNT_FROM_ADDRESS = BackOff(free=5, cap_seconds=15 * 60)
# Per account from anywhere: slows a spread-out attack, but the owner waits at most 30 s.
ACCOUNT = BackOff(free=20, cap_seconds=30)
# Per address, whatever the account: one place spraying many accounts.
ADDRESS = BackOff(free=50, cap_seconds=15 * 60)


class Throttle:
    def __init__(self, redis: Redis):
        self.redis = redis

    async def check(self, *keys: str) -> None:
        """Refuse (429 with Retry-After) while any of these keys is locked."""
        try:
            locks = await self.redis.mget([f"{_PREFIX}until:{k}" for k in keys])
        except RedisError as exc:
            raise _unavailable(exc) from exc
        now = time.time()
        waits = [float(until) - now for until in locks if until is not None]
        longest = max(waits, default=0)
        if longest > 0:
            raise TooManyRequests("too_many_attempts",
                                  f"too many attempts; try again in {math.ceil(longest)} s",
                                  retry_after=math.ceil(longest))

    async def failed(self, key: str, back_off: BackOff) -> None:
        """Count a failure on ``key``; past the free ones, lock it for the next back-off."""
        try:
            count_key = f"{_PREFIX}failures:{key}"
            async with self.redis.pipeline(transaction=True) as pipe:
                failures, _ = await pipe.incr(count_key).expire(
                    count_key, back_off.memory_seconds).execute()
            if failures > back_off.free:
                delay = min(2 ** (failures - back_off.free - 1), back_off.cap_seconds)
                await self.redis.set(f"{_PREFIX}until:{key}", str(time.time() + delay),
                                     ex=int(delay) + 1)
        except RedisError as exc:
            raise _unavailable(exc) from exc

    async def succeeded(self, *keys: str) -> None:
        try:
            await self.redis.delete(*[f"{_PREFIX}{kind}:{k}" for k in keys
                                      for kind in ("failures", "until")])
        except RedisError as exc:
            raise _unavailable(exc) from exc

    async def count(self, key: str, limit: int, window_seconds: int) -> None:
        """At most ``limit`` requests per ``window_seconds`` on ``key`` (failures or not)."""
        try:
            count_key = f"{_PREFIX}count:{key}"
            async with self.redis.pipeline(transaction=True) as pipe:
                used, _, ttl = await pipe.incr(count_key).expire(
                    count_key, window_seconds, nx=True).ttl(count_key).execute()
        except RedisError as exc:
            raise _unavailable(exc) from exc
        if used > limit:
            wait = max(int(ttl), 1)
            raise TooManyRequests("too_many_requests",
                                  f"too many requests; try again in {wait} s", retry_after=wait)


def _unavailable(exc: Exception) -> Unavailable:
    return Unavailable("throttle_unavailable",
                       f"sign-in is unavailable right now ({type(exc).__name__}); "
                       f"try again in a moment")
