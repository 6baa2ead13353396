"""Read model ``read_models.attempt_grades`` (PostgreSQL): each submitted attempt's marks,
one row per attempt: the total so far, what is still pending, and every question's points
with why (and a teacher's feedback, sealed: the query side opens it for its reader).

PostgreSQL: the teacher's grading overview reads an exam's attempts by one index, the
analytics of the next slice aggregate over them in SQL, and a student reads theirs by key.
"""
from __future__ import annotations

import json

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.grading import (GRADING, AnswerRepinned, AnswersGraded, AttemptGraded,
                                    GradingOpened)

ATTEMPT_GRADES = Table("attempt_grades", key="attempt_id", ddl="""
CREATE TABLE IF NOT EXISTS attempt_grades (
    attempt_id  text             PRIMARY KEY,
    exam_id     text             NOT NULL,
    student_id  text             NOT NULL,
    status      text             NOT NULL,  -- grading (answers pending), graded
    score       double precision NOT NULL,
    max_score   double precision NOT NULL,
    -- [{question_id, revision, max_points}] in the exam's order; the revision whose key or
    -- rubric marks the answer (the pinned one, or a regrade's)
    questions   jsonb            NOT NULL,
    pending     jsonb            NOT NULL,  -- question ids waiting for a teacher or the judge
    -- question id -> {points, max_points, detail, feedback (sealed), method, graded_by,
    -- graded_at}
    marks       jsonb            NOT NULL,
    opened_at   timestamptz      NOT NULL,
    graded_at   timestamptz,
    version     integer          NOT NULL
);
CREATE INDEX IF NOT EXISTS attempt_grades_by_exam ON attempt_grades (exam_id, status);
CREATE INDEX IF NOT EXISTS attempt_grades_by_student ON attempt_grades (student_id);
""")


def evolve_grades(row: Row | None, event: RecordedEvent) -> Row | None:
    e = event.payload
    if isinstance(e, GradingOpened):
        return {"attempt_id": e.attempt_id, "exam_id": e.exam_id, "student_id": e.student_id,
                "status": "grading", "score": 0.0,
                "max_score": float(sum(q.max_points for q in e.questions)),
                "questions": json.dumps([q.model_dump() for q in e.questions]),
                "pending": json.dumps([q.question_id for q in e.questions]), "marks": "{}",
                "opened_at": e.opened_at, "graded_at": None}
    if row is None:
        return None
    match e:
        case AnswersGraded():
            marks = json.loads(row["marks"])
            for m in e.marks:
                marks[m.question_id] = {**m.model_dump(), "method": e.method,
                                        "graded_by": e.graded_by,
                                        "graded_at": e.graded_at.isoformat()}
            return {**row, "marks": json.dumps(marks), "questions": _marked_with(
                row, {m.question_id: m.revision for m in e.marks if m.revision})}
        case AnswerRepinned():
            return {**row, "questions": _marked_with(row, {e.question_id: e.revision})}
        case AttemptGraded():
            return {**row, "status": "grading" if e.pending else "graded", "score": e.score,
                    "max_score": e.max_score, "pending": json.dumps(e.pending),
                    "graded_at": e.graded_at}
    return None


def _marked_with(row: Row, revisions: dict[str, int]) -> str:
    questions = json.loads(row["questions"])
    for q in questions:
        q["revision"] = revisions.get(q["question_id"], q["revision"])
    return json.dumps(questions)


projection = PostgresProjection(
    name="attempt_grades", sources=(GRADING,), table=ATTEMPT_GRADES,
    key_of=lambda event: event.payload.attempt_id, evolve=evolve_grades, reads_envelope=())
