"""Read model ``exams`` in MongoDB: the full exam document as the exam page shows it: its
content, its layout (sections, items, pinned questions, pools) and its settings."""
from __future__ import annotations

from eventlog.projection import MongoProjection, Row
from schemas.envelope import RecordedEvent
from schemas.events.exam import (EXAM, ExamDeleted, ExamDrafted, ExamPublished,
                                 ExamQuestionsSet, ExamSettingsChanged, ExamStatus, ExamUpdated,
                                 ExamWindowExtended)

EXAM_DOCUMENTS = "exams"
CONTENT = ("title", "description", "instructions", "duration_minutes", "window_opens_at",
           "window_closes_at")
SETTINGS = ("late_entry_minutes", "attempts_allowed", "navigation", "results_release",
            "pass_mark_percent")


def evolve(doc: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    if isinstance(e, ExamDrafted):
        return {"teacher_id": e.teacher_id, "status": ExamStatus.DRAFT.value, "created_at": at,
                "updated_at": at, **{k: getattr(e, k) for k in CONTENT}}
    if doc is None:
        return None
    match e:
        case ExamUpdated():
            return {**doc, **{k: getattr(e, k) for k in CONTENT}, "updated_at": at}
        case ExamPublished():
            return {**doc, "status": ExamStatus.PUBLISHED.value, "published_at": e.published_at,
                    "updated_at": at}
        case ExamDeleted():
            return {**doc, "status": ExamStatus.DELETED.value, "updated_at": at}
        case ExamQuestionsSet():
            return {**doc, "sections": [s.model_dump() for s in e.sections],
                    "shuffle_questions": e.shuffle_questions,
                    "shuffle_options": e.shuffle_options, "updated_at": at}
        case ExamSettingsChanged():
            return {**doc, "settings": {**{k: getattr(e, k) for k in SETTINGS},
                                        "proctoring": e.proctoring.model_dump(),
                                        "grade_bands": [b.model_dump() for b in e.grade_bands]},
                    "updated_at": at}
        case ExamWindowExtended():
            return {**doc, "window_closes_at": e.window_closes_at, "updated_at": at}
    return None


projection = MongoProjection(
    name="exam_documents", sources=(EXAM,), collection=EXAM_DOCUMENTS,
    key_of=lambda event: event.payload.exam_id, evolve=evolve, reads_envelope=("occurred_at",),
    indexes=[([("status", 1), ("window_opens_at", 1)], {}), ([("teacher_id", 1)], {})])
