"""Read model ``read_models.users``: accounts as admins search them (PostgreSQL)."""
from __future__ import annotations

import asyncpg

from eventlog.projection import PostgresProjection
from schemas.envelope import RecordedEvent, topic_for
from schemas.events.identity import (UserDisabled, UserEnabled, UserProfileUpdated,
                                     UserRegistered, UserRoleChanged)

DDL = """
CREATE TABLE IF NOT EXISTS users (
    user_id       text        PRIMARY KEY,
    email         text        NOT NULL,
    name          text        NOT NULL,
    role          text        NOT NULL,
    disabled      boolean     NOT NULL DEFAULT false,
    registered_at timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    version       integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS users_role ON users (role, lower(name));
CREATE INDEX IF NOT EXISTS users_email ON users (lower(email));
"""


async def apply(conn: asyncpg.Connection, event: RecordedEvent) -> None:
    e, env = event.payload, event.envelope
    # Every update is guarded by the stream version: a redelivered event changes nothing.
    guard = "WHERE user_id = $1 AND version < $2"
    match e:
        case UserRegistered():
            await conn.execute(
                "INSERT INTO users (user_id, email, name, role, registered_at, updated_at, "
                "version) VALUES ($1, $2, $3, $4, $5, $5, $6) ON CONFLICT (user_id) DO NOTHING",
                e.user_id, e.email, e.name, e.role, env.occurred_at, env.stream_version)
        case UserProfileUpdated():
            await conn.execute(f"UPDATE users SET name = $3, updated_at = $4, version = $2 {guard}",
                               e.user_id, env.stream_version, e.name, env.occurred_at)
        case UserRoleChanged():
            await conn.execute(f"UPDATE users SET role = $3, updated_at = $4, version = $2 {guard}",
                               e.user_id, env.stream_version, e.new_role, env.occurred_at)
        case UserDisabled() | UserEnabled():
            await conn.execute(
                f"UPDATE users SET disabled = $3, updated_at = $4, version = $2 {guard}",
                e.user_id, env.stream_version, isinstance(e, UserDisabled), env.occurred_at)
        case _:
            # Other identity events (a password change) move the version only.
            await conn.execute(f"UPDATE users SET version = $2 {guard}",
                               env.stream_id.removeprefix("user-"), env.stream_version)


projection = PostgresProjection(
    name="users", topics=(topic_for("identity"),), tables=("users",), ddl=DDL, apply=apply)
