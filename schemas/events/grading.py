"""Events of the grading aggregate: the marking of one submitted attempt
(``grading-<attempt_id>``, the attempt's own id).

Grading is a stream of its own rather than more events on the attempt: the attempt is the
student's record of what they did and ends at submission; its marking goes on for days
(auto-grading, the judge, teachers, regrades), by other people, and must never contend with
or reopen the student's stream.

A teacher's feedback is free text about one student's work: sealed with the student's key
(``security.personal_data``) like their answers.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent, EventPart

GRADING = Aggregate("grading", stream_prefix="grading")

FEEDBACK_FIELD = "grading.feedback"


class GradingMethod(StrEnum):
    AUTO = "auto"  # the question's key, by the auto-grader
    JUDGE = "judge"  # a coding question's tests, by the judge
    MANUAL = "manual"  # a teacher


class GradingEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = GRADING
    abstract: ClassVar[bool] = True


class GradedQuestion(EventPart):
    question_id: str
    revision: int  # the revision the attempt pinned: its key, rubric and tests grade it
    max_points: float


class GradingOpened(GradingEvent):
    """The attempt's marking begins (the first event of its stream): whose attempt it is and
    the questions to mark, with their points, in the order the student saw them."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    exam_id: str
    student_id: str
    questions: list[GradedQuestion]
    opened_at: datetime


class AnswerMark(EventPart):
    """One question's marks. ``detail`` says why, for the teacher and, once results are
    published, the student (never the key itself); ``feedback`` is a teacher's comment,
    sealed."""

    question_id: str
    points: float
    max_points: float
    detail: str = ""
    feedback: str | None = None
    # A teacher's rubric scoring: the level picked (its index) per criterion id.
    rubric: dict[str, int] | None = None
    # A regrade's: the question's revision whose key marked it (None: the one the attempt
    # pinned).
    revision: int | None = None


class AnswersGraded(GradingEvent):
    """One act of grading: the auto-grader's marks of every answer a key decides, the judge's
    verdict on a program, or a teacher's grade of one answer. One event per act rather than
    per answer: an exam of 40 questions is graded in three events, not forty-two."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    marks: list[AnswerMark]
    method: str  # a GradingMethod
    graded_by: str  # a user id, or "system"
    graded_at: datetime


class AttemptGraded(GradingEvent):
    """The attempt's total after the grading that came just before it. ``pending``: the
    questions still waiting for a teacher or the judge; the grade is final when it is empty."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    score: float
    max_score: float
    pending: list[str]
    graded_at: datetime
