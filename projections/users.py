"""Read model ``read_models.users``: accounts as admins search them (PostgreSQL)."""
from __future__ import annotations

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.identity import (IDENTITY, UserDisabled, UserEnabled, UserProfileUpdated,
                                     UserRegistered, UserRoleChanged)

USERS = Table("users", key="user_id", ddl="""
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
""")


def evolve(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    if isinstance(e, UserRegistered):
        return {"user_id": e.user_id, "email": e.email, "name": e.name, "role": e.role,
                "disabled": False, "registered_at": at, "updated_at": at}
    if row is None:
        return None
    match e:
        case UserProfileUpdated():
            return {**row, "name": e.name, "updated_at": at}
        case UserRoleChanged():
            return {**row, "role": e.new_role, "updated_at": at}
        case UserDisabled() | UserEnabled():
            return {**row, "disabled": isinstance(e, UserDisabled), "updated_at": at}
    # Other identity events (a password change) move the version only.
    return {**row}


projection = PostgresProjection(
    name="users", sources=(IDENTITY,), table=USERS,
    key_of=lambda event: event.payload.user_id, evolve=evolve)
