"""Analytics of an exam (the exam's teacher, admins; analysts once it is published, over enough
attempts that no student is singled out): the score distribution, the pass rate,
time spent, completion, and each question's facility and discrimination. Computed when read
from the grades read model, so they follow every grade as it lands (no nightly batch); an exam
of 1,000 attempts is one indexed read of 1,000 rows.
"""
from __future__ import annotations

import json
import statistics
from datetime import datetime, timezone

from fastapi import APIRouter
from pydantic import BaseModel

from projections.attempt_grades import ATTEMPT_GRADES
from projections.attempts import ATTEMPTS
from projections.exam_catalogue import EXAM_CATALOGUE
from projections.question_revisions import QUESTION_REVISIONS
from projections.users import USERS
from query_api.dependencies import CurrentUser, Personal, ReadModels
from query_api.exports import ExportedFile, csv_file
from query_api.grading import asked_questions, last_window_close
from query_api.statistics import (HISTOGRAM_BINS, Graded, exam_statistics, histogram,
                                  item_statistics, option_statistics, result_grade)
from schemas.events.attempt import ANSWER_FIELD
from schemas.events.question import QuestionContent
from schemas.events.exam import ExamStatus
from schemas.refusals import NotFound
from schemas.text import EntityId
from security.roles import Role
from settings import get_settings
from security.visibility import may_manage_exam, may_read_exam_analytics, results_released

router = APIRouter(prefix="/v1/analytics", tags=["analytics"])


class HistogramBin(BaseModel):
    from_percent: float
    to_percent: float
    attempts: int


class ScoreStatistics(BaseModel):
    """Over the fully graded attempts (points; ``mean_percent`` in percent)."""

    mean: float | None
    median: float | None
    std: float | None  # population standard deviation
    lowest: float | None
    highest: float | None
    mean_percent: float | None
    pass_rate: float | None  # share at or above the pass mark; None without a pass mark
    histogram: list[HistogramBin]


class OptionStatistics(BaseModel):
    """One option of a choice question (``option_id`` null: left unanswered): how many of the
    graded attempts picked it, and the share overall, in the upper and in the lower 27 %."""

    option_id: str | None
    text: str | None
    correct: bool
    picked: int
    share: float | None
    upper_share: float | None
    lower_share: float | None


class TimeBin(BaseModel):
    from_minutes: float
    to_minutes: float
    attempts: int


class ItemStatistics(BaseModel):
    question_id: str
    stem: str | None
    question_type: str | None
    max_points: float
    answered: int  # graded attempts that had it
    facility: float | None  # mean share of its points, 0 to 1
    discrimination_index: float | None  # upper 27 % facility minus lower 27 %, -1 to 1
    point_biserial: float | None  # its points against the rest of the total (Pearson's r)
    # Choice and true/false questions: the distractor analysis, option by option.
    options: list[OptionStatistics] | None = None
    # Seconds it was on the student's screen, over the submitted attempts that opened it.
    seconds_mean: float | None = None
    seconds_median: float | None = None


class ExamAnalytics(BaseModel):
    exam_id: str
    assigned: int
    submitted: int
    graded: int  # fully graded: what the statistics are over
    pending: int  # submitted, with answers still to grade
    completion: float | None  # submitted / assigned
    pass_mark_percent: float | None
    score: ScoreStatistics
    time_minutes_mean: float | None  # from start to submission
    time_minutes_median: float | None
    time_histogram: list[TimeBin]  # minutes from start to submission, 10 bins to the duration
    questions: list[ItemStatistics]
    # For an analyst, over fewer graded attempts than ``analytics_min_cohort``: only the counts
    # (figures over so few could single a student out).
    withheld: bool = False


@router.get("/exams/{exam_id}", response_model=ExamAnalytics,
            summary="An exam's score distribution, pass rate, time spent, completion and item "
                    "statistics (the exam's teacher, admins; analysts once it is published)")
async def exam_analytics(exam_id: EntityId, user: CurrentUser, db: ReadModels,
                         personal: Personal):
    exam = await db.fetchrow(
        f"SELECT teacher_id, status, pass_mark_percent, duration_minutes, "
        f"jsonb_array_length(assigned) AS assigned FROM {EXAM_CATALOGUE.qualified} "
        f"WHERE exam_id = $1", exam_id)
    if exam is None or exam["status"] == ExamStatus.DELETED or \
            not may_read_exam_analytics(user.user_id, user.role, exam["teacher_id"],
                                        exam["status"]):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    grades, times = await exam_grades_and_times(db, exam_id)
    asked = asked_questions(grades)
    question_ids = list(asked)
    about = {r["question_id"]: r for r in await db.fetch(
        f"SELECT question_id, content ->> 'stem' AS stem, content ->> 'question_type' AS "
        f"question_type, content FROM {QUESTION_REVISIONS.qualified} WHERE "
        f"(question_id, revision) IN (SELECT * FROM unnest($1::text[], $2::int[]))",
        question_ids, [asked[q]["revision"] for q in question_ids])}
    choices = {q: choice_options(QuestionContent.model_validate_json(r["content"]))
               for q, r in about.items()}
    choices = {q: found for q, found in choices.items() if found is not None}
    finished = [row for row in grades if row["status"] == "graded"]
    counts = {"exam_id": exam_id, "assigned": exam["assigned"], "submitted": len(times),
              "graded": len(finished),
              "pending": sum(1 for r in grades if r["status"] != "graded"),
              "completion": len(times) / exam["assigned"] if exam["assigned"] else None,
              "pass_mark_percent": exam["pass_mark_percent"]}
    if user.role == Role.ANALYST and len(finished) < get_settings().analytics_min_cohort:
        return {**counts, "withheld": True, "score": {**exam_statistics([], None),
                                                      "histogram": []},
                "time_minutes_mean": None, "time_minutes_median": None,
                "time_histogram": [], "questions": []}
    picks = await opened_picks(personal, finished, list(choices))
    graded = [Graded(row["score"], row["max_score"], {
        qid: (m["points"], m["max_points"]) for qid, m in json.loads(row["marks"]).items()},
        picked) for row, picked in zip(finished, picks)]
    score = exam_statistics(graded, exam["pass_mark_percent"])
    width = 100 / HISTOGRAM_BINS
    score["histogram"] = [{"from_percent": n * width, "to_percent": (n + 1) * width,
                           "attempts": count} for n, count in enumerate(score["histogram"])]
    minutes = [float(t["minutes"]) for t in times]
    on_screen = seconds_on_screen(times)
    longest = float(exam["duration_minutes"]) or max(minutes, default=0.0)
    width = longest / HISTOGRAM_BINS
    return {
        **counts, "score": score,
        "time_minutes_mean": statistics.fmean(minutes) if minutes else None,
        "time_minutes_median": statistics.median(minutes) if minutes else None,
        "time_histogram": [{"from_minutes": n * width, "to_minutes": (n + 1) * width,
                            "attempts": count}
                           for n, count in enumerate(histogram(minutes, longest))],
        "questions": [{**item, "max_points": asked[item["question_id"]]["max_points"],
                       "options": _options(graded, item["question_id"],
                                           choices.get(item["question_id"])),
                       "stem": about[item["question_id"]]["stem"]
                       if item["question_id"] in about else None,
                       "question_type": about[item["question_id"]]["question_type"]
                       if item["question_id"] in about else None,
                       **on_screen.get(item["question_id"], {})}
                      for item in item_statistics(graded, question_ids)],
    }


def seconds_on_screen(times) -> dict[str, dict]:
    """Per question, the mean and median seconds it was on screen in the submitted attempts
    that opened it (the attempts read model counts them)."""
    seen: dict[str, list[float]] = {}
    for row in times:
        for question_id, seconds in json.loads(row["question_seconds"]).items():
            seen.setdefault(question_id, []).append(seconds)
    return {q: {"seconds_mean": statistics.fmean(s), "seconds_median": statistics.median(s)}
            for q, s in seen.items()}


async def exam_grades_and_times(db, exam_id: str) -> tuple[list, list]:
    """The exam's grades with each attempt's (sealed) answers, and the minutes each
    submitted attempt took: one consistent snapshot of both read models."""
    async with db.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                      readonly=True):
        grades = await conn.fetch(
            f"SELECT g.status, g.score, g.max_score, g.questions, g.marks, g.student_id, "
            f"a.answers FROM {ATTEMPT_GRADES.qualified} g LEFT JOIN {ATTEMPTS.qualified} a "
            f"USING (attempt_id) WHERE g.exam_id = $1", exam_id)
        times = await conn.fetch(
            f"SELECT extract(epoch FROM submitted_at - started_at) / 60 AS minutes, "
            f"question_seconds FROM {ATTEMPTS.qualified} "
            f"WHERE exam_id = $1 AND status = 'submitted'", exam_id)
    return grades, times


def choice_options(content: QuestionContent) -> tuple[list[tuple[str, str]], set[str]] | None:
    """A choice or true/false question's options ((id, text), in order) and the right ones;
    None for other types."""
    if content.choice is not None:
        return ([(o.option_id, o.text) for o in content.choice.options],
                {o.option_id for o in content.choice.options if o.correct})
    if content.true_false is not None:
        return [("true", "True"), ("false", "False")], {str(content.true_false.correct).lower()}
    return None


def _options(graded: list[Graded], question_id: str, choice) -> list[dict] | None:
    if choice is None:
        return None
    options, correct = choice
    texts = dict(options)
    return [{**found, "text": texts.get(found["option_id"])} for found in option_statistics(
        graded, question_id, [o for o, _ in options], correct)]


async def opened_picks(personal, rows,
                       question_ids: list[str]) -> list[dict[str, frozenset[str]]]:
    """Each attempt's picks for the choice questions: the answers are sealed with each
    student's key, opened here (one key query for all) and kept only as option ids."""
    wanted, sealed = [], []
    for i, row in enumerate(rows):
        answers = json.loads(row["answers"]) if row["answers"] else {}
        for q in question_ids:
            if answers.get(q, {}).get("answer"):
                wanted.append((i, q))
                sealed.append((row["student_id"], ANSWER_FIELD, answers[q]["answer"]))
    opened = await personal.reveal_fields(sealed)
    found: list[dict[str, frozenset[str]]] = [{} for _ in rows]
    for (i, q), answer in zip(wanted, opened):
        try:
            ids = (json.loads(answer) or {}).get("option_ids") if answer else None
        except ValueError:  # an erased student's answer reads as ERASED
            ids = None
        if isinstance(ids, list):
            found[i][q] = frozenset(str(x) for x in ids)
    return found


class ExamOutcome(BaseModel):
    """One exam in a student's trend: their result and where it stands in the exam."""

    exam_id: str
    title: str
    attempt_id: str
    submitted_at: datetime | None
    score: float
    max_score: float
    percent: float
    grade: str | None
    passed: bool | None
    exam_mean_percent: float | None  # over the exam's fully graded attempts
    percentile_rank: float | None  # share of the exam's graded attempts below this one (ties half)
    graded_attempts: int


class StudentTrend(BaseModel):
    student_id: str
    name: str | None
    exams: list[ExamOutcome]  # oldest first


@router.get("/students/{student_id}", response_model=StudentTrend,
            summary="A student's results over their exams, each against its exam's mean "
                    "(the student, their released results only; the exams' teachers; admins)")
async def student_trend(student_id: EntityId, user: CurrentUser, db: ReadModels):
    own = user.role == Role.STUDENT and user.user_id == student_id
    if user.role not in (Role.TEACHER, Role.ADMIN) and not own:
        raise NotFound("student_not_found", f"student {student_id} not found",
                       field="student_id")
    rows = await db.fetch(
        f"""SELECT g.attempt_id, g.exam_id, g.status, g.score, g.max_score, a.submitted_at,
                   c.title, c.teacher_id, c.status AS exam_status, c.grade_bands,
                   c.pass_mark_percent, c.results_release, c.results_for_all, c.results_for,
                   c.window_closes_at, c.accommodations, o.mean_percent, o.graded,
                   o.below, o.same, u.name
            FROM {ATTEMPT_GRADES.qualified} g
            JOIN {EXAM_CATALOGUE.qualified} c ON c.exam_id = g.exam_id
            LEFT JOIN {ATTEMPTS.qualified} a ON a.attempt_id = g.attempt_id
            LEFT JOIN {USERS.qualified} u ON u.user_id = g.student_id
            CROSS JOIN LATERAL (
                SELECT avg(p) AS mean_percent, count(*) AS graded,
                       count(*) FILTER (WHERE p < mine - 1e-9) AS below,
                       count(*) FILTER (WHERE abs(p - mine) <= 1e-9) AS same
                FROM (SELECT 100 * x.score / nullif(x.max_score, 0) AS p,
                             100 * g.score / nullif(g.max_score, 0) AS mine
                      FROM {ATTEMPT_GRADES.qualified} x
                      WHERE x.exam_id = g.exam_id AND x.status = 'graded') others) o
            WHERE g.student_id = $1 AND g.status = 'graded' AND c.status <> 'deleted'
            ORDER BY a.submitted_at NULLS LAST, g.attempt_id""", student_id)
    now = datetime.now(timezone.utc)
    if own:
        rows = [r for r in rows if results_released(
            r["results_release"], r["results_for_all"], json.loads(r["results_for"]),
            student_id, r["status"], last_window_close(r), now)]
    elif user.role == Role.TEACHER:
        rows = [r for r in rows if may_manage_exam(user.user_id, user.role, r["teacher_id"])]
    if not rows and user.role == Role.TEACHER:  # none of theirs: nothing to say, not even
        raise NotFound("student_not_found", f"student {student_id} not found",  # existence
                       field="student_id")
    exams = []
    for r in rows:
        percent = 100 * r["score"] / r["max_score"] if r["max_score"] else 0.0
        exams.append({
            "exam_id": r["exam_id"], "title": r["title"], "attempt_id": r["attempt_id"],
            "submitted_at": r["submitted_at"], "score": r["score"], "max_score": r["max_score"],
            "percent": round(percent, 2), **result_grade(percent, True, json.loads(
                r["grade_bands"]), r["pass_mark_percent"]),
            "exam_mean_percent": None if r["mean_percent"] is None
            else round(float(r["mean_percent"]), 2),
            "percentile_rank": (r["below"] + r["same"] / 2) / r["graded"] if r["graded"]
            else None, "graded_attempts": r["graded"]})
    return {"student_id": student_id, "name": rows[0]["name"] if rows else None,
            "exams": exams}


@router.get("/exams/{exam_id}/export", response_model=ExportedFile,
            summary="The exam's item statistics as CSV (the exam's teacher, admins; analysts "
                    "once it is published)")
async def export_item_statistics(exam_id: EntityId, user: CurrentUser, db: ReadModels,
                                 personal: Personal):
    found = await exam_analytics(exam_id, user, db, personal)
    return csv_file(f"item-statistics-{exam_id}.csv",
                    ["question", "question_id", "stem", "type", "max_points", "answered",
                     "facility", "discrimination_index", "point_biserial", "seconds_mean",
                     "seconds_median"],
                    [[n + 1, q["question_id"], q["stem"], q["question_type"], q["max_points"],
                      q["answered"], q["facility"], q["discrimination_index"],
                      q["point_biserial"], q.get("seconds_mean"), q.get("seconds_median")]
                     for n, q in enumerate(found["questions"])])
