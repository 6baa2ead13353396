"""Events of the exam aggregate (one stream per exam: ``exam-<id>``)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent


EXAM = Aggregate("exam", stream_prefix="exam")


class ExamStatus(StrEnum):
    """Where an exam is in its life: draft -> published; a draft may be deleted."""

    DRAFT = "draft"
    PUBLISHED = "published"
    DELETED = "deleted"

class ExamEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = EXAM
    abstract: ClassVar[bool] = True


class ExamDrafted(ExamEvent):
    abstract: ClassVar[bool] = False
    exam_id: str
    teacher_id: str
    title: str
    description: str
    instructions: str
    duration_minutes: int
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None


class ExamUpdated(ExamEvent):
    """The full editable content after the edit (not a diff): replay needs no merging rules."""

    abstract: ClassVar[bool] = False
    exam_id: str
    title: str
    description: str
    instructions: str
    duration_minutes: int
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None


class ExamPublished(ExamEvent):
    abstract: ClassVar[bool] = False
    exam_id: str
    teacher_id: str
    published_at: datetime


class ExamDeleted(ExamEvent):
    abstract: ClassVar[bool] = False
    exam_id: str
