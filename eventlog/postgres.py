"""Connection pools, and running idempotent DDL (the event store's is in sql/, applied by
``eventlog.migrate``)."""
from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from settings import Settings

SCHEMA_SQL = Path(__file__).with_name("sql") / "event_store.sql"
# One advisory-lock key for "schema setup": concurrent starts must not race DDL (the same key
# as ``soems db migrate``).
SETUP_LOCK = 7_501_000_001


async def create_pool(s: Settings, min_size: int = 1, max_size: int = 10,
                      reset_sessions: bool = True, role: str | None = None,
                      command_timeout: float | None = 30,
                      server_settings: dict[str, str] | None = None) -> asyncpg.Pool:
    """A connection pool, as a service's own role (``command``, ``relay``, ``projection``,
    ``query``: eventlog/migrate.py says what each may do) or, with no role, as the database's
    administrator (migrations, tests, benchmarks). ``reset_sessions=False`` skips asyncpg's
    reset query (advisory unlock, UNLISTEN, RESET ALL) on every release, a round trip per
    query: for services that never leave session state on a pooled connection (the APIs).
    ``command_timeout`` bounds each statement (None: no bound, for bulk loads);
    ``server_settings`` are PostgreSQL settings for every connection of the pool."""
    return await asyncpg.create_pool(
        **_credentials(s, role), min_size=min_size, max_size=max_size,
        command_timeout=command_timeout, server_settings=server_settings,
        **({} if reset_sessions else {"reset": _keep_session}),
    )


async def connect(s: Settings, role: str | None = None, timeout: float = 10) -> asyncpg.Connection:
    """One connection of its own, as ``create_pool`` makes them (a LISTEN that must outlive
    any request)."""
    return await asyncpg.connect(**_credentials(s, role), timeout=timeout)


def _credentials(s: Settings, role: str | None) -> dict:
    user, password = (s.postgres_user, s.postgres_password) if role is None else \
        (f"soems_{role}", s.postgres_role_password(role))
    return {"host": s.postgres_host, "port": s.postgres_port, "user": user,
            "password": password or None, "database": s.postgres_db}


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to reset but an open transaction (a request cancelled in the middle of one);
    ``is_in_transaction`` is the protocol's own state, no round trip."""
    if conn.is_in_transaction():
        await conn.execute("ROLLBACK")


async def run_sql(pool: asyncpg.Pool, *scripts: str) -> None:
    """Run idempotent DDL scripts, serialised across processes."""
    async with pool.acquire() as conn:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SETUP_LOCK)
            for script in scripts:
                await conn.execute(script)


async def close_pool(pool: asyncpg.Pool, grace: float = 5.0) -> None:
    """Close ``pool`` cleanly, or terminate it when its server went away (a clean close would
    wait for connections that can no longer be released)."""
    try:
        await asyncio.wait_for(pool.close(), grace)
    except (TimeoutError, asyncpg.InterfaceError, asyncpg.PostgresError, OSError):
        pool.terminate()
