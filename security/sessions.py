"""Sessions that end when they should, checked on every request by both APIs (Redis).

An access token names its session (``sid``: the refresh-token family it was issued with) and
the user's session epoch (``sep``) at issue time. Ending one session marks its ``sid`` ended;
ending every session of a user (disable, role change, new password, "sign out everywhere")
replaces the user's epoch, so every token issued before is refused from the next request on,
without waiting for it to expire. One MGET per request.

Redis is the only copy: if it loses the keys, a missing epoch refuses every token of that
user (they sign in again) rather than bringing revoked ones back.
"""
from __future__ import annotations

import secrets

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from schemas.refusals import Unavailable

_EPOCH = "soems:session-epoch:{}"
_ENDED = "soems:session-ended:{}"


class Sessions:
    def __init__(self, redis: Redis, access_token_seconds: int):
        self.redis = redis
        # An ended session's mark must outlive every access token issued for it.
        self.ended_ttl = access_token_seconds + 60

    async def epoch_of(self, user_id: str) -> str:
        """The user's current epoch, made on first use."""
        try:
            key = _EPOCH.format(user_id)
            await self.redis.set(key, secrets.token_hex(8), nx=True)
            return (await self.redis.get(key)).decode()
        except RedisError as exc:
            raise _unavailable(exc) from exc

    async def is_current(self, user_id: str, session_id: str, epoch: str) -> bool:
        try:
            current, ended = await self.redis.mget(_EPOCH.format(user_id),
                                                   _ENDED.format(session_id))
        except RedisError as exc:
            raise _unavailable(exc) from exc
        return current is not None and current.decode() == epoch and ended is None

    async def end(self, session_id: str) -> None:
        """End one session (sign out on this device)."""
        try:
            await self.redis.set(_ENDED.format(session_id), b"1", ex=self.ended_ttl)
        except RedisError as exc:
            raise _unavailable(exc) from exc

    async def end_all(self, user_id: str) -> None:
        """End every session of a user now."""
        try:
            await self.redis.set(_EPOCH.format(user_id), secrets.token_hex(8))
        except RedisError as exc:
            raise _unavailable(exc) from exc


def _unavailable(exc: Exception) -> Unavailable:
    return Unavailable("sessions_unavailable",
                       f"sessions cannot be checked right now ({type(exc).__name__}); "
                       f"try again in a moment")


# Connections each process keeps to Redis. A request past them waits for one (up to the
# timeout) instead of failing: redis-py's default pool refuses outright ("Too many
# connections") once as many commands are in flight, which a thousand students pressing
# Start together reach.
REDIS_CONNECTIONS = 64
REDIS_WAIT_S = 2


def connect_redis(redis_url: str) -> Redis:
    """The Redis client the APIs share for sessions and throttling."""
    # A pooled connection that Redis closed (a restart, a failover) fails its next command;
    # that command is sent again on a new connection instead of failing the request.
    return Redis(connection_pool=BlockingConnectionPool.from_url(
        redis_url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_S, socket_timeout=2,
        socket_connect_timeout=2, retry=Retry(ExponentialBackoff(cap=0.5, base=0.02), 3),
        retry_on_error=[RedisConnectionError, RedisTimeoutError]))
