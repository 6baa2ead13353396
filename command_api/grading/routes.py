"""HTTP commands of grading: a teacher grades one answer by hand (points or a rubric, and a
feedback for the student), and regrades a question after correcting its key."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, model_validator

from command_api.dependencies import Command, Personal, Store
from command_api.exams.decider import exam_decider
from command_api.grading.auto import REVISIONS
from command_api.grading.decider import GradeAnswer, Grading, grading_decider, may_grade
from command_api.grading.regrade import regrade
from command_api.grading.rules import rubric_points
from command_api.handling import handle, load_state
from schemas.events.grading import FEEDBACK_FIELD
from schemas.text import EntityId, Text

router = APIRouter(tags=["grading"])

MAX_CRITERIA = 50


class GradeIn(BaseModel):
    """Either ``points`` or ``rubric`` (the level picked, by index, for every criterion of
    the question's rubric: the points follow from it)."""

    model_config = ConfigDict(extra="forbid")

    points: Annotated[float | None, Field(ge=0, le=100_000)] = None
    rubric: Annotated[dict[Annotated[str, Field(max_length=200)], Annotated[int, Field(
        ge=0, le=1000)]] | None, Field(max_length=MAX_CRITERIA)] = None
    feedback: Annotated[Text | None, Field(max_length=10_000, description=(
        "for the student, shown once results are published (sealed: personal data)"))] = None

    @model_validator(mode="after")
    def points_or_rubric(self):
        if (self.points is None) == (self.rubric is None):
            raise ValueError("give either points or a rubric scoring, not both or neither")
        return self


class GradeResult(BaseModel):
    attempt_id: str
    question_id: str
    points: float
    max_points: float
    score: float  # the attempt's total now
    max_score: float
    status: str  # grading (answers pending), graded
    pending: list[str]
    version: int


@router.put("/v1/attempts/{attempt_id}/grades/{question_id}", response_model=GradeResult,
            summary="Grade one answer by hand, with points or the rubric and a feedback (the "
                    "exam's teacher, admins)")
async def grade_answer(attempt_id: EntityId, question_id: EntityId, body: GradeIn,
                       ctx: Command, store: Store, personal: Personal):
    grading, _ = await load_state(store, grading_decider, attempt_id)
    exam, _ = await load_state(store, exam_decider, grading.exam_id) if grading.exam_id else \
        (None, 0)
    teacher_id = exam.teacher_id if exam is not None else None
    points, detail, feedback = body.points, "", None
    # Only a caller who may grade it gets the rubric checked or a key made for the feedback;
    # anyone else learns nothing (the decider answers 404).
    if may_grade(ctx.actor, teacher_id) and question_id in grading.revisions:
        if body.rubric is not None:
            content = await REVISIONS.content(store, question_id, grading.revisions[question_id])
            scored = rubric_points(content, body.rubric, grading.max_points[question_id])
            points, detail = scored.points, scored.detail
        if body.feedback:
            feedback = await personal.seal(grading.student_id, FEEDBACK_FIELD, body.feedback)

    def result(state: Grading) -> dict:
        mark = state.marks.get(question_id)
        return {"attempt_id": attempt_id, "question_id": question_id,
                "points": mark.points if mark else 0.0,
                "max_points": state.max_points.get(question_id, 0.0), "score": state.score,
                "max_score": state.max_score, "status": state.status,
                "pending": list(state.pending)}

    command = GradeAnswer(attempt_id, ctx.actor, teacher_id, question_id,
                          points if points is not None else 0.0, detail, feedback,
                          body.rubric, datetime.now(timezone.utc))
    return await handle(store, grading_decider, attempt_id, command, ctx, result)


class RegradeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: EntityId
    revision: Annotated[int | None, Field(ge=1, description=(
        "the revision whose key marks the answers again; leave it out for the latest"))] = None
    apply: Annotated[bool, Field(description=(
        "false: only show what would change (a preview); true: regrade"))] = False


class RegradeChange(BaseModel):
    attempt_id: str
    student_id: str
    before: float | None  # None: not graded yet
    after: float | None  # None: left as it is (see kept), or sent to the judge
    # graded_by_hand (a teacher's grade stands), same (no change); an essay's to_grade (not
    # graded yet: graded with the corrected rubric) or levels_gone (graded with levels the
    # corrected rubric no longer has: to grade again with it)
    kept: str | None
    judging: bool = False  # a program sent to the judge again: its verdict comes later


class RegradeOut(BaseModel):
    exam_id: str
    question_id: str
    revision: int
    applied: bool
    attempts: int  # submitted attempts with the question
    changed: int  # of those, whose points change
    judging: int = 0  # of those, programs sent to the judge again (coding questions)
    to_grade: int = 0  # of those, essays to grade by hand with the corrected rubric
    changes: list[RegradeChange]


@router.post("/v1/exams/{exam_id}/regrade", response_model=RegradeOut,
             summary="Mark a question's answers again with its corrected key: a preview of "
                     "what changes, or the regrade (the exam's teacher, admins)")
async def regrade_question(exam_id: EntityId, body: RegradeIn, ctx: Command, store: Store,
                           personal: Personal):
    return await regrade(store, personal, ctx.actor, exam_id, body.question_id, body.revision,
                         body.apply, correlation_id=ctx.correlation_id)
