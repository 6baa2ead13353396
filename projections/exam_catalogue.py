"""Read model ``read_models.exam_catalogue``: the list of exams to filter, sort and page
(PostgreSQL), with who is assigned and their accommodations, so that a student's dashboard
(exams assigned to them, in their own window) is one indexed query. Deleted drafts stay as rows
with status 'deleted' so a redelivered older event can never bring them back.

Accommodation reasons stay sealed here (``security.personal_data``): the staff's assignments
route opens them at read time, so erasing a student makes them unreadable at once."""
from __future__ import annotations

import json

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.exam import (EXAM, AccommodationGranted, AccommodationWithdrawn,
                                 ExamDeleted, ExamDrafted, ExamPublished, ExamQuestionsSet,
                                 ExamSettingsChanged, ExamStatus, ExamUpdated,
                                 ExamWindowExtended, ResultsPublished, ResultsRelease,
                                 StudentsAssigned, StudentsUnassigned)

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
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS question_count integer NOT NULL DEFAULT 0;
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS total_points double precision NOT NULL
    DEFAULT 0;
-- student ids (a JSON array) and {student id: accommodation} (JSON object)
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS assigned jsonb NOT NULL DEFAULT '[]';
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS accommodations jsonb NOT NULL DEFAULT '{}';
-- When students see their results: the exam's policy, and what its teacher published.
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS results_release text NOT NULL
    DEFAULT 'when_published';
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS results_for_all boolean NOT NULL
    DEFAULT false;
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS results_for jsonb NOT NULL DEFAULT '[]';
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS pass_mark_percent double precision;
-- [{letter, min_percent}], highest first: a result's grade.
ALTER TABLE exam_catalogue ADD COLUMN IF NOT EXISTS grade_bands jsonb NOT NULL DEFAULT '[]';
CREATE INDEX IF NOT EXISTS exam_catalogue_status_window
    ON exam_catalogue (status, window_opens_at);
CREATE INDEX IF NOT EXISTS exam_catalogue_teacher ON exam_catalogue (teacher_id, status);
CREATE INDEX IF NOT EXISTS exam_catalogue_assigned ON exam_catalogue USING gin (assigned);
""")


def evolve(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    match e:
        case ExamDrafted():
            return {"exam_id": e.exam_id, "teacher_id": e.teacher_id, "title": e.title,
                    "status": ExamStatus.DRAFT.value, "duration_minutes": e.duration_minutes,
                    "window_opens_at": e.window_opens_at, "window_closes_at": e.window_closes_at,
                    "created_at": at, "updated_at": at, "published_at": None,
                    "question_count": 0, "total_points": 0.0, "assigned": "[]",
                    "accommodations": "{}", "results_release": ResultsRelease.WHEN_PUBLISHED.value,
                    "results_for_all": False, "results_for": "[]", "pass_mark_percent": None,
                    "grade_bands": "[]"}
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
        case ExamQuestionsSet():
            items = [item for section in e.sections for item in section.items]
            return {**row, "question_count": sum(i.draw for i in items),
                    "total_points": float(sum(i.draw * i.points for i in items)),
                    "updated_at": at}
        case ExamWindowExtended():
            return {**row, "window_closes_at": e.window_closes_at, "updated_at": at}
        case StudentsAssigned() | StudentsUnassigned():
            assigned = set(json.loads(row["assigned"]))
            accommodations = json.loads(row["accommodations"])
            if isinstance(e, StudentsAssigned):
                assigned |= set(e.student_ids)
            else:
                assigned -= set(e.student_ids)
                for student_id in e.student_ids:
                    accommodations.pop(student_id, None)
            return {**row, "assigned": json.dumps(sorted(assigned)),
                    "accommodations": json.dumps(accommodations), "updated_at": at}
        case ExamSettingsChanged():
            return {**row, "results_release": e.results_release,
                    "pass_mark_percent": e.pass_mark_percent,
                    "grade_bands": json.dumps([b.model_dump() for b in e.grade_bands]),
                    "updated_at": at}
        case ResultsPublished():
            if e.student_ids is None:
                return {**row, "results_for_all": True, "updated_at": at}
            released = sorted({*json.loads(row["results_for"]), *e.student_ids})
            return {**row, "results_for": json.dumps(released), "updated_at": at}
        case AccommodationGranted() | AccommodationWithdrawn():
            accommodations = json.loads(row["accommodations"])
            if isinstance(e, AccommodationGranted):
                accommodations[e.student_id] = {
                    "extra_minutes": e.extra_minutes, "extra_percent": e.extra_percent,
                    "window_opens_at": _iso(e.window_opens_at),
                    "window_closes_at": _iso(e.window_closes_at), "reason": e.reason}
            else:
                accommodations.pop(e.student_id, None)
            return {**row, "accommodations": json.dumps(accommodations, sort_keys=True),
                    "updated_at": at}
    return None


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


projection = PostgresProjection(
    name="exam_catalogue", sources=(EXAM,), table=EXAM_CATALOGUE,
    key_of=lambda event: event.payload.exam_id, evolve=evolve, reads_envelope=("occurred_at",))
