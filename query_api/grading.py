"""Grades: an attempt's marks, and an exam's grading overview (the exam's teacher and
admins). Students read their own marks once results are published (the publication slice
of grading); until then their attempt's grades do not exist for them."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from projections.attempt_grades import ATTEMPT_GRADES
from projections.exam_catalogue import EXAM_CATALOGUE
from projections.users import USERS
from query_api.dependencies import CurrentUser, PageOf, PageOut, Personal, ReadModels
from schemas.events.exam import ExamStatus
from schemas.events.grading import FEEDBACK_FIELD
from schemas.refusals import NotFound
from schemas.text import EntityId
from security.personal_data import ERASED
from security.roles import Role
from security.visibility import may_manage_exam

router = APIRouter(tags=["grading"])


class QuestionMark(BaseModel):
    """One question's marks; ``graded`` is false while a teacher or the judge must grade it
    (``points`` is then null)."""

    question_id: str
    max_points: float
    graded: bool
    points: float | None = None
    detail: str = ""
    feedback: str | None = None
    method: str | None = None  # auto, judge, manual
    graded_by: str | None = None
    graded_at: datetime | None = None


class AttemptGrades(BaseModel):
    attempt_id: str
    exam_id: str
    student_id: str
    status: str  # grading (answers pending), graded
    score: float
    max_score: float
    percent: float
    pending: list[str]
    marks: list[QuestionMark]  # in the order the student saw the questions
    opened_at: datetime
    graded_at: datetime | None
    version: int


class GradeSummary(BaseModel):
    attempt_id: str
    student_id: str
    name: str | None
    email: str | None
    status: str
    score: float
    max_score: float
    percent: float
    pending_count: int
    graded_at: datetime | None


class ExamGrades(PageOut):
    exam_id: str
    attempts: int
    graded: int  # no answer pending
    pending_answers: int  # answers waiting for a teacher or the judge, over the whole exam
    items: list[GradeSummary]


def _percent(score: float, max_score: float) -> float:
    return round(100 * score / max_score, 2) if max_score else 0.0


async def _exam_teacher(db, exam_id: str) -> str | None:
    row = await db.fetchrow(f"SELECT teacher_id, status FROM {EXAM_CATALOGUE.qualified} "
                            f"WHERE exam_id = $1", exam_id)
    return None if row is None or row["status"] == ExamStatus.DELETED else row["teacher_id"]


@router.get("/v1/attempts/{attempt_id}/grades", response_model=AttemptGrades,
            summary="An attempt's marks: every question's points and why (the exam's teacher, "
                    "admins)")
async def attempt_grades(attempt_id: EntityId, user: CurrentUser, db: ReadModels,
                         personal: Personal):
    row = await db.fetchrow(f"SELECT * FROM {ATTEMPT_GRADES.qualified} WHERE attempt_id = $1",
                            attempt_id)
    teacher_id = None if row is None else await _exam_teacher(db, row["exam_id"])
    if row is not None and user.role == Role.STUDENT and row["student_id"] == user.user_id:
        raise NotFound("results_not_published", "your results are not published yet",
                       field="attempt_id")
    if row is None or teacher_id is None or not may_manage_exam(user.user_id, user.role,
                                                                teacher_id):
        raise NotFound("grades_not_found", f"no grades for attempt {attempt_id}",
                       field="attempt_id")
    marks = json.loads(row["marks"])
    feedback = await personal.reveal_fields(
        [(row["student_id"], FEEDBACK_FIELD, m.get("feedback")) for m in marks.values()])
    opened = {qid: None if text == ERASED else text for qid, text in zip(marks, feedback)}
    questions = []
    for q in json.loads(row["questions"]):
        given = marks.get(q["question_id"])
        questions.append({**q, "graded": False} if given is None else
                         {**q, **given, "graded": True, "feedback": opened[q["question_id"]]})
    return {**dict(row), "pending": json.loads(row["pending"]), "marks": questions,
            "percent": _percent(row["score"], row["max_score"])}


@router.get("/v1/exams/{exam_id}/grades", response_model=ExamGrades,
            summary="The exam's grading overview: each submitted attempt's score and what is "
                    "pending (the exam's teacher, admins)")
async def exam_grades(
    exam_id: EntityId, user: CurrentUser, db: ReadModels, paging: PageOf,
    status: Annotated[Literal["grading", "graded"] | None,
                      Query(description="only attempts in this state")] = None,
):
    teacher_id = await _exam_teacher(db, exam_id)
    if teacher_id is None or not may_manage_exam(user.user_id, user.role, teacher_id):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    async with db.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                      readonly=True):
        counts = await conn.fetchrow(
            f"SELECT count(*) AS attempts, count(*) FILTER (WHERE status = 'graded') AS graded,"
            f" coalesce(sum(jsonb_array_length(pending)), 0) AS pending_answers, "
            f"count(*) FILTER (WHERE $2::text IS NULL OR status = $2) AS shown "
            f"FROM {ATTEMPT_GRADES.qualified} WHERE exam_id = $1", exam_id, status)
        rows = await conn.fetch(
            f"SELECT g.attempt_id, g.student_id, g.status, g.score, g.max_score, g.graded_at, "
            f"jsonb_array_length(g.pending) AS pending_count, u.name, u.email "
            f"FROM {ATTEMPT_GRADES.qualified} g "
            f"LEFT JOIN {USERS.qualified} u ON u.user_id = g.student_id "
            f"WHERE g.exam_id = $1 AND ($2::text IS NULL OR g.status = $2) "
            f"ORDER BY u.name NULLS LAST, g.attempt_id {paging.sql()}", exam_id, status)
    items = [{**dict(r), "percent": _percent(r["score"], r["max_score"])} for r in rows]
    return {**paging.answer(items, (counts["shown"], True)), "exam_id": exam_id,
            "attempts": counts["attempts"], "graded": counts["graded"],
            "pending_answers": counts["pending_answers"]}
