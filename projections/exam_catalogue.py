"""Read model ``read_models.exam_catalogue``: the list of exams to filter, sort and page
(PostgreSQL). Deleted drafts stay as rows with status 'deleted' so a redelivered older event
can never bring them back."""
from __future__ import annotations

import asyncpg

from eventlog.projection import PostgresProjection
from schemas.envelope import RecordedEvent, topic_for
from schemas.events.exam import ExamDeleted, ExamDrafted, ExamPublished, ExamUpdated

DDL = """
CREATE TABLE IF NOT EXISTS exam_catalogue (
    exam_id          text        PRIMARY KEY,
    teacher_id       text        NOT NULL,
    title            text        NOT NULL,
    status           text        NOT NULL,
    duration_minutes integer     NOT NULL,
    window_opens_at  timestamptz,
    window_closes_at timestamptz,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    published_at     timestamptz,
    version          integer     NOT NULL,
    -- When the read model caught up with the event: command-to-read lag for the benchmark.
    projected_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX IF NOT EXISTS exam_catalogue_status_window
    ON exam_catalogue (status, window_opens_at);
CREATE INDEX IF NOT EXISTS exam_catalogue_teacher ON exam_catalogue (teacher_id, status);
"""

_GUARD = "WHERE exam_id = $1 AND version < $2"


async def apply(conn: asyncpg.Connection, event: RecordedEvent) -> None:
    e, env = event.payload, event.envelope
    v, at = env.stream_version, env.occurred_at
    match e:
        case ExamDrafted():
            await conn.execute(
                "INSERT INTO exam_catalogue (exam_id, teacher_id, title, status, duration_minutes,"
                " window_opens_at, window_closes_at, created_at, updated_at, version) "
                "VALUES ($1, $2, $3, 'draft', $4, $5, $6, $7, $7, $8) "
                "ON CONFLICT (exam_id) DO NOTHING",
                e.exam_id, e.teacher_id, e.title, e.duration_minutes, e.window_opens_at,
                e.window_closes_at, at, v)
        case ExamUpdated():
            await conn.execute(
                "UPDATE exam_catalogue SET title = $3, duration_minutes = $4, "
                "window_opens_at = $5, window_closes_at = $6, updated_at = $7, version = $2, "
                f"projected_at = clock_timestamp() {_GUARD}",
                e.exam_id, v, e.title, e.duration_minutes, e.window_opens_at,
                e.window_closes_at, at)
        case ExamPublished():
            await conn.execute(
                "UPDATE exam_catalogue SET status = 'published', published_at = $3, "
                f"updated_at = $4, version = $2, projected_at = clock_timestamp() {_GUARD}",
                e.exam_id, v, e.published_at, at)
        case ExamDeleted():
            await conn.execute(
                "UPDATE exam_catalogue SET status = 'deleted', updated_at = $3, version = $2, "
                f"projected_at = clock_timestamp() {_GUARD}", e.exam_id, v, at)


projection = PostgresProjection(name="exam_catalogue", topics=(topic_for("exam"),),
                                tables=("exam_catalogue",), ddl=DDL, apply=apply)
