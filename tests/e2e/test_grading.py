"""Auto-grading on the real stack: a student submits, the faust worker grades the attempt
against the pinned revisions' keys, and the exam's teacher reads the marks on the query side.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import asyncpg
import httpx
import pytest

from command_api.grading.auto import Revisions, grade_submitted, grade_submitted_batch
from eventlog.postgres import create_pool
from eventlog.store import PostgresEventStore
from schemas.events.attempt import ATTEMPT
from security.personal_data import PersonalData
from tests.e2e.harness import eventually, key
from tests.e2e.test_attempts import published_exam, save, start

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
ESSAY = {"question_type": "long_answer", "stem": "Why are primes useful?", "long_answer": {
    "model_answer": "They make keys.", "rubric": [
        {"criterion_id": "idea", "title": "The idea", "levels": [
            {"label": "Missing", "points": 0}, {"label": "Vague", "points": 2},
            {"label": "Clear", "points": 4}]},
        {"criterion_id": "style", "title": "Style", "levels": [
            {"label": "Poor", "points": 0}, {"label": "Good", "points": 1}]}]}}
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
                            "points": None, "detail": "", "teacher_feedback": None,
                            "method": None, "graded_by": None, "graded_at": None,
                            "judge": None, "revision": 1}

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
    assert [(q["question_id"], q["answers"], q["pending"]) for q in body["questions"]] == [
        (single, 1, 0), (multiple, 1, 0), (true_false, 1, 0), (numeric, 1, 0), (essay, 1, 1)]
    assert body["questions"][4]["stem"] == ESSAY["stem"]
    assert body["questions"][4]["question_type"] == "long_answer"
    assert httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grades",
                     headers=other_teacher["headers"]).status_code == 404

    # The essay, graded by hand: first from the anonymised queue of its question...
    queue = httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grading-queue",
                      params={"question_id": essay}, headers=teacher["headers"])
    assert queue.status_code == 200, queue.text
    assert queue.json()["pending"] == 1
    question = queue.json()["question"]
    assert (question["stem"], question["max_points"], question["model_answer"]) == (
        ESSAY["stem"], 2, "They make keys.")
    assert [c["criterion_id"] for c in question["rubric"]] == ["idea", "style"]
    [queued] = queue.json()["items"]
    assert (queued["label"], queued["name"], queued["graded"]) == ("Student 1", None, False)
    assert queued["answer"] == {"text": "Primes make keys."} and queued["max_points"] == 2
    named = httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grading-queue",
                      params={"question_id": essay, "names": "true"}, headers=teacher["headers"])
    assert named.json()["items"][0]["name"] == alice["user"]["name"]

    grade = grade_by_hand(services, teacher, attempt_id, essay,
                          {"points": 1.5, "feedback": "Say why keys need primes."})
    assert grade.status_code == 200, grade.text
    assert (grade.json()["score"], grade.json()["status"], grade.json()["pending"]) == (
        8.5, "graded", [])
    def essay_mark(score: float):
        body = grades_of(services, teacher, attempt_id).json()
        return body["score"] == score and [m for m in body["marks"] if m["question_id"] == essay]
    [first] = eventually(lambda: essay_mark(8.5), timeout=20)
    # Sealed in the log, opened here.
    assert first["teacher_feedback"] == "Say why keys need primes."
    # ...then again from the rubric: 4 + 0 of 5 rubric points on a 2-point question.
    again = grade_by_hand(services, teacher, attempt_id, essay, {"rubric": {"idea": 2,
                                                                           "style": 0}})
    assert (again.json()["points"], again.json()["score"]) == (1.6, 8.6)
    for body, field in (({"points": 3}, "points"), ({"points": 1, "rubric": {"idea": 0}}, None),
                        ({"rubric": {"idea": 1}}, "rubric.style"),
                        ({"rubric": {"idea": 9, "style": 0}}, "rubric.idea")):
        refused = grade_by_hand(services, teacher, attempt_id, essay, body)
        assert refused.status_code == 422, refused.text
        if field:
            assert refused.json()["field"] == field, refused.text
    for outsider in (other_teacher, alice):
        refused = grade_by_hand(services, outsider, attempt_id, essay, {"points": 2})
        assert refused.status_code in (403, 404) and refused.status_code != 200

    [final] = eventually(lambda: essay_mark(8.6), timeout=20)
    assert (final["points"], final["method"], final["detail"]) == (1.6, "manual",
                                                                  "rubric: 4 of 5")
    assert final["graded_by"] == teacher["user"]["user_id"]
    assert final["teacher_feedback"] is None  # the rubric grade replaced the one with feedback
    assert asyncio.run(_grading_events(settings, attempt_id))[-2:] == [
        "AnswersGraded", "AttemptGraded"]

    # Published to every student: Alice reads her marks and the feedback, never who graded.
    assert grades_of(services, alice, attempt_id).json()["code"] == "results_not_published"
    mine = httpx.get(f"{services.query_url}/v1/attempts", headers=alice["headers"]).json()
    assert mine["items"][0]["results"] is None
    published = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/results/publish",
                           headers={**teacher["headers"], **key()}, json={})
    assert published.status_code == 200, published.text
    assert published.json()["results_for_all"] is True
    assert httpx.post(f"{services.command_url}/v1/exams/{exam_id}/results/publish",
                      headers={**other_teacher["headers"], **key()}, json={}).status_code == 404
    seen = eventually(lambda: (lambda r: r.status_code == 200 and r.json())(
        grades_of(services, alice, attempt_id)), timeout=20)
    assert (seen["score"], seen["status"]) == (8.6, "graded")
    assert all(m["graded_by"] is None for m in seen["marks"])
    assert [m["detail"] for m in seen["marks"] if m["question_id"] == multiple] == [
        "1 of 2 right options picked, 0 wrong"]
    results = httpx.get(f"{services.query_url}/v1/attempts",
                        headers=alice["headers"]).json()["items"][0]["results"]
    assert results == {"score": 8.6, "max_score": 10, "percent": 86.0, "complete": True,
                       "grade": None, "passed": None}  # the exam has no grade scheme

    # Grading again (a redelivered submission, a restarted worker) changes nothing, in a
    # batch or alone.
    events = asyncio.run(_grading_events(settings, attempt_id))
    assert asyncio.run(_grade_again(settings, attempt_id, batch=True)) == []
    assert asyncio.run(_grade_again(settings, attempt_id))["score"] == 7  # its first answer
    assert asyncio.run(_grading_events(settings, attempt_id)) == events
    assert events[:3] == ["GradingOpened", "AnswersGraded", "AttemptGraded"]


def submitted(services, teacher, exam_id: str, answers: list) -> dict[str, str]:
    """Each student of ``answers`` ([(student, [(question id, answer)])]) starts, saves and
    submits; once the auto-grader has opened every attempt's grades, the attempt id of each
    student's id."""
    attempts = {}
    for student, saves in answers:
        attempt_id = start(services, student, exam_id).json()["attempt_id"]
        for question_id, answer in saves:
            assert save(services, student, attempt_id, question_id, 1, answer
                        ).status_code == 200
        assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                          headers={**student["headers"], **key()}).status_code == 200
        attempts[student["user"]["user_id"]] = attempt_id
    for attempt_id in attempts.values():
        eventually(lambda: grades_of(services, teacher, attempt_id).status_code == 200,
                   timeout=30)
    return attempts


def regrade_question(services, user, exam_id: str, question_id: str,
                     apply: bool) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/exams/{exam_id}/regrade",
                      headers={**user["headers"], **key()},
                      json={"question_id": question_id, "apply": apply})


def corrected(services, teacher, exam_id: str, question_id: str, content: dict):
    """The teacher corrects the question (a new revision): the exam's regrade with it,
    ``apply`` -> what it answers."""
    fixed = httpx.put(f"{services.command_url}/v1/questions/{question_id}",
                      headers={**teacher["headers"], **key()}, json=content)
    assert fixed.status_code == 200, fixed.text

    def regrade(apply: bool) -> dict:
        answer = regrade_question(services, teacher, exam_id, question_id, apply)
        assert answer.status_code == 200, answer.text
        return answer.json()
    return regrade


def grade_by_hand(services, user, attempt_id: str, question_id: str, body: dict):
    return httpx.put(f"{services.command_url}/v1/attempts/{attempt_id}/grades/{question_id}",
                     headers={**user["headers"], **key()}, json=body)


async def _grade_again(settings, attempt_id: str, batch: bool = False):
    pool = await create_pool(settings, min_size=1, max_size=2, role="command")
    store, personal = PostgresEventStore(pool), PersonalData(pool, settings.personal_data_key)
    try:
        if batch:
            return await grade_submitted_batch(store, personal, [(attempt_id, None)] * 2,
                                               revisions=Revisions())
        return await grade_submitted(store, personal, attempt_id, revisions=Revisions())
    finally:
        await pool.close()


async def _attempt_events(settings, attempt_ids: list[str]) -> list[list]:
    pool = await create_pool(settings, min_size=1, max_size=2, role="command")
    try:
        streams = await PostgresEventStore(pool).load_many(
            [ATTEMPT.stream_id(a) for a in attempt_ids])
        return [s.events for s in streams]
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


def test_results_follow_the_exams_release_policy(services, make_user):
    """"When graded": a student sees the results as soon as every answer is graded, with no
    teacher publishing; "when published" (the default) waits for the teacher, per student."""
    teacher, alice, bob = make_user("teacher"), make_user("student"), make_user("student")
    now = datetime.now(timezone.utc)
    attempts = {}
    for release in ("when_graded", "when_published"):
        exam_id, [single] = published_exam(
            services, teacher, [alice, bob], [SINGLE], now - timedelta(minutes=1),
            now + timedelta(hours=1), settings={"results_release": release})
        for student in (alice, bob):
            attempt_id = start(services, student, exam_id).json()["attempt_id"]
            assert save(services, student, attempt_id, single, 1,
                        {"option_ids": ["b"]}).status_code == 200
            assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                              headers={**student["headers"], **key()}).status_code == 200
            attempts[(release, student["user"]["user_id"])] = attempt_id
        attempts[release] = exam_id

    def readable(student, release):
        return grades_of(services, student, attempts[(release, student["user"]["user_id"])])

    for student in (alice, bob):
        eventually(lambda: readable(student, "when_graded").status_code == 200, timeout=30)
    assert readable(bob, "when_graded").json()["score"] == 2
    # When published: graded, yet hidden until the teacher publishes, then only to Alice.
    for student in (alice, bob):
        eventually(lambda: grades_of(services, teacher, attempts[(
            "when_published", student["user"]["user_id"])]).status_code == 200, timeout=30)
    assert readable(alice, "when_published").json()["code"] == "results_not_published"
    only_alice = httpx.post(
        f"{services.command_url}/v1/exams/{attempts['when_published']}/results/publish",
        headers={**teacher["headers"], **key()},
        json={"student_ids": [alice["user"]["user_id"]]})
    assert only_alice.status_code == 200, only_alice.text
    assert only_alice.json()["results_for"] == [alice["user"]["user_id"]]
    eventually(lambda: readable(alice, "when_published").status_code == 200, timeout=20)
    assert readable(bob, "when_published").json()["code"] == "results_not_published"
    # Alice's id cannot open Bob's grades, published or not.
    assert grades_of(services, alice, attempts[("when_graded", bob["user"]["user_id"])]
                     ).json()["code"] == "grades_not_found"
    stranger = httpx.post(
        f"{services.command_url}/v1/exams/{attempts['when_published']}/results/publish",
        headers={**teacher["headers"], **key()}, json={"student_ids": ["nobody"]})
    assert stranger.status_code == 422 and stranger.json()["field"] == "student_ids.0"


def test_a_corrected_key_regrades_exactly_the_affected_answers(services, make_user):
    """The key said "false" where "true" was right. The teacher corrects the question (a new
    revision), previews the regrade (nothing changes yet), applies it: exactly the answers the
    correction affects change, a teacher's own grade stands, and applying again changes
    nothing."""
    teacher, outsider = make_user("teacher"), make_user("teacher")
    alice, bob, carol = (make_user("student") for _ in range(3))
    wrong_key = {**TRUE_FALSE, "true_false": {"correct": False}}
    now = datetime.now(timezone.utc)
    exam_id, [flawed, single] = published_exam(
        services, teacher, [alice, bob, carol], [wrong_key, SINGLE],
        now - timedelta(minutes=1), now + timedelta(hours=1))
    attempts = submitted(services, teacher, exam_id, [
        (student, [(flawed, {"option_ids": [picked]}), (single, {"option_ids": ["b"]})])
        for student, picked in ((alice, "true"), (bob, "true"), (carol, "false"))])
    carols = attempts[carol["user"]["user_id"]]
    # Carol's true/false graded by hand first (1 of 2): a teacher's grade stands.
    assert grade_by_hand(services, teacher, carols, flawed, {"points": 1}).status_code == 200
    fixed = httpx.put(f"{services.command_url}/v1/questions/{flawed}",
                      headers={**teacher["headers"], **key()}, json=TRUE_FALSE)
    assert fixed.status_code == 200, fixed.text

    def regrade(apply: bool, user=teacher) -> httpx.Response:
        return regrade_question(services, user, exam_id, flawed, apply)

    preview = regrade(False)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["revision"], body["applied"], body["attempts"], body["changed"]) == (
        2, False, 3, 2)
    by_student = {c["student_id"]: c for c in body["changes"]}
    assert (by_student[alice["user"]["user_id"]]["before"],
            by_student[alice["user"]["user_id"]]["after"]) == (0, 2)
    assert by_student[carol["user"]["user_id"]]["kept"] == "graded_by_hand"
    assert grades_of(services, teacher, attempts[alice["user"]["user_id"]]).json()["score"] \
        == 2  # the preview changed nothing

    applied = regrade(True)
    assert applied.status_code == 200 and applied.json()["changed"] == 2
    for student, score in ((alice, 4), (bob, 4), (carol, 3)):
        eventually(lambda: grades_of(services, teacher, attempts[student["user"]["user_id"]])
                   .json()["score"] == score, timeout=20)
    mark = next(m for m in grades_of(services, teacher, attempts[bob["user"]["user_id"]])
                .json()["marks"] if m["question_id"] == flawed)
    assert mark["detail"] == "right (regraded with revision 2)"
    assert regrade(True).json()["changed"] == 0
    assert regrade(False, outsider).status_code == 404
    unknown = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/regrade",
                         headers={**teacher["headers"], **key()},
                         json={"question_id": flawed, "revision": 9})
    assert unknown.status_code == 422 and unknown.json()["field"] == "revision"


def test_a_corrected_rubric_rescores_the_rubric_grades_and_grades_the_rest_with_it(
        services, make_user):
    """The essay's rubric gave "Clear" 4 points where 8 was meant. The teacher corrects it (a
    new revision) and regrades: the answer graded with the rubric keeps its levels and gets
    the new points, the one graded with plain points stands, and the one still to grade is
    graded with the corrected rubric."""
    teacher = make_user("teacher")
    alice, bob, carol = (make_user("student") for _ in range(3))
    now = datetime.now(timezone.utc)
    exam_id, [essay] = published_exam(services, teacher, [alice, bob, carol], [ESSAY],
                                      now - timedelta(minutes=1), now + timedelta(hours=1))
    attempts = submitted(services, teacher, exam_id, [
        (student, [(essay, {"text": "Primes make keys."})]) for student in (alice, bob, carol)])
    alices, bobs, carols = (attempts[s["user"]["user_id"]] for s in (alice, bob, carol))
    # Alice: "Vague" (2) and "Good" (1) of 5, on a 2-point question: 1.2; Bob: 1.5 by hand.
    assert grade_by_hand(services, teacher, alices, essay, {
        "rubric": {"idea": 1, "style": 1}, "feedback": "Say why."}).status_code == 200
    assert grade_by_hand(services, teacher, bobs, essay, {"points": 1.5}).status_code == 200
    corrected_essay = {**ESSAY, "long_answer": {**ESSAY["long_answer"], "rubric": [
        {**ESSAY["long_answer"]["rubric"][0], "levels": [
            {"label": "Missing", "points": 0}, {"label": "Vague", "points": 3},
            {"label": "Clear", "points": 8}]}, ESSAY["long_answer"]["rubric"][1]]}}
    regrade = corrected(services, teacher, exam_id, essay, corrected_essay)

    preview = regrade(False)
    assert (preview["revision"], preview["attempts"], preview["changed"],
            preview["to_grade"]) == (2, 3, 1, 1)
    by_attempt = {c["attempt_id"]: c for c in preview["changes"]}
    # Alice's levels on the corrected rubric: 3 + 1 of 9, scaled to 2 points.
    assert (by_attempt[alices]["before"], by_attempt[alices]["after"]) == (1.2, 0.8889)
    assert by_attempt[bobs]["kept"] == "graded_by_hand"
    assert (by_attempt[carols]["before"], by_attempt[carols]["kept"]) == (None, "to_grade")
    assert regrade(True)["changed"] == 1

    def alices_mark():
        found = grades_of(services, teacher, alices).json()
        return found["score"] == 0.8889 and next(iter(found["marks"]))
    mark = eventually(alices_mark, timeout=20)
    assert (mark["teacher_feedback"], mark["revision"], mark["method"]) == (
        "Say why.", 2, "manual")
    assert grades_of(services, teacher, bobs).json()["score"] == 1.5
    # Carol's essay is graded with the corrected rubric, and the queue shows it.
    queue = eventually(lambda: (found := httpx.get(
        f"{services.query_url}/v1/exams/{exam_id}/grading-queue",
        params={"question_id": essay}, headers=teacher["headers"]).json())["question"][
        "revision"] == 2 and found, timeout=20)
    assert [level["points"] for level in queue["question"]["rubric"][0]["levels"]] == [0, 3, 8]
    graded = httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grading-queue",
                       params={"question_id": essay, "state": "graded"},
                       headers=teacher["headers"]).json()["items"]
    assert [(i["points"], i["rubric"]) for i in graded if i["attempt_id"] == alices] == [
        (0.8889, {"idea": 1, "style": 1})]  # the levels the teacher picked
    assert grade_by_hand(services, teacher, carols, essay, {
        "rubric": {"idea": 2, "style": 1}}).json()["points"] == 2
    assert regrade(True)["changed"] == 0  # again: nothing changes


def test_analytics_equal_an_independent_computation(services, settings, make_user):
    import numpy as np

    teacher, outsider = make_user("teacher"), make_user("teacher")
    class_ = [make_user("student") for _ in range(6)]
    now = datetime.now(timezone.utc)
    exam_id, questions = published_exam(
        services, teacher, class_, [SINGLE, TRUE_FALSE, MULTIPLE], now - timedelta(minutes=1),
        now + timedelta(hours=1), settings={"pass_mark_percent": 50, "grade_bands": [
            {"letter": "Merit", "min_percent": 80}, {"letter": "Pass", "min_percent": 50},
            {"letter": "Fail", "min_percent": 0}]})
    picks = {SINGLE["stem"]: (["b"], ["a"]), TRUE_FALSE["stem"]: (["true"], ["false"]),
             MULTIPLE["stem"]: (["a", "b"], ["c"])}
    attempts, chosen = [], [[], [], []]  # per question: each student's picks
    for n, student in enumerate(class_):
        attempt_id = start(services, student, exam_id).json()["attempt_id"]
        for k, (question_id, content) in enumerate(zip(questions, [SINGLE, TRUE_FALSE,
                                                                   MULTIPLE])):
            right, wrong = picks[content["stem"]]
            if n == 5 and k == 2:
                chosen[k].append([])
                continue  # one student leaves a question unanswered
            answer = right if (n + k) % 3 != 0 or n == 0 else wrong
            chosen[k].append(answer)
            if k:  # the student moves on to the question (the page shows the first one)
                assert httpx.put(
                    f"{services.command_url}/v1/attempts/{attempt_id}/place",
                    headers={**student["headers"], **key()},
                    json={"flagged": [], "current_question_id": question_id}).status_code == 200
            assert save(services, student, attempt_id, question_id, 1,
                        {"option_ids": answer}).status_code == 200
        assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                          headers={**student["headers"], **key()}).status_code == 200
        attempts.append(attempt_id)

    def analytics():
        answer = httpx.get(f"{services.query_url}/v1/analytics/exams/{exam_id}",
                           headers=teacher["headers"])
        return answer.status_code == 200 and answer.json()["graded"] == 6 and \
            answer.json()["submitted"] == 6 and answer.json()
    found = eventually(analytics, timeout=30)
    marks = [{m["question_id"]: m["points"] for m in grades_of(services, teacher, a)
              .json()["marks"]} for a in attempts]
    points = np.array([[m[q] for q in questions] for m in marks])  # attempts x questions
    totals = points.sum(axis=1)
    assert (found["assigned"], found["submitted"], found["pending"]) == (6, 6, 0)
    assert found["completion"] == 1.0 and found["pass_mark_percent"] == 50
    score = found["score"]
    assert score["mean"] == pytest.approx(totals.mean())
    assert score["median"] == pytest.approx(np.median(totals))
    assert score["std"] == pytest.approx(totals.std())
    assert score["pass_rate"] == pytest.approx((100 * totals / 6 >= 50).mean())
    assert sum(b["attempts"] for b in score["histogram"]) == 6
    assert [q["question_id"] for q in found["questions"]] == questions
    for k, item in enumerate(found["questions"]):
        assert item["facility"] == pytest.approx((points[:, k] / 2).mean())
        rest = totals - points[:, k]
        expected = None if points[:, k].std() == 0 else np.corrcoef(points[:, k], rest)[0, 1]
        assert item["point_biserial"] == pytest.approx(expected)
    assert found["questions"][0]["stem"] == SINGLE["stem"]
    # Distractor analysis: every option's picks, and the blank answers, as the class made them.
    for k, item in enumerate(found["questions"]):
        options = {o["option_id"]: o for o in item["options"]}
        for option_id, option in options.items():
            expected = [option_id in p if option_id else not p for p in chosen[k]]
            assert option["picked"] == sum(expected), (item["stem"], option_id)
            assert option["share"] == pytest.approx(np.mean(expected))
    assert [(o["option_id"], o["text"], o["correct"]) for o in found["questions"][0][
        "options"]] == [("a", "four", False), ("b", "five", True), (None, None, False)]
    assert [o["option_id"] for o in found["questions"][1]["options"]] == ["true", "false", None]
    assert found["questions"][2]["options"][-1]["picked"] == 1  # left blank
    assert sum(b["attempts"] for b in found["time_histogram"]) == 6
    assert found["time_histogram"][-1]["to_minutes"] == pytest.approx(30)
    # The same numbers as CSV files for a spreadsheet.
    results = exported(services, teacher, f"/v1/exams/{exam_id}/grades/export")
    assert results[0][:7] == ["student", "email", "attempt_id", "status", "score",
                              "max_score", "percent"] and len(results) == 7
    assert sorted(float(r[4]) for r in results[1:]) == sorted(totals.tolist())
    # The exam's grade scheme: a band and a pass for each, by its percent.
    assert results[0][7:9] == ["grade", "passed"]
    for row in results[1:]:
        percent = float(row[6])
        assert row[7] == ("Merit" if percent >= 80 else "Pass" if percent >= 50 else "Fail")
        assert row[8] == ("yes" if percent >= 50 else "no")
    overview = httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grades",
                         headers=teacher["headers"]).json()
    assert all(i["grade"] in ("Merit", "Pass", "Fail") and i["passed"] == (i["percent"] >= 50)
               for i in overview["items"])
    items = exported(services, teacher, f"/v1/analytics/exams/{exam_id}/export")
    assert [float(r[6]) for r in items[1:]] == pytest.approx(
        [q["facility"] for q in found["questions"]])
    assert found["time_minutes_median"] is not None and found["time_minutes_median"] < 5
    # The average time on screen, from the attempts' own events: each question from the
    # moment the student moved to it (the start, for the first) to the next move or submission.
    on_screen = {q: [] for q in questions}
    for events in asyncio.run(_attempt_events(settings, attempts)):
        moments = [events[0].payload.started_at] + [
            e.envelope.occurred_at for e in events if e.event_type == "PlaceKept"] + [
            events[-1].payload.submitted_at]
        shown = [events[0].payload.questions[0].question_id] + [
            e.payload.current_question_id for e in events if e.event_type == "PlaceKept"]
        spans = np.diff([m.timestamp() for m in moments])
        for question_id in set(shown):  # over the attempts that opened it
            on_screen[question_id].append(
                sum(s for s, q in zip(spans, shown) if q == question_id))
    assert len(on_screen[questions[2]]) == 5  # one student never opened the last question
    for k, item in enumerate(found["questions"]):
        assert item["seconds_mean"] == pytest.approx(np.mean(on_screen[questions[k]]),
                                                     abs=0.01)
        assert item["seconds_median"] == pytest.approx(np.median(on_screen[questions[k]]),
                                                       abs=0.01)
    assert [float(r[9]) for r in items[1:]] == pytest.approx(
        [q["seconds_mean"] for q in found["questions"]])
    assert httpx.get(f"{services.query_url}/v1/analytics/exams/{exam_id}",
                     headers=outsider["headers"]).status_code == 404
    # An analyst reads the same figures (six graded attempts: enough that none stands out).
    assert httpx.get(f"{services.query_url}/v1/analytics/exams/{exam_id}",
                     headers=make_user("analyst")["headers"]).json() == {
        **found, "withheld": False}


def test_analysts_read_published_exams_figures_over_enough_students_only(services,
                                                                          make_user):
    teacher, analyst = make_user("teacher"), make_user("analyst")
    pair = [make_user("student") for _ in range(2)]
    now = datetime.now(timezone.utc)
    exam_id, [question] = published_exam(services, teacher, pair, [SINGLE],
                                         now - timedelta(minutes=1), now + timedelta(hours=1))
    attempts = submitted(services, teacher, exam_id, [
        (student, [(question, {"option_ids": ["b"]})]) for student in pair])

    def read(path: str) -> httpx.Response:
        return httpx.get(f"{services.query_url}{path}", headers=analyst["headers"])
    figures = eventually(lambda: (found := read(f"/v1/analytics/exams/{exam_id}").json())[
        "graded"] == 2 and found, timeout=20)
    # Two students: their mean would give one's score away to the other.
    assert figures["withheld"] is True and figures["questions"] == [] and \
        figures["score"]["mean"] is None and figures["submitted"] == 2
    # Nothing of a student's: not their grades, results, trend or names.
    [attempt_id] = list(attempts.values())[:1]
    for path in (f"/v1/exams/{exam_id}/grades", f"/v1/attempts/{attempt_id}/grades",
                 f"/v1/exams/{exam_id}/grades/export",
                 f"/v1/analytics/students/{pair[0]['user']['user_id']}"):
        assert read(path).status_code == 404, path
    # A draft's figures do not exist for them.
    drafted = httpx.post(f"{services.command_url}/v1/exams",
                         headers={**teacher["headers"], **key()},
                         json={"title": "Unpublished", "duration_minutes": 30})
    assert drafted.status_code == 201
    draft_id = drafted.json()["exam_id"]
    eventually(lambda: httpx.get(f"{services.query_url}/v1/analytics/exams/{draft_id}",
                                 headers=teacher["headers"]).status_code == 200, timeout=20)
    assert read(f"/v1/analytics/exams/{draft_id}").status_code == 404


def exported(services, user, path: str) -> list[list[str]]:
    import base64
    import csv
    import io

    answer = httpx.get(f"{services.query_url}{path}", headers=user["headers"])
    assert answer.status_code == 200, answer.text
    text = base64.b64decode(answer.json()["data_base64"]).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_a_students_results_over_exams(services, make_user):
    """A student's trend: each exam's result against the exam's mean and their rank in it;
    the student sees only what is released to them, another teacher nothing."""
    teacher, stranger = make_user("teacher"), make_user("teacher")
    alice, bob = make_user("student"), make_user("student")
    now = datetime.now(timezone.utc)
    exams = []
    for alice_right in (True, False):
        exam_id, [single] = published_exam(services, teacher, [alice, bob], [SINGLE],
                                           now - timedelta(minutes=1), now + timedelta(hours=1))
        for student, right in ((alice, alice_right), (bob, True)):
            attempt_id = start(services, student, exam_id).json()["attempt_id"]
            assert save(services, student, attempt_id, single, 1,
                        {"option_ids": ["b" if right else "a"]}).status_code == 200
            assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                              headers={**student["headers"], **key()}).status_code == 200
        exams.append(exam_id)
    # Only the first exam's results are published.
    assert httpx.post(f"{services.command_url}/v1/exams/{exams[0]}/results/publish",
                      headers={**teacher["headers"], **key()}, json={}).status_code == 200

    def trend(user, student=alice):
        return httpx.get(f"{services.query_url}/v1/analytics/students/"
                         f"{student['user']['user_id']}", headers=user["headers"])

    seen = eventually(lambda: (lambda r: r.status_code == 200 and len(r.json()["exams"]) == 2
                               and all(e["graded_attempts"] == 2 for e in r.json()["exams"])
                               and r.json())(trend(teacher)), timeout=30)
    first, second = seen["exams"]
    assert [e["exam_id"] for e in seen["exams"]] == exams  # oldest first
    assert (first["percent"], first["exam_mean_percent"], first["percentile_rank"]) == (
        100, 100, 0.5)
    assert (second["percent"], second["exam_mean_percent"], second["percentile_rank"]) == (
        0, 50, 0.25)
    assert seen["name"] == alice["user"]["name"]
    own = eventually(lambda: (lambda r: r.status_code == 200 and r.json()["exams"] and
                              r.json())(trend(alice)), timeout=20)
    assert [e["exam_id"] for e in own["exams"]] == exams[:1]  # the second is not released
    assert trend(stranger).status_code == 404
    assert trend(bob).status_code == 404  # another student's trend
