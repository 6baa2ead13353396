"""Read model ``read_models.question_revisions`` (PostgreSQL): every revision of every bank
question as it was written, for a question's history and for the exams that pin a revision."""
from __future__ import annotations

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.question import QUESTION, QuestionAuthored, QuestionRevised

QUESTION_REVISIONS = Table("question_revisions", key="revision_id", ddl="""
CREATE TABLE IF NOT EXISTS question_revisions (
    revision_id text        PRIMARY KEY,
    question_id text        NOT NULL,
    revision    integer     NOT NULL,
    content     jsonb       NOT NULL,
    written_at  timestamptz NOT NULL,
    written_by  text        NOT NULL,
    version     integer     NOT NULL
);
-- Added with QuestionRevised v2 (no revision was a restore before it).
ALTER TABLE question_revisions ADD COLUMN IF NOT EXISTS restored_from integer;
CREATE UNIQUE INDEX IF NOT EXISTS question_revisions_by_question
    ON question_revisions (question_id, revision);
""")


def revision_key(event: RecordedEvent) -> str | None:
    e = event.payload
    if isinstance(e, QuestionAuthored):
        return f"{e.question_id}/1"
    if isinstance(e, QuestionRevised):
        return f"{e.question_id}/{e.revision}"
    return None  # sharing and archiving make no revision


def evolve_revisions(row: Row | None, event: RecordedEvent) -> Row | None:
    e = event.payload
    if not isinstance(e, (QuestionAuthored, QuestionRevised)):
        return None
    return {"revision_id": revision_key(event), "question_id": e.question_id,
            "revision": getattr(e, "revision", 1), "content": e.content.model_dump_json(),
            "written_at": event.envelope.occurred_at, "written_by": event.envelope.actor.user_id,
            "restored_from": getattr(e, "restored_from", None)}


projection = PostgresProjection(
    name="question_revisions", sources=(QUESTION,), table=QUESTION_REVISIONS,
    key_of=revision_key, evolve=evolve_revisions,
    reads_envelope=("occurred_at", "actor"))
