"""Read model ``read_models.users``: accounts as admins search them (PostgreSQL)."""
from __future__ import annotations

from eventlog.projection import Decoded, PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.identity import (IDENTITY, NotificationPreferencesChanged,
                                     PersonalDataErased, UserDisabled, UserEnabled,
                                     UserProfileUpdated, UserRegistered, UserRoleChanged)
from security.personal_data import ERASED, PersonalData, is_sealed
from settings import get_settings

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
-- Whether the person wants a reminder before an exam opens (the notifier reads it).
ALTER TABLE users ADD COLUMN IF NOT EXISTS exam_reminders boolean NOT NULL DEFAULT true;
""")


def evolve(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    if isinstance(e, UserRegistered):
        return {"user_id": e.user_id, "email": e.email, "name": e.name, "role": e.role,
                "disabled": False, "exam_reminders": True, "registered_at": at,
                "updated_at": at}
    if row is None:
        return None
    match e:
        case UserProfileUpdated():
            return {**row, "name": e.name, "updated_at": at}
        case UserRoleChanged():
            return {**row, "role": e.new_role, "updated_at": at}
        case UserDisabled() | UserEnabled():
            return {**row, "disabled": isinstance(e, UserDisabled), "updated_at": at}
        case NotificationPreferencesChanged():
            return {**row, "exam_reminders": e.exam_reminders, "updated_at": at}
        case PersonalDataErased():
            return {**row, "email": ERASED, "name": ERASED, "disabled": True, "updated_at": at}
    # Other identity events (a password change) move the version only.
    return {**row}


_PERSONAL_FIELDS = ("email", "name")


async def reveal(conn, decoded: Decoded) -> Decoded:
    """Open the batch's sealed names and emails (one key query per batch, no key kept past
    it); an erased person's fields read as ERASED, in the live read model and in every
    rebuild."""
    personal = PersonalData(conn, get_settings().personal_data_key)
    wanted = [(i, f) for i, (_, event) in enumerate(decoded) for f in _PERSONAL_FIELDS
              if is_sealed(getattr(event.payload, f, None))]
    if not wanted:
        return decoded
    opened = await personal.reveal_fields([(decoded[i][1].payload.user_id, f,
                                            getattr(decoded[i][1].payload, f))
                                           for i, f in wanted])
    changes: dict[int, dict] = {}
    for (i, f), value in zip(wanted, opened):
        changes.setdefault(i, {})[f] = value
    out = list(decoded)
    for i, update in changes.items():
        message, event = out[i]
        out[i] = (message, event.model_copy(
            update={"payload": event.payload.model_copy(update=update)}))
    return out


projection = PostgresProjection(
    name="users", sources=(IDENTITY,), table=USERS,
    key_of=lambda event: event.payload.user_id, evolve=evolve, reveal=reveal,
    reads_envelope=("occurred_at",))
