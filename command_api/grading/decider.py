"""Grading decisions, pure: one submitted attempt's marks and total.

The auto-grader grades an attempt once (a redelivered submission decides nothing); what it
cannot mark (essays, code) stays pending for a teacher or the judge, and the total counts
what is graded so far.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from command_api.grading.rules import Mark, rounded
from command_api.handling import Decider
from schemas.envelope import SYSTEM, DomainEvent
from schemas.events.grading import (GRADING, AnswerMark, AnswersGraded, AttemptGraded,
                                    GradedQuestion, GradingMethod, GradingOpened)


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class GradeItem:
    """One question of the attempt: its points, and its mark (None: a teacher or the judge
    grades it)."""

    question_id: str
    max_points: float
    mark: Mark | None


@dataclass(frozen=True)
class AutoGrade:
    attempt_id: str
    exam_id: str
    student_id: str
    items: tuple[GradeItem, ...]
    now: datetime


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradedAnswer:
    points: float
    max_points: float
    method: str
    graded_by: str


@dataclass(frozen=True)
class Grading:
    status: str = "none"  # none, then "grading" (answers pending) or "graded"
    exam_id: str = ""
    student_id: str = ""
    max_points: dict[str, float] = field(default_factory=dict)  # per question, in order
    score: float = 0.0
    max_score: float = 0.0
    marks: dict[str, GradedAnswer] = field(default_factory=dict)
    pending: tuple[str, ...] = ()


def evolve(state: Grading, event: DomainEvent) -> Grading:
    match event:
        case GradingOpened():
            return replace(state, status="grading", exam_id=event.exam_id,
                           student_id=event.student_id,
                           max_points={q.question_id: q.max_points for q in event.questions},
                           pending=tuple(q.question_id for q in event.questions))
        case AnswersGraded():
            return replace(state, marks={**state.marks, **{m.question_id: GradedAnswer(
                m.points, m.max_points, event.method, event.graded_by) for m in event.marks}})
        case AttemptGraded():
            return replace(state, status="grading" if event.pending else "graded",
                           score=event.score, max_score=event.max_score,
                           pending=tuple(event.pending))
    return state


# --- decisions ---------------------------------------------------------------------------

def decide(command, state: Grading) -> list[DomainEvent]:
    match command:
        case AutoGrade():
            if state.status != "none":
                return []  # graded already: a redelivered or repeated submission
            opened = GradingOpened(
                attempt_id=command.attempt_id, exam_id=command.exam_id,
                student_id=command.student_id, opened_at=command.now,
                questions=[GradedQuestion(question_id=item.question_id,
                                          max_points=item.max_points)
                           for item in command.items])
            marks = [AnswerMark(question_id=item.question_id, points=item.mark.points,
                                max_points=item.max_points, detail=item.mark.detail)
                     for item in command.items if item.mark is not None]
            graded = [AnswersGraded(attempt_id=command.attempt_id, marks=marks,
                                    method=GradingMethod.AUTO, graded_by=SYSTEM.user_id,
                                    graded_at=command.now)] if marks else []
            return [opened, *graded, AttemptGraded(
                attempt_id=command.attempt_id, score=total(m.points for m in marks),
                max_score=total(item.max_points for item in command.items),
                pending=[item.question_id for item in command.items if item.mark is None],
                graded_at=command.now)]
    raise TypeError(f"not a grading command: {command!r}")


def total(points) -> float:
    return rounded(sum(points))


grading_decider = Decider(GRADING, initial=Grading(), decide=decide, evolve=evolve)
