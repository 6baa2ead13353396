"""Grades: an attempt's marks, and an exam's grading overview (the exam's teacher and
admins). Students read their own marks once results are released to them
(``security.visibility.results_released``); until then they are 404 results_not_published."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from projections.attempt_grades import ATTEMPT_GRADES
from projections.attempts import ATTEMPTS
from projections.exam_catalogue import EXAM_CATALOGUE
from projections.question_revisions import QUESTION_REVISIONS
from projections.users import USERS
from query_api.dependencies import CurrentUser, PageOf, PageOut, Personal, ReadModels
from query_api.exports import ExportedFile, csv_file
from query_api.statistics import result_grade
from schemas.events.attempt import ANSWER_FIELD
from schemas.events.exam import ExamStatus
from schemas.events.grading import FEEDBACK_FIELD, JUDGE_REPORT_FIELD
from schemas.events.question import QuestionContent
from schemas.refusals import NotFound
from schemas.text import EntityId
from security.personal_data import ERASED
from security.roles import Role
from security.visibility import may_manage_exam, results_released

router = APIRouter(tags=["grading"])


class JudgedTest(BaseModel):
    """One test's outcome: passed, wrong_answer, time_limit, memory_limit, runtime_error,
    output_limit or compile_error; ``message`` says what went wrong (the program's own error
    output, or the limit it passed)."""

    test_id: str
    sample: bool  # a sample test (the student sees it) rather than a hidden one
    weight: float
    status: str
    cpu_ms: int
    wall_ms: int
    message: str = ""


class JudgeReport(BaseModel):
    """The judge's report on a program. A student sees the sample tests' outcomes and how
    many hidden tests passed, never a hidden test's outcome one by one (a program can echo
    its input to its error output)."""

    language: str
    compile_status: str  # ok, compile_error, not_compiled (interpreted languages)
    compile_message: str = ""
    hidden_passed: int
    hidden_total: int
    tests: list[JudgedTest]


def judge_view(report: str | None, for_student: bool) -> dict | None:
    """An opened judge report as the API shows it to its reader."""
    if not report or report == ERASED:
        return None
    found = json.loads(report)
    hidden = [t for t in found["tests"] if not t["sample"]]
    return {**found, "hidden_passed": sum(t["status"] == "passed" for t in hidden),
            "hidden_total": len(hidden),
            "tests": [t for t in found["tests"] if t["sample"] or not for_student]}


class QuestionMark(BaseModel):
    """One question's marks; ``graded`` is false while a teacher or the judge must grade it
    (``points`` is then null)."""

    question_id: str
    max_points: float
    graded: bool
    points: float | None = None
    detail: str = ""
    # The teacher's comment for the student (named apart from a question's own "feedback",
    # which is part of its key and never reaches a student).
    teacher_feedback: str | None = None
    method: str | None = None  # auto, judge, manual
    graded_by: str | None = None
    graded_at: datetime | None = None
    judge: JudgeReport | None = None  # a program's tests, when the judge graded it
    # The question's revision whose key (or tests) marked it: the attempt's own, or a
    # corrected one after a regrade.
    revision: int | None = None


class AttemptGrades(BaseModel):
    attempt_id: str
    exam_id: str
    student_id: str
    status: str  # grading (answers pending), graded
    score: float
    max_score: float
    percent: float
    grade: str | None = None  # the exam's grade band reached, once graded
    passed: bool | None = None  # at or above the exam's pass mark, once graded
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
    grade: str | None = None
    passed: bool | None = None


class QuestionToGrade(BaseModel):
    """One question of the exam's attempts, for choosing what to grade next."""

    question_id: str
    revision: int
    question_type: str | None
    stem: str | None
    max_points: float
    answers: int  # attempts that have it
    pending: int  # of those, waiting for a teacher or the judge


class ExamGrades(PageOut):
    exam_id: str
    results_release: str  # the exam's policy: when_published, when_graded, after_window
    results_for_all: bool  # published to every student
    results_for: int  # published to this many students one by one
    questions: list[QuestionToGrade]  # in the order of the exam's first attempt
    attempts: int
    graded: int  # no answer pending
    pending_answers: int  # answers waiting for a teacher or the judge, over the whole exam
    items: list[GradeSummary]


def _percent(score: float, max_score: float) -> float:
    return round(100 * score / max_score, 2) if max_score else 0.0


async def _exam_teacher(db, exam_id: str) -> str | None:
    row = await _exam(db, exam_id)
    return None if row is None else row["teacher_id"]


async def _exam(db, exam_id: str):
    row = await db.fetchrow(f"SELECT teacher_id, status, results_release, results_for_all, "
                            f"jsonb_array_length(results_for) AS results_for, grade_bands, "
                            f"pass_mark_percent FROM {EXAM_CATALOGUE.qualified} "
                            f"WHERE exam_id = $1", exam_id)
    return None if row is None or row["status"] == ExamStatus.DELETED else row


@router.get("/v1/attempts/{attempt_id}/grades", response_model=AttemptGrades,
            summary="An attempt's marks: every question's points and why (the exam's teacher, "
                    "admins; its student once results are released)")
async def attempt_grades(attempt_id: EntityId, user: CurrentUser, db: ReadModels,
                         personal: Personal):
    row = await db.fetchrow(f"SELECT * FROM {ATTEMPT_GRADES.qualified} WHERE attempt_id = $1",
                            attempt_id)
    if row is not None and user.role == Role.STUDENT and row["student_id"] == user.user_id:
        if not await released_to(db, row["exam_id"], user.user_id, row["status"]):
            raise NotFound("results_not_published", "your results are not published yet",
                           field="attempt_id")
        return await _grades_view(row, personal, for_student=True,
                                  scheme=await _exam(db, row["exam_id"]))
    exam = None if row is None else await _exam(db, row["exam_id"])  # its teacher, its scheme
    if row is None or exam is None or not may_manage_exam(user.user_id, user.role,
                                                          exam["teacher_id"]):
        raise NotFound("grades_not_found", f"no grades for attempt {attempt_id}",
                       field="attempt_id")
    return await _grades_view(row, personal, for_student=False, scheme=exam)


async def released_to(db, exam_id: str, student_id: str, grading_status: str) -> bool:
    """Whether the student sees their results of this exam (``results_released``)."""
    exam = await db.fetchrow(
        f"SELECT status, results_release, results_for_all, results_for, window_closes_at, "
        f"accommodations FROM {EXAM_CATALOGUE.qualified} WHERE exam_id = $1", exam_id)
    if exam is None or exam["status"] == ExamStatus.DELETED:
        return False
    return results_released(exam["results_release"], exam["results_for_all"],
                            json.loads(exam["results_for"]), student_id, grading_status,
                            last_window_close(exam), datetime.now(timezone.utc))


def last_window_close(exam) -> datetime | None:
    """When the last student's window closes: the exam's, or a later accommodation's (None:
    the exam has no close)."""
    if exam["window_closes_at"] is None:
        return None
    return max([exam["window_closes_at"]] + [
        datetime.fromisoformat(a["window_closes_at"])
        for a in json.loads(exam["accommodations"]).values() if a.get("window_closes_at")])


def asked_questions(rows) -> dict[str, dict]:
    """The questions of an exam's graded attempts ({question_id, revision, max_points}, the
    latest revision seen) in the order attempts show them, from ``questions`` columns."""
    found: dict[str, dict] = {}
    for row in rows:
        for q in json.loads(row["questions"]):
            known = found.setdefault(q["question_id"], q)
            if q["revision"] > known["revision"]:
                found[q["question_id"]] = {**known, "revision": q["revision"]}
    return found


def _graded(row, scheme) -> dict:
    """An attempt's percent, and its grade and pass by the exam's scheme once graded."""
    percent = _percent(row["score"], row["max_score"])
    return {"percent": percent, **result_grade(
        percent, row["status"] == "graded", json.loads(scheme["grade_bands"]) if scheme else [],
        scheme["pass_mark_percent"] if scheme else None)}


async def _grades_view(row, personal, for_student: bool, scheme) -> dict:
    marks = json.loads(row["marks"])
    sealed = await personal.reveal_fields(
        [(row["student_id"], FEEDBACK_FIELD, m.get("feedback")) for m in marks.values()]
        + [(row["student_id"], JUDGE_REPORT_FIELD, m.get("judge_report"))
           for m in marks.values()])
    feedback, reports = sealed[:len(marks)], sealed[len(marks):]
    opened = {qid: None if text == ERASED else text for qid, text in zip(marks, feedback)}
    judged = {qid: judge_view(report, for_student) for qid, report in zip(marks, reports)}
    questions = []
    for q in json.loads(row["questions"]):
        given = marks.get(q["question_id"])
        if given is None:
            questions.append({**q, "graded": False})
            continue
        # sealed: opened above
        given = {k: v for k, v in given.items() if k not in ("feedback", "judge_report")}
        questions.append({**q, **given, "graded": True,
                          "revision": given.get("revision") or q["revision"],
                          "teacher_feedback": opened[q["question_id"]],
                          "judge": judged[q["question_id"]],
                          # who graded is the staff's business
                          "graded_by": None if for_student else given.get("graded_by")})
    return {**dict(row), "pending": json.loads(row["pending"]), "marks": questions,
            **_graded(row, scheme)}


@router.get("/v1/exams/{exam_id}/grades", response_model=ExamGrades,
            summary="The exam's grading overview: each submitted attempt's score and what is "
                    "pending (the exam's teacher, admins)")
async def exam_grades(
    exam_id: EntityId, user: CurrentUser, db: ReadModels, paging: PageOf,
    status: Annotated[Literal["grading", "graded"] | None,
                      Query(description="only attempts in this state")] = None,
):
    exam = await _exam(db, exam_id)
    if exam is None or not may_manage_exam(user.user_id, user.role, exam["teacher_id"]):
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
        questions = await conn.fetch(f"""
            WITH asked AS (
                SELECT q ->> 'question_id' AS question_id, (q ->> 'revision')::int AS revision,
                       (q ->> 'max_points')::float AS max_points, o AS position,
                       g.pending ? (q ->> 'question_id') AS is_pending
                FROM {ATTEMPT_GRADES.qualified} g,
                     jsonb_array_elements(g.questions) WITH ORDINALITY AS e(q, o)
                WHERE g.exam_id = $1),
            summed AS (
                SELECT question_id, max(revision) AS revision, max(max_points) AS max_points,
                       min(position) AS position, count(*) AS answers,
                       count(*) FILTER (WHERE is_pending) AS pending
                FROM asked GROUP BY question_id)
            SELECT s.*, r.content ->> 'question_type' AS question_type,
                   r.content ->> 'stem' AS stem
            FROM summed s LEFT JOIN {QUESTION_REVISIONS.qualified} r
                ON r.question_id = s.question_id AND r.revision = s.revision
            ORDER BY s.position, s.question_id""", exam_id)
    items = [{**dict(r), **_graded(r, exam)} for r in rows]
    return {**paging.answer(items, (counts["shown"], True)), "exam_id": exam_id,
            "results_release": exam["results_release"],
            "results_for_all": exam["results_for_all"], "results_for": exam["results_for"],
            "questions": [dict(q) for q in questions],
            "attempts": counts["attempts"], "graded": counts["graded"],
            "pending_answers": counts["pending_answers"]}


class QueuedAnswer(BaseModel):
    """One student's answer to the question being graded. Students are anonymised by default
    (``label`` only: "Student 3", by a stable order that says nothing of who they are)."""

    attempt_id: str
    label: str
    name: str | None = None  # only with names=true
    email: str | None = None
    answer: dict | None  # option_ids / text / code; None: not answered (or erased)
    graded: bool
    points: float | None
    max_points: float
    detail: str = ""
    teacher_feedback: str | None = None
    method: str | None = None
    rubric: dict[str, int] | None = None
    judge: JudgeReport | None = None  # a program's tests, when the judge graded it


class RubricLevelView(BaseModel):
    label: str
    points: float
    description: str = ""


class RubricCriterionView(BaseModel):
    criterion_id: str
    title: str
    levels: list[RubricLevelView]


class OptionForGrading(BaseModel):
    option_id: str
    text: str
    correct: bool


class QuestionForGrading(BaseModel):
    """What the grader reads beside each answer (staff only: the key is here)."""

    revision: int
    question_type: str
    stem: str
    max_points: float
    options: list[OptionForGrading] = []  # choice questions: answers name options by id
    rubric: list[RubricCriterionView] = []
    model_answer: str = ""


class GradingQueue(PageOut):
    exam_id: str
    question_id: str
    question: QuestionForGrading | None  # None: no attempt has this question
    pending: int  # answers to this question waiting for a teacher or the judge
    items: list[QueuedAnswer]


@router.get("/v1/exams/{exam_id}/grading-queue", response_model=GradingQueue,
            summary="Grade one question across all students: every submitted answer to it, "
                    "anonymised by default (the exam's teacher, admins)")
async def grading_queue(
    exam_id: EntityId, user: CurrentUser, db: ReadModels, personal: Personal, paging: PageOf,
    question_id: Annotated[EntityId, Query(description="the question to grade")],
    state: Annotated[Literal["pending", "graded", "all"], Query(
        description="pending: still to grade (default); graded; all")] = "pending",
    names: Annotated[bool, Query(description="show the students' names")] = False,
):
    teacher_id = await _exam_teacher(db, exam_id)
    if teacher_id is None or not may_manage_exam(user.user_id, user.role, teacher_id):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    # Every attempt that has the question, numbered by attempt id (uuid5: no order of names),
    # then filtered; the label stays the same whatever the filter and the page.
    query = f"""
        WITH numbered AS (
            SELECT g.attempt_id, g.student_id, g.marks -> $2 AS mark,
                   g.pending ? $2 AS is_pending,
                   (SELECT (q ->> 'max_points')::float FROM jsonb_array_elements(g.questions) q
                    WHERE q ->> 'question_id' = $2) AS max_points,
                   row_number() OVER (ORDER BY g.attempt_id) AS n
            FROM {ATTEMPT_GRADES.qualified} g
            WHERE g.exam_id = $1 AND g.questions @> jsonb_build_array(
                jsonb_build_object('question_id', $2::text)))
        SELECT n.*, a.answers -> $2 ->> 'answer' AS sealed_answer, u.name, u.email
        FROM numbered n
        JOIN {ATTEMPTS.qualified} a USING (attempt_id)
        LEFT JOIN {USERS.qualified} u ON u.user_id = n.student_id
        WHERE $3 = 'all' OR ($3 = 'pending') = n.is_pending"""
    async with db.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                      readonly=True):
        total = await conn.fetchval(f"SELECT count(*) FROM ({query}) AS q", exam_id,
                                    question_id, state)
        pending = await conn.fetchval(
            f"SELECT count(*) FROM {ATTEMPT_GRADES.qualified} WHERE exam_id = $1 "
            f"AND pending ? $2", exam_id, question_id)
        rows = await conn.fetch(f"{query} ORDER BY n.n {paging.sql()}", exam_id, question_id,
                                state)
        asked = await conn.fetchrow(
            f"SELECT (q ->> 'revision')::int AS revision, (q ->> 'max_points')::float AS "
            f"max_points, r.content FROM {ATTEMPT_GRADES.qualified} g, "
            f"jsonb_array_elements(g.questions) q LEFT JOIN {QUESTION_REVISIONS.qualified} r "
            f"ON r.question_id = q ->> 'question_id' AND r.revision = (q ->> 'revision')::int "
            f"WHERE g.exam_id = $1 AND q ->> 'question_id' = $2 "
            f"ORDER BY (q ->> 'revision')::int DESC LIMIT 1", exam_id, question_id)
    opened = await personal.reveal_fields(
        [(r["student_id"], ANSWER_FIELD, r["sealed_answer"]) for r in rows]
        + [(r["student_id"], FEEDBACK_FIELD, json.loads(r["mark"]).get("feedback")
            if r["mark"] else None) for r in rows]
        + [(r["student_id"], JUDGE_REPORT_FIELD, json.loads(r["mark"]).get("judge_report")
            if r["mark"] else None) for r in rows])
    n = len(rows)
    answers, feedback, reports = opened[:n], opened[n:2 * n], opened[2 * n:]
    items = []
    for row, answer, comment, report in zip(rows, answers, feedback, reports):
        mark = json.loads(row["mark"]) if row["mark"] else {}
        items.append({
            "attempt_id": row["attempt_id"], "label": f"Student {row['n']}",
            "name": row["name"] if names else None, "email": row["email"] if names else None,
            "answer": json.loads(answer) if answer and answer != ERASED else None,
            "graded": bool(mark), "points": mark.get("points"),
            "max_points": row["max_points"], "detail": mark.get("detail", ""),
            "teacher_feedback": None if comment == ERASED else comment,
            "method": mark.get("method"),
            "rubric": mark.get("rubric"), "judge": judge_view(report, for_student=False)})
    return {**paging.answer(items, (total, True)), "exam_id": exam_id,
            "question_id": question_id, "pending": pending,
            "question": _for_grading(asked) if asked and asked["content"] else None}


def _for_grading(asked) -> dict:
    content = QuestionContent.model_validate_json(asked["content"])
    essay = content.long_answer
    return {"revision": asked["revision"], "question_type": content.question_type,
            "stem": content.stem, "max_points": asked["max_points"],
            "options": [{"option_id": o.option_id, "text": o.text, "correct": o.correct}
                        for o in content.choice.options] if content.choice else [],
            "rubric": [c.model_dump() for c in essay.rubric] if essay else [],
            "model_answer": essay.model_answer if essay else ""}


@router.get("/v1/exams/{exam_id}/grades/export", response_model=ExportedFile,
            summary="Every attempt's results as CSV: the student, the score, each question's "
                    "points (the exam's teacher, admins)")
async def export_grades(exam_id: EntityId, user: CurrentUser, db: ReadModels):
    exam = await _exam(db, exam_id)
    if exam is None or not may_manage_exam(user.user_id, user.role, exam["teacher_id"]):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    rows = await db.fetch(
        f"SELECT g.attempt_id, g.status, g.score, g.max_score, g.questions, g.marks, u.name, "
        f"u.email FROM {ATTEMPT_GRADES.qualified} g "
        f"LEFT JOIN {USERS.qualified} u ON u.user_id = g.student_id "
        f"WHERE g.exam_id = $1 ORDER BY u.name NULLS LAST, g.attempt_id", exam_id)
    questions = list(asked_questions(rows))
    lines = []
    for row in rows:
        marks = json.loads(row["marks"])
        graded = _graded(row, exam)
        lines.append([row["name"], row["email"], row["attempt_id"], row["status"], row["score"],
                      row["max_score"], graded["percent"], graded["grade"],
                      {True: "yes", False: "no", None: None}[graded["passed"]]]
                     + [marks[q]["points"] if q in marks else None for q in questions])
    return csv_file(f"results-{exam_id}.csv",
                    ["student", "email", "attempt_id", "status", "score", "max_score",
                     "percent", "grade", "passed"]
                    + [f"Q{n + 1} ({q})" for n, q in enumerate(questions)], lines)
