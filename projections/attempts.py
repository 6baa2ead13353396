"""Read model ``read_models.attempts`` (PostgreSQL): every attempt as its student resumes it
(questions drawn, answers with their receipts, deadline, status), one row per attempt.

PostgreSQL rather than Redis or MongoDB: an attempt is read by key on every page load and
resume, written on every save (one row upsert per batch of saves), and the grading issue
reads the submitted ones by exam, which an index serves. Answers stay sealed here (the query
side opens them for the student at read time), so erasing a student needs no scrubbing.

It also keeps how long each question was on the student's screen (``question_seconds``), for
the item statistics' average time: from one change of place (``PlaceKept``, when the command
API recorded it) to the next, stopped while a proctor has paused the attempt, and ended by the
submission. Before the first ``PlaceKept`` the first question of the student's order is on
screen (the exam page opens there).
"""
from __future__ import annotations

import json
from datetime import datetime

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.attempt import (ATTEMPT, AnswerRefused, AnswerSaved, AttemptExtended,
                                    AttemptPaused, AttemptResumed, AttemptStarted,
                                    AttemptStatus, AttemptSubmitted, PlaceKept)

ATTEMPTS = Table("attempts", key="attempt_id", ddl="""
CREATE TABLE IF NOT EXISTS attempts (
    attempt_id      text        PRIMARY KEY,
    exam_id         text        NOT NULL,
    student_id      text        NOT NULL,
    number          integer     NOT NULL,
    status          text        NOT NULL,
    seed            text        NOT NULL,
    shuffle_options boolean     NOT NULL,
    navigation      text        NOT NULL,
    started_at      timestamptz NOT NULL,
    deadline        timestamptz NOT NULL,
    questions       jsonb       NOT NULL,
    answers         jsonb       NOT NULL,  -- question id -> answer (sealed), client_seq, saved_at
    refused_saves   integer     NOT NULL,  -- kept in the log for appeals
    submitted_at    timestamptz,
    submit_reason   text,
    version         integer     NOT NULL
);
-- The clock is stopped since then (a proctor's pause).
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS paused_at timestamptz;
-- Where the student is: flagged for review (a JSON array), the question on screen.
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS flagged jsonb NOT NULL DEFAULT '[]';
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS current_question_id text;
-- Seconds each question was on screen (question id -> seconds), and since when the one on
-- screen is (null: paused or submitted).
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS question_seconds jsonb NOT NULL DEFAULT '{}';
ALTER TABLE attempts ADD COLUMN IF NOT EXISTS on_screen_since timestamptz;
CREATE INDEX IF NOT EXISTS attempts_by_exam ON attempts (exam_id, status);
CREATE INDEX IF NOT EXISTS attempts_by_student ON attempts (student_id, exam_id);
""")


def attempt_key(event: RecordedEvent) -> str:
    return event.payload.attempt_id


def evolve_attempt(row: Row | None, event: RecordedEvent) -> Row | None:
    e = event.payload
    if isinstance(e, AttemptStarted):
        return {"attempt_id": e.attempt_id, "exam_id": e.exam_id, "student_id": e.student_id,
                "number": e.number, "status": AttemptStatus.IN_PROGRESS.value, "seed": e.seed,
                "shuffle_options": e.shuffle_options, "navigation": e.navigation,
                "started_at": e.started_at, "deadline": e.deadline,
                "questions": json.dumps([q.model_dump() for q in e.questions]),
                "answers": "{}", "refused_saves": 0, "submitted_at": None,
                "submit_reason": None, "paused_at": None, "flagged": "[]",
                "current_question_id": None, "question_seconds": "{}",
                "on_screen_since": e.started_at}
    if row is None:
        return None
    match e:
        case AnswerSaved():
            answers = json.loads(row["answers"])
            answers[e.question_id] = {"answer": e.answer, "client_seq": e.client_seq,
                                      "saved_at": e.saved_at.isoformat()}
            return {**row, "answers": json.dumps(answers)}
        case AnswerRefused():
            return {**row, "refused_saves": row["refused_saves"] + 1}
        case AttemptExtended():
            return {**row, "deadline": e.deadline}
        case AttemptPaused():
            return {**_screen_time_until(row, e.paused_at), "paused_at": e.paused_at,
                    "on_screen_since": None}
        case AttemptResumed():
            return {**row, "paused_at": None, "deadline": e.deadline,
                    "on_screen_since": e.resumed_at}
        case PlaceKept():
            # the question on screen from now (not counted while paused)
            return {**_screen_time_until(row, event.envelope.occurred_at),
                    "flagged": json.dumps(e.flagged),
                    "current_question_id": e.current_question_id}
        case AttemptSubmitted():
            return {**_screen_time_until(row, e.submitted_at),
                    "status": AttemptStatus.SUBMITTED.value, "submitted_at": e.submitted_at,
                    "submit_reason": e.reason, "on_screen_since": None}
    return None


def _screen_time_until(row: Row, until: datetime) -> Row:
    """The row with the time since ``on_screen_since`` added to the question on screen."""
    since = row.get("on_screen_since")
    if since is None or until <= since:
        return row
    shown = row["current_question_id"]
    if shown is None:
        drawn = json.loads(row["questions"])
        if not drawn:
            return row
        shown = drawn[0]["question_id"]
    seconds = json.loads(row.get("question_seconds") or "{}")
    seconds[shown] = round(seconds.get(shown, 0.0) + (until - since).total_seconds(), 3)
    return {**row, "question_seconds": json.dumps(seconds), "on_screen_since": until}


# The query API's live feed listens here: the open exam page hears of an extension, a pause
# or the deadline's submission as soon as the row shows it, and the exam's progress page
# (watching by exam_id) of every start, save and submission.
ATTEMPT_CHANGES = "soems_attempt_changed"


def attempt_clock(row: Row) -> dict:
    """What the open exam page must follow at once (its own saves it knows already)."""
    return {"status": row["status"], "deadline": row["deadline"].isoformat(),
            "paused_at": row["paused_at"].isoformat() if row["paused_at"] else None}


def attempt_announced(row: Row) -> dict:
    return {**attempt_clock(row), "exam_id": row["exam_id"]}


projection = PostgresProjection(
    name="attempts", sources=(ATTEMPT,), table=ATTEMPTS, key_of=attempt_key,
    evolve=evolve_attempt, announce=ATTEMPT_CHANGES, announced=attempt_announced,
    reads_envelope=("occurred_at",))
