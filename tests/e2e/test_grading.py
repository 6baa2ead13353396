"""Auto-grading on the real stack: a student submits, the faust worker grades the attempt
against the pinned revisions' keys, and the exam's teacher reads the marks on the query side.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import asyncpg
import httpx

from command_api.grading.auto import Revisions, grade_submitted
from eventlog.postgres import create_pool
from eventlog.store import PostgresEventStore
from security.personal_data import PersonalData
from tests.e2e.harness import eventually, key
from tests.e2e.test_attempts import ESSAY, published_exam, save, start

SINGLE = {"question_type": "single_choice", "stem": "Which is prime?", "choice": {"options": [
    {"option_id": "a", "text": "four"}, {"option_id": "b", "text": "five", "correct": True}]}}
MULTIPLE = {"question_type": "multiple_choice", "stem": "Which are even?", "choice": {
    "scoring": "per_option", "wrong_pick_penalty": 1.0, "options": [
        {"option_id": "a", "text": "two", "correct": True},
        {"option_id": "b", "text": "four", "correct": True},
        {"option_id": "c", "text": "five"}]}}
TRUE_FALSE = {"question_type": "true_false", "stem": "Five is odd.",
              "true_false": {"correct": True}}
NUMERIC = {"question_type": "short_answer", "stem": "Pi to two decimals?",
           "short_answer": {"numeric": {"value": 3.14, "tolerance": 0.005}}}
CONTENTS = [SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC, ESSAY]


def grades_of(services, user, attempt_id: str) -> httpx.Response:
    return httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}/grades",
                     headers=user["headers"])


def test_a_submitted_attempt_is_graded_and_its_teacher_reads_why(services, make_user,
                                                                settings):
    teacher, other_teacher = make_user("teacher"), make_user("teacher")
    alice, admin = make_user("student"), make_user("admin")
    now = datetime.now(timezone.utc)
    exam_id, (single, multiple, true_false, numeric, essay) = published_exam(
        services, teacher, [alice], CONTENTS, now - timedelta(minutes=1),
        now + timedelta(hours=1))
    started = start(services, alice, exam_id)
    assert started.status_code == 200, started.text
    attempt_id = started.json()["attempt_id"]
    for question_id, answer in ((single, {"option_ids": ["b"]}),  # right: 2 of 2
                                (multiple, {"option_ids": ["a", "c"]}),  # 1 right 1 wrong: 0
                                (true_false, {"option_ids": ["true"]}),  # right: 2
                                (numeric, {"text": "3,141"}),  # within the tolerance: 2
                                (essay, {"text": "Primes make keys."})):  # pending
        assert save(services, alice, attempt_id, question_id, 1, answer).status_code == 200
    # A later save replaces the earlier one: the multiple choice is now half right.
    assert save(services, alice, attempt_id, multiple, 2, {"option_ids": ["a"]}).status_code \
        == 200
    submitted = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                           headers={**alice["headers"], **key()})
    assert submitted.status_code == 200, submitted.text

    graded = eventually(lambda: (lambda r: r.status_code == 200 and r.json())(
        grades_of(services, teacher, attempt_id)), timeout=30)
    assert graded["status"] == "grading" and graded["pending"] == [essay]
    assert (graded["score"], graded["max_score"]) == (7, 10)
    assert graded["percent"] == 70
    marks = {m["question_id"]: m for m in graded["marks"]}
    assert [m["question_id"] for m in graded["marks"]] == [single, multiple, true_false,
                                                           numeric, essay]
    assert {q: marks[q]["points"] for q in (single, multiple, true_false, numeric)} == {
        single: 2, multiple: 1, true_false: 2, numeric: 2}
    assert marks[multiple]["detail"] == "1 of 2 right options picked, 0 wrong"
    assert marks[single]["method"] == "auto" and marks[single]["graded_by"] == "system"
    assert marks[essay] == {"question_id": essay, "max_points": 2, "graded": False,
                            "points": None, "detail": "", "feedback": None, "method": None,
                            "graded_by": None, "graded_at": None}

    # Admins read it too; the student only once results are published; nobody else at all.
    assert grades_of(services, admin, attempt_id).status_code == 200
    refused = grades_of(services, alice, attempt_id)
    assert refused.status_code == 404 and refused.json()["code"] == "results_not_published"
    assert grades_of(services, other_teacher, attempt_id).json()["code"] == "grades_not_found"

    overview = httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grades",
                         headers=teacher["headers"])
    assert overview.status_code == 200, overview.text
    body = overview.json()
    assert (body["attempts"], body["graded"], body["pending_answers"]) == (1, 0, 1)
    assert [(i["attempt_id"], i["score"], i["pending_count"], i["name"]) for i in
            body["items"]] == [(attempt_id, 7, 1, alice["user"]["name"])]
    assert httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grades",
                     headers=other_teacher["headers"]).status_code == 404

    # Grading again (a redelivered submission, a restarted worker) changes nothing.
    again = asyncio.run(_grade_again(settings, attempt_id))
    assert again["score"] == 7 and again["pending"] == [essay]
    assert asyncio.run(_grading_events(settings, attempt_id)) == [
        "GradingOpened", "AnswersGraded", "AttemptGraded"]


async def _grade_again(settings, attempt_id: str) -> dict:
    pool = await create_pool(settings, min_size=1, max_size=2, role="command")
    try:
        return await grade_submitted(PostgresEventStore(pool),
                                     PersonalData(pool, settings.personal_data_key), attempt_id,
                                     revisions=Revisions())
    finally:
        await pool.close()


async def _grading_events(settings, attempt_id: str) -> list[str]:
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        return [r["event_type"] for r in await conn.fetch(
            "SELECT event_type FROM eventlog.events WHERE stream_id = $1 "
            "ORDER BY stream_version",
            f"grading-{attempt_id}")]
    finally:
        await conn.close()
