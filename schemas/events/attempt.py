"""Events of the attempt aggregate: one student's sitting of one exam (``attempt-<id>``).

The attempt fixes at its start what the student gets: the questions drawn (pinned revisions,
in the order shown) and the seed that also orders each question's options, and its deadline.
Answers are personal data (an exam script says something about its author): every saved
answer is sealed with the student's key (``security.personal_data``), so erasing a student
makes their answers unreadable everywhere the log went.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent, EventPart

ATTEMPT = Aggregate("attempt", stream_prefix="attempt")

# What an answer is sealed as (the seal binds the value to the person and this field).
ANSWER_FIELD = "attempt.answer"
# What a supervisor's reason for an extension or a pause is sealed as.
SUPERVISION_REASON_FIELD = "attempt.supervision_reason"


class AttemptStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class SubmitReason(StrEnum):
    STUDENT = "student"  # the student pressed Submit
    DEADLINE = "deadline"  # the clock ran out (the auto-submit processor)
    PROCTOR = "proctor"  # a proctor ended it


class AttemptQuestion(EventPart):
    question_id: str
    revision: int  # the revision the exam pinned
    section_id: str
    item_id: str
    points: float


class AttemptEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = ATTEMPT
    abstract: ClassVar[bool] = True


class AttemptStarted(AttemptEvent):
    """``number``: the student's how-many-th attempt at the exam; ``deadline``: the earlier
    of start + duration (+ the student's extra time) and the window's close."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    exam_id: str
    student_id: str
    number: int
    seed: str
    started_at: datetime
    deadline: datetime
    questions: list[AttemptQuestion]
    shuffle_options: bool = False
    navigation: str = "free"


class AnswerSaved(AttemptEvent):
    """The student's answer to one question, as of their ``client_seq`` for it (the browser
    counts its saves per question: a save older than the one kept never overwrites it).
    ``answer`` is the answer's JSON, sealed."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    question_id: str
    client_seq: int
    answer: str
    saved_at: datetime


class AnswerRefused(AttemptEvent):
    """A save that came too late (after submission or past the deadline): kept, sealed, for
    appeals, never applied."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    question_id: str
    client_seq: int
    answer: str
    reason: str
    refused_at: datetime


class PlaceKept(AttemptEvent):
    """Where the student is in the exam, for a resume on any device: the questions flagged
    for review (in the order flagged) and the question on screen."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    flagged: list[str]
    current_question_id: str | None = None


class AttemptSubmitted(AttemptEvent):
    abstract: ClassVar[bool] = False
    attempt_id: str
    reason: str  # a SubmitReason
    submitted_at: datetime
    submitted_by: str  # the user (or "system" for the deadline)


class AttemptExtended(AttemptEvent):
    """More time for one attempt (a proctor's or teacher's decision, e.g. after a technical
    problem); ``deadline`` is the new one. ``reason`` is sealed with the student's key: it can
    say something about their health."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    minutes: int
    deadline: datetime
    reason: str | None = None
    extended_by: str


class AttemptPaused(AttemptEvent):
    """The clock stops (a fire alarm, a proctor's check): no save is taken until it resumes.
    ``reason`` is sealed like an extension's."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    paused_at: datetime
    reason: str | None = None
    paused_by: str


class AttemptResumed(AttemptEvent):
    """The clock runs again; ``deadline`` moved by as long as the pause lasted."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    resumed_at: datetime
    deadline: datetime
    resumed_by: str
