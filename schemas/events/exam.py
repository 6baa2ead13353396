"""Events of the exam aggregate (one stream per exam: ``exam-<id>``)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent, EventPart


EXAM = Aggregate("exam", stream_prefix="exam")


class ExamStatus(StrEnum):
    """Where an exam is in its life: draft -> published; a draft may be deleted."""

    DRAFT = "draft"
    PUBLISHED = "published"
    DELETED = "deleted"

class Navigation(StrEnum):
    FREE = "free"  # any question, in any order, back and forth
    LINEAR = "linear"  # one after the other, no going back


class ResultsRelease(StrEnum):
    """When students see their results."""

    WHEN_GRADED = "when_graded"  # as soon as every answer is graded
    AFTER_WINDOW = "after_window"  # when the window closes and grading is done
    WHEN_PUBLISHED = "when_published"  # when the teacher publishes them



class PinnedQuestion(EventPart):
    """A bank question at the revision the exam uses: later edits do not change the exam."""

    question_id: str
    revision: int


class ExamItem(EventPart):
    """One slot of a section: each student gets ``draw`` of the ``candidates``, each worth
    ``points``. A fixed question is a draw of 1 from 1; a random pool draws N of M, a
    different draw per student, reproducible from the attempt's seed."""

    item_id: str
    candidates: list[PinnedQuestion]
    draw: int = 1
    points: float = 1.0


class ExamSection(EventPart):
    section_id: str
    title: str
    items: list[ExamItem]


class ProctoringSettings(EventPart):
    enabled: bool = False
    detectors: list[str] = []  # which detectors run (the proctoring issue)


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


class ExamQuestionsSet(ExamEvent):
    """The exam's whole layout after the change (not a diff): sections, their items, and
    whether questions and options are shuffled per student."""

    abstract: ClassVar[bool] = False
    exam_id: str
    sections: list[ExamSection]
    shuffle_questions: bool = False
    shuffle_options: bool = False


class GradeBand(EventPart):
    """A grade: ``letter`` (or word: "A", "B+", "Merit") from ``min_percent`` of the points up
    to the next band."""

    letter: str
    min_percent: float


class ExamSettingsChanged(ExamEvent):
    """How the exam is taken and marked, all settings at once.

    v2: ``grade_bands``, highest first (none: results in points and percent only)."""

    abstract: ClassVar[bool] = False
    schema_version: ClassVar[int] = 2
    exam_id: str
    late_entry_minutes: int | None = None  # after the window opens; None: until it closes
    attempts_allowed: int = 1
    navigation: str = Navigation.FREE.value
    results_release: str = ResultsRelease.WHEN_PUBLISHED.value
    pass_mark_percent: float | None = None
    proctoring: ProctoringSettings = ProctoringSettings()
    grade_bands: list[GradeBand] = []


class StudentsAssigned(ExamEvent):
    abstract: ClassVar[bool] = False
    exam_id: str
    student_ids: list[str]


class StudentsUnassigned(ExamEvent):
    abstract: ClassVar[bool] = False
    exam_id: str
    student_ids: list[str]


class AccommodationGranted(ExamEvent):
    """A student's own terms: extra time and/or an own window. ``reason`` is personal data
    (often health), sealed with the student's key; only staff read it."""

    abstract: ClassVar[bool] = False
    exam_id: str
    student_id: str
    extra_minutes: int = 0
    extra_percent: int = 0
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None
    reason: str | None = None


# What ``AccommodationGranted.reason`` is sealed as (the seal binds the value to the person and
# this name): the command side seals with it, the staff's read opens with it.
ACCOMMODATION_REASON = "accommodation_reason"


class AccommodationWithdrawn(ExamEvent):
    abstract: ClassVar[bool] = False
    exam_id: str
    student_id: str


class ResultsPublished(ExamEvent):
    """The teacher releases results: to every student of the exam (``student_ids`` None, now
    and later) or to these students. Besides this, the exam's ``results_release`` setting may
    release them on its own (when graded, or after the window)."""

    abstract: ClassVar[bool] = False
    exam_id: str
    student_ids: list[str] | None = None
    published_by: str
    published_at: datetime


class ExamWindowExtended(ExamEvent):
    """After publishing, the window may only grow (a later close)."""

    abstract: ClassVar[bool] = False
    exam_id: str
    window_closes_at: datetime
