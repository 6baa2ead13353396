"""The teacher's exam builder over HTTP on the real stack: questions pinned from the bank,
random pools, settings, assignment by id and by pasted emails, accommodations with a reason
only staff read, publish validation, the changes a published exam still allows, cloning, and
what each student sees."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import asyncpg
import httpx
import pytest

from tests.e2e.harness import TRUE_FALSE, WINDOW, bank_question, eventually, key

REASON = f"dyslexia assessment {uuid.uuid4().hex[:6]}"


def command(services, user, method, path, body=None, **headers) -> httpx.Response:
    return httpx.request(method, f"{services.command_url}{path}", json=body, timeout=30,
                         headers={**user["headers"], **key(), **headers})


def read(services, user, path, **params) -> httpx.Response:
    return httpx.get(f"{services.query_url}{path}", headers=user["headers"], params=params,
                     timeout=30)


def assignments(services, user, exam_id: str) -> list[dict]:
    """The exam's assignments, or none while the catalogue (a read model) has not the exam."""
    found = read(services, user, f"/v1/exams/{exam_id}/assignments")
    return found.json()["items"] if found.status_code == 200 else []


@pytest.fixture(scope="module")
def course(services, make_user):
    teacher = make_user("teacher")
    students = [make_user("student") for _ in range(3)]
    questions = [bank_question(services.command_url, teacher) for _ in range(4)]
    drafted = command(services, teacher, "POST", "/v1/exams",
                      {"title": "Builder midterm", "duration_minutes": 60, **WINDOW})
    assert drafted.status_code == 201
    return teacher, students, questions, drafted.json()["exam_id"]


def layout(questions, draw=2) -> dict:
    return {"shuffle_questions": True, "shuffle_options": True, "sections": [
        {"section_id": "a", "title": "Fixed", "items": [
            {"item_id": "first", "candidates": [{"question_id": questions[0]}], "points": 4}]},
        {"section_id": "b", "title": "Pool", "items": [
            {"item_id": "pool", "draw": draw, "points": 2,
             "candidates": [{"question_id": q} for q in questions[1:]]}]}]}


def test_publishing_an_empty_exam_lists_every_problem(services, make_user):
    teacher = make_user("teacher")
    exam_id = command(services, teacher, "POST", "/v1/exams",
                      {"title": "Empty", "duration_minutes": 30}).json()["exam_id"]
    refused = command(services, teacher, "POST", f"/v1/exams/{exam_id}/publish")
    assert refused.status_code == 422
    assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {
        ("sections", "no_questions"), ("window_opens_at", "window_missing"),
        ("assignments", "nobody_assigned")}


def test_questions_are_pinned_at_their_revision_and_pools_are_checked(services, course,
                                                                      make_user):
    teacher, _, questions, exam_id = course
    too_big = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/questions",
                      layout(questions, draw=5))
    assert too_big.status_code == 422
    assert too_big.json()["field"] == "sections.1.items.0.draw"
    assert too_big.json()["code"] == "pool_too_small"
    stranger = make_user("teacher")
    foreign = bank_question(services.command_url, stranger)
    not_mine = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/questions",
                       layout([foreign, *questions[1:]]))
    assert not_mine.status_code == 422
    assert not_mine.json()["errors"] == [{
        "field": "sections.0.items.0.candidates.0.question_id", "code": "question_not_found",
        "detail": f"question {foreign} does not exist"}]
    assert command(services, teacher, "PUT", f"/v1/exams/{exam_id}/questions",
                   layout(questions)).status_code == 200
    # an edit after pinning makes revision 2; the exam keeps revision 1
    assert command(services, teacher, "PUT", f"/v1/questions/{questions[0]}",
                   {**TRUE_FALSE, "stem": "Edited later"}).json()["revision"] == 2
    document = eventually(lambda: (r := read(services, teacher, f"/v1/exams/{exam_id}")).json()
                          .get("sections") and r.json())
    first = document["sections"][0]["items"][0]
    assert first["candidates"] == [{"question_id": questions[0], "revision": 1}]
    assert document["shuffle_questions"] is True
    catalogue = eventually(lambda: [e for e in read(services, teacher, "/v1/exams",
                                                    mine=True).json()["items"]
                                    if e["exam_id"] == exam_id and e["question_count"] == 3])
    assert catalogue[0]["total_points"] == 8


def test_settings_are_checked_and_kept(services, course):
    teacher, _, _, exam_id = course
    bad = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/settings",
                  {"navigation": "sideways", "attempts_allowed": 0})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {
        "navigation", "attempts_allowed"}
    chosen = {"late_entry_minutes": 10, "attempts_allowed": 1, "navigation": "linear",
              "results_release": "after_window", "pass_mark_percent": 50,
              "proctoring": {"enabled": True, "detectors": ["face", "tab_switch"]}}
    good = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/settings", chosen)
    assert good.status_code == 200, good.text
    settings = eventually(lambda: read(services, teacher, f"/v1/exams/{exam_id}").json()
                          .get("settings"))
    assert settings["navigation"] == "linear" and settings["proctoring"]["enabled"] is True
    # A grade scheme: bands named by their place when wrong, kept highest first.
    gapped = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/settings",
                     {"grade_bands": [{"letter": "A", "min_percent": 80},
                                      {"letter": "A", "min_percent": 40}]})
    assert gapped.status_code == 422
    assert {e["code"] for e in gapped.json()["errors"]} == {"grade_letter_repeated",
                                                            "grade_bands_not_from_zero"}
    too_high = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/settings",
                       {"grade_bands": [{"letter": "A", "min_percent": 180}]})
    assert too_high.status_code == 422
    assert too_high.json()["errors"][0]["field"] == "grade_bands.0.min_percent"
    banded = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/settings",
                     {**chosen, "grade_bands": [{"letter": "F", "min_percent": 0},
                                                {"letter": "A", "min_percent": 80}]})
    assert banded.status_code == 200, banded.text
    bands = eventually(lambda: read(services, teacher, f"/v1/exams/{exam_id}").json()
                       ["settings"].get("grade_bands"))
    assert bands == [{"letter": "A", "min_percent": 80}, {"letter": "F", "min_percent": 0}]


def test_students_are_assigned_by_id_and_pasted_emails_all_or_nothing(services, course, admin):
    teacher, students, _, exam_id = course
    emails = [students[1]["user"]["email"].upper(), "nobody@example.edu"]
    refused = command(services, teacher, "POST", f"/v1/exams/{exam_id}/assign",
                      {"student_ids": [students[0]["user"]["user_id"], teacher["user"]["user_id"]],
                       "emails": emails})
    assert refused.status_code == 422
    assert {(e["field"], e["code"]) for e in refused.json()["errors"]} == {
        ("student_ids.1", "not_a_student"), ("emails.1", "unknown_email")}
    assigned = command(services, teacher, "POST", f"/v1/exams/{exam_id}/assign",
                       {"student_ids": [students[0]["user"]["user_id"]], "emails": emails[:1]})
    assert assigned.status_code == 200 and assigned.json()["assigned_count"] == 2


def test_an_accommodation_reason_is_sealed_in_the_log_and_only_staff_read_it(
        services, course, live_stack):
    teacher, students, _, exam_id = course
    student_id = students[0]["user"]["user_id"]
    unassigned = command(services, teacher, "PUT",
                         f"/v1/exams/{exam_id}/accommodations/{students[2]['user']['user_id']}",
                         {"extra_minutes": 10})
    assert unassigned.status_code == 404 and unassigned.json()["code"] == "student_not_assigned"
    granted = command(services, teacher, "PUT",
                      f"/v1/exams/{exam_id}/accommodations/{student_id}",
                      {"extra_percent": 25, "reason": REASON})
    assert granted.status_code == 200, granted.text

    def assignment():
        items = assignments(services, teacher, exam_id)
        mine = [a for a in items if a["student_id"] == student_id and a["accommodation"]]
        return mine[0] if mine else None

    seen = eventually(assignment)
    assert seen["accommodation"]["reason"] == REASON
    assert seen["accommodation"]["extra_percent"] == 25
    assert seen["email"] == students[0]["user"]["email"]
    assert read(services, students[0], f"/v1/exams/{exam_id}/assignments").status_code == 404

    async def raw_log() -> bytes:
        conn = await asyncpg.connect(live_stack.postgres_dsn)
        try:
            return b"".join(await conn.fetchval(
                "SELECT array_agg(body) FROM eventlog.events WHERE stream_id = $1",
                f"exam-{exam_id}"))
        finally:
            await conn.close()

    assert REASON.encode() not in asyncio.run(raw_log())


def test_publishing_then_only_safe_changes_and_each_student_sees_their_own(services, course):
    teacher, students, questions, exam_id = course
    published = command(services, teacher, "POST", f"/v1/exams/{exam_id}/publish")
    assert published.status_code == 200, published.text
    late = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/settings", {})
    assert late.status_code == 409 and late.json()["code"] == "exam_not_draft"
    moved = command(services, teacher, "PUT", f"/v1/exams/{exam_id}/questions", layout(questions))
    assert moved.status_code == 409
    extended = command(services, teacher, "POST", f"/v1/exams/{exam_id}/extend",
                       {"window_closes_at": "2027-03-01T13:00:00+01:00"})
    assert extended.status_code == 409 or extended.status_code == 422  # 12:00Z: not later
    extended = command(services, teacher, "POST", f"/v1/exams/{exam_id}/extend",
                       {"window_closes_at": "2027-03-01T14:00:00Z"})
    assert extended.status_code == 200, extended.text

    accommodated, plain, outsider = students

    def listed(student):
        return [e for e in read(services, student, "/v1/exams").json()["items"]
                if e["exam_id"] == exam_id and e["window_closes_at"].startswith("2027-03-01T14")]

    mine = eventually(lambda: listed(accommodated))[0]
    assert mine["your_terms"] == {"extra_minutes": 0, "extra_percent": 25,
                                  "window_opens_at": None, "window_closes_at": None}
    assert eventually(lambda: listed(plain))[0]["your_terms"] is None
    assert listed(outsider) == []
    assert read(services, outsider, f"/v1/exams/{exam_id}").status_code == 404
    # The exam's document (MongoDB) follows the catalogue, a moment later.
    as_student = eventually(lambda: (r := read(services, plain, f"/v1/exams/{exam_id}"))
                            .status_code == 200 and r)
    assert as_student.json()["sections"] is None  # the layout and its pools are staff's

    later = command(services, teacher, "POST", f"/v1/exams/{exam_id}/assign",
                    {"student_ids": [outsider["user"]["user_id"]]})
    assert later.status_code == 200 and later.json()["assigned_count"] == 3
    eventually(lambda: listed(outsider))


def test_a_clone_is_a_new_draft_with_the_questions_and_no_students(services, course):
    teacher, _, _, exam_id = course
    cloned = command(services, teacher, "POST", f"/v1/exams/{exam_id}/clone", {})
    assert cloned.status_code == 201, cloned.text
    assert cloned.json()["status"] == "draft" and cloned.json()["assigned_count"] == 0
    copy = eventually(lambda: (r := read(services, teacher,
                                         f"/v1/exams/{cloned.json()['exam_id']}")).status_code
                      == 200 and r.json())
    assert copy["title"] == "Builder midterm (copy)"
    assert [s["section_id"] for s in copy["sections"]] == ["a", "b"]


def test_a_whole_cohort_is_assigned_at_once(services, make_user):
    teacher = make_user("teacher")
    students = [make_user("student") for _ in range(3)]
    created = command(services, teacher, "POST", "/v1/cohorts", {
        "name": "Year 10 B", "student_ids": [students[0]["user"]["user_id"]],
        "emails": [s["user"]["email"] for s in students[1:]]})
    assert created.status_code == 201, created.text
    assert created.json()["member_count"] == 3
    cohort_id = created.json()["cohort_id"]
    unknown = command(services, teacher, "POST", "/v1/cohorts",
                      {"name": "Typos", "emails": ["nobody@example.edu"]})
    assert unknown.status_code == 422 and unknown.json()["field"] == "emails.0"
    listed = eventually(lambda: [c for c in read(services, make_user("teacher"), "/v1/cohorts",
                                                 q="year 10").json()["items"]
                                 if c["cohort_id"] == cohort_id])
    assert listed[0]["member_count"] == 3
    detail = read(services, teacher, f"/v1/cohorts/{cohort_id}").json()
    assert sorted(m["email"] for m in detail["members"]) == sorted(
        s["user"]["email"] for s in students)
    assert read(services, students[0], "/v1/cohorts").status_code == 403

    exam_id = command(services, teacher, "POST", "/v1/exams",
                      {"title": "Cohort exam", "duration_minutes": 30, **WINDOW}).json()["exam_id"]
    assigned = command(services, teacher, "POST", f"/v1/exams/{exam_id}/assign",
                       {"cohort_ids": [cohort_id]})
    assert assigned.status_code == 200 and assigned.json()["assigned_count"] == 3
    missing = command(services, teacher, "POST", f"/v1/exams/{exam_id}/assign",
                      {"cohort_ids": ["no-such-cohort"]})
    assert missing.status_code == 404 and missing.json()["field"] == "cohort_ids.0"


def test_erasing_a_student_makes_their_accommodation_reason_unreadable_at_once(
        services, make_user):
    teacher, student = make_user("teacher"), make_user("student")
    student_id = student["user"]["user_id"]
    exam_id = command(services, teacher, "POST", "/v1/exams",
                      {"title": "Erasure", "duration_minutes": 30, **WINDOW}).json()["exam_id"]
    assert command(services, teacher, "POST", f"/v1/exams/{exam_id}/assign",
                   {"student_ids": [student_id]}).status_code == 200
    assert command(services, teacher, "PUT", f"/v1/exams/{exam_id}/accommodations/{student_id}",
                   {"extra_minutes": 20, "reason": REASON}).status_code == 200

    def reason():
        items = assignments(services, teacher, exam_id)
        return items[0]["accommodation"]["reason"] if items and items[0]["accommodation"] \
            else None

    assert eventually(reason) == REASON
    erased = subprocess.run([sys.executable, "-m", "soems.cli", "gdpr", "erase", student_id],
                            capture_output=True, text=True, timeout=120)
    assert erased.returncode == 0, erased.stderr
    assert reason() == "(erased)"  # no read model to scrub: the key is gone
