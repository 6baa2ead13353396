"""Grading decisions, pure: one submitted attempt's marks and total.

The auto-grader grades an attempt once (a redelivered submission decides nothing); what it
cannot mark (essays, code) stays pending for a teacher or the judge, and the total counts
what is graded so far. The exam's teacher (or an admin) grades any answer by hand, pending or
not: a manual grade replaces the earlier mark, and the total follows.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5

from command_api.grading.rules import Mark, rounded
from command_api.handling import Decider
from schemas.envelope import SYSTEM, Actor, DomainEvent
from schemas.events.grading import (GRADING, AnswerMark, AnswerRepinned, AnswersGraded,
                                    AttemptGraded, GradedQuestion, GradingMethod,
                                    GradingOpened, JudgeRequested)
from schemas.refusals import DomainError, Invalid, NotFound
from security.visibility import may_manage_exam

_JUDGE_REQUESTS = uuid5(NAMESPACE_URL, "https://soems.org/grading/judge-requests")


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class GradeItem:
    """One question of the attempt: its points, and its mark (None: a teacher or the judge
    grades it)."""

    question_id: str
    revision: int
    max_points: float
    mark: Mark | None
    # A program answer: the language the judge runs it in (its mark is the judge's verdict).
    judge_language: str | None = None


@dataclass(frozen=True)
class AutoGrade:
    attempt_id: str
    exam_id: str
    student_id: str
    items: tuple[GradeItem, ...]
    now: datetime


@dataclass(frozen=True)
class JudgeVerdict:
    """The judge's verdict on one program answer, for request ``request_id``: ``share`` of
    the question's points (the weighted share of hidden tests passed), ``detail`` for people,
    ``judge_report`` its per-test report, sealed with the student's key by the worker."""

    attempt_id: str
    request_id: str
    question_id: str
    revision: int
    share: float
    detail: str
    judge_report: str | None
    now: datetime
    actor: Actor = SYSTEM


@dataclass(frozen=True)
class GradeAnswer:
    """A teacher's grade of one answer. ``exam_teacher_id``: the exam's teacher (who may
    grade it, besides admins); ``feedback`` sealed with the student's key by the route;
    ``rubric``: the level picked per criterion, when the points came from the rubric."""

    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    question_id: str
    points: float
    detail: str
    feedback: str | None
    rubric: dict[str, int] | None
    now: datetime


@dataclass(frozen=True)
class RegradeAnswer:
    """Mark one answer again with the key of ``revision`` of its question (a corrected key).
    ``mark``: what that key gives the answer. An answer graded by hand keeps its grade."""

    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    question_id: str
    revision: int
    mark: Mark
    now: datetime


@dataclass(frozen=True)
class RescoreRubric:
    """Follow a corrected rubric (``revision`` of the question): an answer graded with the
    rubric keeps the teacher's levels and gets their new points (``mark``); one not graded
    yet, or whose levels the rubric no longer has (``mark`` None), is to be graded with it.
    A teacher's grade given as points stands."""

    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    question_id: str
    revision: int
    mark: Mark | None
    now: datetime


@dataclass(frozen=True)
class RequestJudging:
    """Judge a program answer again with the tests of ``revision`` of its question (the
    teacher corrected them). An answer graded by hand keeps its grade; a program judged with
    these tests already is not asked again."""

    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    question_id: str
    revision: int
    language: str
    now: datetime


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradedAnswer:
    points: float
    max_points: float
    method: str
    graded_by: str
    # A teacher's rubric levels (criterion id -> level index) and feedback (sealed), kept
    # for a rescore with a corrected rubric.
    rubric: dict[str, int] | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Grading:
    status: str = "none"  # none, then "grading" (answers pending) or "graded"
    exam_id: str = ""
    student_id: str = ""
    max_points: dict[str, float] = field(default_factory=dict)  # per question, in order
    revisions: dict[str, int] = field(default_factory=dict)  # the pinned revision of each
    score: float = 0.0
    max_score: float = 0.0
    marks: dict[str, GradedAnswer] = field(default_factory=dict)
    pending: tuple[str, ...] = ()
    judging: dict[str, str] = field(default_factory=dict)  # question -> its open judge request


def evolve(state: Grading, event: DomainEvent) -> Grading:
    match event:
        case GradingOpened():
            return replace(state, status="grading", exam_id=event.exam_id,
                           student_id=event.student_id,
                           max_points={q.question_id: q.max_points for q in event.questions},
                           revisions={q.question_id: q.revision for q in event.questions},
                           pending=tuple(q.question_id for q in event.questions))
        case JudgeRequested():
            return replace(state, judging={**state.judging,
                                           event.question_id: event.request_id})
        case AnswersGraded():
            graded = {m.question_id for m in event.marks}
            return replace(state, marks={**state.marks, **{m.question_id: GradedAnswer(
                m.points, m.max_points, event.method, event.graded_by, m.rubric, m.feedback)
                for m in event.marks}},
                revisions={**state.revisions, **{m.question_id: m.revision
                                                 for m in event.marks if m.revision}},
                # any grade answers the open request: a later verdict on it is stale
                judging={q: r for q, r in state.judging.items() if q not in graded})
        case AnswerRepinned():
            return replace(state, revisions={**state.revisions,
                                             event.question_id: event.revision})
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
                                          revision=item.revision, max_points=item.max_points)
                           for item in command.items])
            marks = [AnswerMark(question_id=item.question_id, points=item.mark.points,
                                max_points=item.max_points, detail=item.mark.detail)
                     for item in command.items if item.mark is not None]
            graded = [AnswersGraded(attempt_id=command.attempt_id, marks=marks,
                                    method=GradingMethod.AUTO, graded_by=SYSTEM.user_id,
                                    graded_at=command.now)] if marks else []
            judged = [JudgeRequested(
                attempt_id=command.attempt_id, exam_id=command.exam_id,
                question_id=item.question_id, revision=item.revision,
                language=item.judge_language,
                request_id=judge_request_id(command.attempt_id, item.question_id, item.revision),
                requested_at=command.now)
                for item in command.items if item.mark is None and item.judge_language]
            return [opened, *graded, *judged, AttemptGraded(
                attempt_id=command.attempt_id, score=total(m.points for m in marks),
                max_score=total(item.max_points for item in command.items),
                pending=[item.question_id for item in command.items if item.mark is None],
                graded_at=command.now)]
        case GradeAnswer():
            return _grade_by_hand(command, state)
        case JudgeVerdict():
            return _judged(command, state)
        case RequestJudging():
            return _rejudge(command, state)
        case RegradeAnswer():
            return _regrade(command, state)
        case RescoreRubric():
            return _rescore(command, state)
    raise TypeError(f"not a grading command: {command!r}")


def may_grade(actor: Actor, exam_teacher_id: str | None) -> bool:
    """The exam's own teacher and admins grade its attempts."""
    return may_manage_exam(actor.user_id, actor.role, exam_teacher_id)


def _graded_question(command, state: Grading) -> float:
    """The question's points, once the caller may grade this attempt and it has the question."""
    if not may_grade(command.actor, command.exam_teacher_id):
        raise NotFound("attempt_not_found", f"attempt {command.attempt_id} does not exist",
                       field="attempt_id")
    if state.status == "none":
        raise DomainError("grading_not_open", "this attempt is not submitted, or its "
                          "auto-grading has not finished; try again in a moment")
    top = state.max_points.get(command.question_id)
    if top is None:
        raise NotFound("question_not_in_attempt", f"question {command.question_id} is not in "
                       f"this attempt", field="question_id")
    return top


def _graded(command, state: Grading, mark: AnswerMark, method: str) -> list[DomainEvent]:
    """One answer's new mark, and the attempt's total after it."""
    points = {q: m.points for q, m in state.marks.items()} | {mark.question_id: mark.points}
    return [AnswersGraded(attempt_id=command.attempt_id, marks=[mark], method=method,
                          graded_by=command.actor.user_id, graded_at=command.now),
            AttemptGraded(attempt_id=command.attempt_id, score=total(points.values()),
                          max_score=state.max_score,
                          pending=[q for q in state.pending if q != mark.question_id],
                          graded_at=command.now)]


def _regrade(command: RegradeAnswer, state: Grading) -> list[DomainEvent]:
    top = _graded_question(command, state)
    earlier = state.marks.get(command.question_id)
    if earlier is not None and earlier.method == GradingMethod.MANUAL:
        return []  # a teacher's grade stands: they change it by hand if they want
    points = rounded(min(command.mark.points, top))
    if state.revisions.get(command.question_id) == command.revision and \
            earlier is not None and earlier.points == points:
        return []  # regraded with this revision already
    return _graded(command, state, AnswerMark(
        question_id=command.question_id, points=points, max_points=top,
        detail=f"{command.mark.detail} (regraded with revision {command.revision})",
        revision=command.revision), GradingMethod.AUTO)


def _rescore(command: RescoreRubric, state: Grading) -> list[DomainEvent]:
    top = _graded_question(command, state)
    question_id = command.question_id
    earlier = state.marks.get(question_id)
    if earlier is not None and (earlier.method != GradingMethod.MANUAL or earlier.rubric is None):
        return []  # marked without the rubric (a key, or a teacher's points): it stands
    newer = state.revisions.get(question_id) != command.revision
    if earlier is None or command.mark is None:
        # to grade (again) by hand, with the corrected rubric
        return [AnswerRepinned(attempt_id=command.attempt_id, question_id=question_id,
                               revision=command.revision, repinned_by=command.actor.user_id,
                               repinned_at=command.now)] if newer else []
    points = rounded(min(command.mark.points, top))
    if not newer and earlier.points == points:
        return []  # rescored with this revision already
    return _graded(command, state, AnswerMark(
        question_id=question_id, points=points, max_points=top,
        detail=f"{command.mark.detail} (rescored with revision {command.revision})",
        feedback=earlier.feedback, rubric=earlier.rubric, revision=command.revision),
        GradingMethod.MANUAL)


def judge_request_id(attempt_id: str, question_id: str, revision: int, round_: int = 1) -> str:
    """The same request for the same program and tests: a repeated decision asks once."""
    return str(uuid5(_JUDGE_REQUESTS, f"{attempt_id}/{question_id}/{revision}/{round_}"))


def _rejudge(command: RequestJudging, state: Grading) -> list[DomainEvent]:
    _graded_question(command, state)
    earlier = state.marks.get(command.question_id)
    if earlier is not None and earlier.method == GradingMethod.MANUAL:
        return []  # a teacher's grade stands
    if earlier is not None and earlier.method == GradingMethod.AUTO:
        return []  # no program to run: it was marked without one (not answered)
    request_id = judge_request_id(command.attempt_id, command.question_id, command.revision)
    judged_with = state.revisions.get(command.question_id)
    if state.judging.get(command.question_id) == request_id or (
            earlier is not None and judged_with == command.revision):
        return []  # asked, or judged, with these tests already
    return [JudgeRequested(
        attempt_id=command.attempt_id, exam_id=state.exam_id, question_id=command.question_id,
        revision=command.revision, language=command.language, request_id=request_id,
        requested_at=command.now)]


def _judged(command: JudgeVerdict, state: Grading) -> list[DomainEvent]:
    if state.judging.get(command.question_id) != command.request_id:
        return []  # answered already, superseded by a newer request, or graded by hand
    top = state.max_points[command.question_id]
    pinned = state.revisions.get(command.question_id)
    return _graded(command, state, AnswerMark(
        question_id=command.question_id, points=rounded(min(1.0, max(0.0, command.share)) * top),
        max_points=top, detail=command.detail, judge_report=command.judge_report,
        revision=command.revision if command.revision != pinned else None),
        GradingMethod.JUDGE)


def _grade_by_hand(command: GradeAnswer, state: Grading) -> list[DomainEvent]:
    top = _graded_question(command, state)
    if not 0 <= command.points <= top:
        raise Invalid("points_out_of_range", f"points must be between 0 and {top:g}",
                      field="points")
    return _graded(command, state, AnswerMark(
        question_id=command.question_id, points=rounded(command.points), max_points=top,
        detail=command.detail, feedback=command.feedback, rubric=command.rubric),
        GradingMethod.MANUAL)


def total(points) -> float:
    return rounded(sum(points))


grading_decider = Decider(GRADING, initial=Grading(), decide=decide, evolve=evolve)
