"""Which emails the exam events call for, pure: the notifier's own view of each exam, and
the notices an event adds.

The notifier keeps what it needs of every exam (title, window, who is assigned, published or
not) from the exam topic itself, in the same transaction as the notices and its offsets, so
it never depends on a read model that may lag behind the event in hand.

- Exam assigned: when the exam is published, to everyone assigned while it was a draft;
  afterwards, to each student as they are assigned. A draft never emails anyone.
- Reminder: before the window opens (``due_reminders``, run on a timer).
- Results published: to the students the publication releases results to.

A notice's id derives from its kind, exam and student: whatever replays or repeats, each
student gets each kind of email about an exam once.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import NAMESPACE_URL, UUID, uuid5

from schemas.events.exam import (ExamDeleted, ExamDrafted, ExamPublished, ExamUpdated,
                                 ExamWindowExtended, ResultsPublished, StudentsAssigned,
                                 StudentsUnassigned)

_NOTICES = uuid5(NAMESPACE_URL, "https://soems.org/notifications")


class NoticeKind(StrEnum):
    EXAM_ASSIGNED = "exam_assigned"
    EXAM_REMINDER = "exam_reminder"
    RESULTS_PUBLISHED = "results_published"


@dataclass(frozen=True)
class Notice:
    kind: NoticeKind
    exam_id: str
    user_id: str

    @property
    def notification_id(self) -> UUID:
        return uuid5(_NOTICES, f"{self.kind}/{self.exam_id}/{self.user_id}")


@dataclass(frozen=True)
class ExamForNotices:
    exam_id: str
    title: str = ""
    status: str = "draft"  # draft, published, deleted
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    assigned: frozenset[str] = field(default_factory=frozenset)


def notices_for(exam: ExamForNotices | None, event) -> tuple[ExamForNotices | None,
                                                             list[Notice]]:
    """The exam after ``event``, and the notices it calls for."""
    match event:
        case ExamDrafted():
            return ExamForNotices(event.exam_id, event.title, "draft", event.window_opens_at,
                                  event.window_closes_at), []
    if exam is None:
        return None, []  # an exam this notifier never saw drafted
    match event:
        case ExamUpdated():
            return replace(exam, title=event.title, opens_at=event.window_opens_at,
                           closes_at=event.window_closes_at), []
        case ExamWindowExtended():
            return replace(exam, closes_at=event.window_closes_at), []
        case ExamPublished():
            return replace(exam, status="published"), _to(
                NoticeKind.EXAM_ASSIGNED, exam, exam.assigned)
        case ExamDeleted():
            return replace(exam, status="deleted"), []
        case StudentsAssigned():
            new = set(event.student_ids) - exam.assigned
            after = replace(exam, assigned=exam.assigned | frozenset(event.student_ids))
            return after, _to(NoticeKind.EXAM_ASSIGNED, exam, new) \
                if exam.status == "published" else []
        case StudentsUnassigned():
            return replace(exam, assigned=exam.assigned - frozenset(event.student_ids)), []
        case ResultsPublished():
            released = exam.assigned if event.student_ids is None else set(event.student_ids)
            return exam, _to(NoticeKind.RESULTS_PUBLISHED, exam, released)
    return exam, []


def _to(kind: NoticeKind, exam: ExamForNotices, students) -> list[Notice]:
    return [Notice(kind, exam.exam_id, s) for s in sorted(students)]


def reminder_due(exam: ExamForNotices, now: datetime, lead: timedelta) -> bool:
    """A published exam whose window opens within ``lead`` from now (and has not opened)."""
    return exam.status == "published" and exam.opens_at is not None \
        and now < exam.opens_at <= now + lead
