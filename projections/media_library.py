"""Read model ``read_models.media_library`` (PostgreSQL): every uploaded image and audio file,
its owner, type, size and whether it passed its checks (only stored media are served)."""
from __future__ import annotations

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.media import (MEDIA, MediaRejected, MediaStatus, MediaStored,
                                  MediaUploadOffered)

MEDIA_LIBRARY = Table("media_library", key="media_id", ddl="""
CREATE TABLE IF NOT EXISTS media_library (
    media_id     text        PRIMARY KEY,
    owner_id     text        NOT NULL,
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    object_key   text        NOT NULL,
    status       text        NOT NULL,
    size_bytes   bigint,
    offered_at   timestamptz NOT NULL,
    stored_at    timestamptz,
    version      integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS media_library_owner ON media_library (owner_id, offered_at);
""")


def evolve(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    if isinstance(e, MediaUploadOffered):
        return {"media_id": e.media_id, "owner_id": e.owner_id, "filename": e.filename,
                "content_type": e.content_type, "object_key": e.object_key,
                "status": MediaStatus.OFFERED.value, "size_bytes": None, "offered_at": at,
                "stored_at": None}
    if row is None:
        return None
    match e:
        case MediaStored():
            return {**row, "status": MediaStatus.STORED.value, "size_bytes": e.size_bytes,
                    "stored_at": at}
        case MediaRejected():
            return {**row, "status": MediaStatus.REJECTED.value}
    return None


projection = PostgresProjection(
    name="media_library", sources=(MEDIA,), table=MEDIA_LIBRARY,
    key_of=lambda event: event.payload.media_id, evolve=evolve, reads_envelope=("occurred_at",))
