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
# The judge's work queue: ``JudgeRequested`` events as they are on the grading topic, keyed by
# attempt so one exam's programs spread over every judge worker.
JUDGE_REQUESTS = "soems.judge.requests"

FEEDBACK_FIELD = "grading.feedback"
# The judge's report on a program (compiler messages and program output quote the student's
# code): sealed with the student's key too.
JUDGE_REPORT_FIELD = "grading.judge_report"


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
    # The judge's: its report per test (JSON, sealed; see ``JudgeRequested``).
    judge_report: str | None = None


class JudgeRequested(GradingEvent):
    """A program answer sent to the judge, to run against the tests of ``revision`` of its
    question. The judge's verdict comes back as ``AnswersGraded`` (method "judge"); a later
    request for the same question (tests corrected) supersedes this one.

    The event carries ids, never the program: the judge reads the sealed answer from the
    attempt's stream, so no plain copy of a student's code sits in a topic. A stream processor
    forwards these to the judge requests topic (``JUDGE_REQUESTS``), keyed by attempt, whose
    consumer group is the judge workers; ``exam_id`` lets them share out turns fairly."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    exam_id: str
    question_id: str
    revision: int
    language: str
    request_id: str
    requested_at: datetime


class AnswersGraded(GradingEvent):
    """One act of grading: the auto-grader's marks of every answer a key decides, the judge's
    verdict on a program, or a teacher's grade of one answer. One event per act rather than
    per answer: an exam of 40 questions is graded in three events, not forty-two.

    v2: a mark may carry the judge's report (``AnswerMark.judge_report``)."""

    abstract: ClassVar[bool] = False
    schema_version: ClassVar[int] = 2
    attempt_id: str
    marks: list[AnswerMark]
    method: str  # a GradingMethod
    graded_by: str  # a user id, or "system"
    graded_at: datetime


class AnswerRepinned(GradingEvent):
    """A teacher corrected a question's rubric (``revision``) and regraded the exam with it,
    while this answer was not graded yet, or was graded with rubric levels the corrected
    rubric no longer has: from now on it is graded by hand with that revision's rubric."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    question_id: str
    revision: int
    repinned_by: str
    repinned_at: datetime


class AttemptGraded(GradingEvent):
    """The attempt's total after the grading that came just before it. ``pending``: the
    questions still waiting for a teacher or the judge; the grade is final when it is empty."""

    abstract: ClassVar[bool] = False
    attempt_id: str
    score: float
    max_score: float
    pending: list[str]
    graded_at: datetime
