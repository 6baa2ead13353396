"""Read model ``read_models.exam_catalogue``: the list of exams to filter, sort and page
(PostgreSQL). Deleted drafts stay as rows with status 'deleted' so a redelivered older event
can never bring them back."""
from __future__ import annotations

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.exam import (EXAM, ExamDeleted, ExamDrafted, ExamPublished, ExamStatus,
                                 ExamUpdated)

EXAM_CATALOGUE = Table("exam_catalogue", key="exam_id", ddl="""
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
    version          integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS exam_catalogue_status_window
    ON exam_catalogue (status, window_opens_at);
CREATE INDEX IF NOT EXISTS exam_catalogue_teacher ON exam_catalogue (teacher_id, status);
""")


def evolve(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    match e:
        case ExamDrafted():
            return {"exam_id": e.exam_id, "teacher_id": e.teacher_id, "title": e.title,
                    "status": ExamStatus.DRAFT.value, "duration_minutes": e.duration_minutes,
                    "window_opens_at": e.window_opens_at, "window_closes_at": e.window_closes_at,
                    "created_at": at, "updated_at": at, "published_at": None}
    if row is None:
        return None  # an exam this read model never saw drafted
    match e:
        case ExamUpdated():
            return {**row, "title": e.title, "duration_minutes": e.duration_minutes,
                    "window_opens_at": e.window_opens_at, "window_closes_at": e.window_closes_at,
                    "updated_at": at}
        case ExamPublished():
            return {**row, "status": ExamStatus.PUBLISHED.value, "published_at": e.published_at,
                    "updated_at": at}
        case ExamDeleted():
            return {**row, "status": ExamStatus.DELETED.value, "updated_at": at}
    return None


projection = PostgresProjection(
    name="exam_catalogue", sources=(EXAM,), table=EXAM_CATALOGUE,
    key_of=lambda event: event.payload.exam_id, evolve=evolve)
