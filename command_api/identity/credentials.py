"""Passwords (argon2id) and rotating refresh tokens, kept in the identity schema."""
from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from schemas.refusals import TooManyRequests

SQL = Path(__file__).with_name("credentials.sql")

_hasher = PasswordHasher()  # argon2id with the library's recommended cost parameters
# Verifying against this when the email is unknown keeps the timing the same for both cases.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


# Each argon2 hash takes 64 MiB and a core for a moment: a few at a time per process, and a
# caller waits at most this long for a turn before being told to come back.
ARGON2_IN_PARALLEL = 2
ARGON2_QUEUE_SECONDS = 10
_argon2_slots = asyncio.Semaphore(ARGON2_IN_PARALLEL)


async def _hashing(work):
    try:
        async with asyncio.timeout(ARGON2_QUEUE_SECONDS):
            await _argon2_slots.acquire()
    except TimeoutError:
        raise TooManyRequests("busy", "too many sign-ins at once; try again in a moment",
                              retry_after=2) from None
    try:
        return await asyncio.to_thread(work)
    finally:
        _argon2_slots.release()


async def hash_password(password: str) -> str:
    return await _hashing(lambda: _hasher.hash(password))


async def password_matches(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and \
                password_hash is not None
        except (VerificationError, InvalidHashError):
            return False
    return await _hashing(verify)


async def find_login(pool: asyncpg.Pool, email: str) -> tuple[str, str] | None:
    """(user_id, password_hash) for an email, case-insensitively."""
    row = await pool.fetchrow("SELECT user_id, password_hash FROM identity.credentials "
                              "WHERE lower(email) = lower($1)", email)
    return (row["user_id"], row["password_hash"]) if row else None


async def password_hash_of(pool: asyncpg.Pool, user_id: str) -> str | None:
    return await pool.fetchval(
        "SELECT password_hash FROM identity.credentials WHERE user_id = $1", user_id)


def store_credentials(user_id: str, email: str, password_hash: str):
    """A write for the event store's transaction: the account and its password commit together."""
    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute(
            "INSERT INTO identity.credentials (user_id, email, password_hash) VALUES ($1, $2, $3)",
            user_id, email, password_hash)
    return write


def replace_password(user_id: str, password_hash: str):
    async def write(conn: asyncpg.Connection) -> None:
        await conn.execute("UPDATE identity.credentials SET password_hash = $2, updated_at = now() "
                           "WHERE user_id = $1", user_id, password_hash)
        # A new password signs out every other session.
        await conn.execute("UPDATE identity.refresh_tokens SET revoked_at = now() "
                           "WHERE user_id = $1 AND revoked_at IS NULL", user_id)
    return write


# --- refresh tokens --------------------------------------------------------------------------

def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@dataclass(frozen=True)
class RefreshOutcome:
    user_id: str | None
    token: str | None
    reason: str | None = None  # why it was refused
    family_id: UUID | None = None  # the session the new token continues





async def issue_refresh_token(pool: asyncpg.Pool, user_id: str, days: int,
                              family_id: UUID | None = None,
                              conn: asyncpg.Connection | None = None) -> str:
    token = secrets.token_urlsafe(32)
    await (conn or pool).execute(
        "INSERT INTO identity.refresh_tokens (token_hash, family_id, user_id, expires_at) "
        "VALUES ($1, $2, $3, $4)",
        _digest(token), family_id or uuid4(), user_id,
        datetime.now(timezone.utc) + timedelta(days=days))
    return token


async def rotate_refresh_token(pool: asyncpg.Pool, token: str, days: int,
                               reuse_grace: timedelta = timedelta(seconds=10)) -> RefreshOutcome:
    """Spend a refresh token for a new one in the same family; detect reuse. Two tabs
    refreshing with the same token at once is not theft: a token spent within
    ``reuse_grace`` is honoured again (a new token in the same family)."""
    async with pool.acquire() as conn:
        async with conn.transaction():
            row = await conn.fetchrow(
                "SELECT family_id, user_id, expires_at, used_at, revoked_at "
                "FROM identity.refresh_tokens WHERE token_hash = $1 FOR UPDATE", _digest(token))
            if row is None:
                return RefreshOutcome(None, None, "unknown refresh token")
            if row["revoked_at"] is not None:
                return RefreshOutcome(None, None, "refresh token revoked")
            now = datetime.now(timezone.utc)
            if row["used_at"] is not None and now - row["used_at"] <= reuse_grace \
                    and row["expires_at"] > now:
                new = await issue_refresh_token(pool, row["user_id"], days, row["family_id"],
                                                conn)
                return RefreshOutcome(row["user_id"], new, family_id=row["family_id"])
            if row["used_at"] is not None:
                # Reuse of a spent token: someone else holds this family. Revoke all of it.
                await conn.execute("UPDATE identity.refresh_tokens SET revoked_at = now() "
                                   "WHERE family_id = $1 AND revoked_at IS NULL",
                                   row["family_id"])
                return RefreshOutcome(None, None, "refresh token reused; session revoked")
            if row["expires_at"] <= datetime.now(timezone.utc):
                return RefreshOutcome(None, None, "refresh token expired")
            await conn.execute("UPDATE identity.refresh_tokens SET used_at = now() "
                               "WHERE token_hash = $1", _digest(token))
            new = await issue_refresh_token(pool, row["user_id"], days, row["family_id"], conn)
            return RefreshOutcome(row["user_id"], new, family_id=row["family_id"])


async def family_of(pool: asyncpg.Pool, token: str, user_id: str) -> UUID | None:
    """The session (refresh-token family) of one of this user's refresh tokens."""
    return await pool.fetchval("SELECT family_id FROM identity.refresh_tokens "
                               "WHERE token_hash = $1 AND user_id = $2", _digest(token), user_id)


async def revoke_family(pool: asyncpg.Pool, family_id: UUID, user_id: str) -> None:
    await pool.execute("UPDATE identity.refresh_tokens SET revoked_at = now() "
                       "WHERE family_id = $1 AND user_id = $2 AND revoked_at IS NULL",
                       family_id, user_id)


async def revoke_all(pool: asyncpg.Pool, user_id: str) -> None:
    await pool.execute("UPDATE identity.refresh_tokens SET revoked_at = now() "
                       "WHERE user_id = $1 AND revoked_at IS NULL", user_id)
