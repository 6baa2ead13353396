"""Read model ``exams`` in MongoDB: the full exam document as the exam page shows it."""
from __future__ import annotations

from pymongo.errors import DuplicateKeyError

from eventlog.projection import MongoProjection
from schemas.envelope import RecordedEvent, topic_for
from schemas.events.exam import ExamDeleted, ExamDrafted, ExamPublished, ExamUpdated

CONTENT = ("title", "description", "instructions", "duration_minutes", "window_opens_at",
           "window_closes_at")


def apply(collections: dict, event: RecordedEvent) -> None:
    exams = collections["exams"]
    e, env = event.payload, event.envelope
    changes: dict
    match e:
        case ExamDrafted():
            changes = {"teacher_id": e.teacher_id, "status": "draft", "created_at": env.occurred_at,
                       **{k: getattr(e, k) for k in CONTENT}}
        case ExamUpdated():
            changes = {k: getattr(e, k) for k in CONTENT}
        case ExamPublished():
            changes = {"status": "published", "published_at": e.published_at}
        case ExamDeleted():
            changes = {"status": "deleted"}
        case _:
            return
    changes |= {"version": env.stream_version, "updated_at": env.occurred_at}
    try:
        # Only a newer version may write; the upsert creates the document on the first event.
        exams.update_one({"_id": e.exam_id, "version": {"$lt": env.stream_version}},
                         {"$set": changes}, upsert=True)
    except DuplicateKeyError:
        pass  # the document already has this version or a newer one: a redelivery


projection = MongoProjection(
    name="exam_documents", topics=(topic_for("exam"),), collections=("exams",), apply=apply,
    indexes={"exams": [([("status", 1), ("window_opens_at", 1)], {}),
                       ([("teacher_id", 1)], {})]})
