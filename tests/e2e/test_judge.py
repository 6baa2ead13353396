"""The coding judge on the real stack: students submit programs, the auto-grader asks the
judge, a judge worker runs each program in the sandbox against the question's tests, and the
verdict grades the answer. Hostile programs are contained and graded like any other, and the
worker goes on judging the next student's.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx

from tests.e2e.harness import eventually, key
from tests.e2e.test_attempts import published_exam, save, start
from tests.e2e.test_grading import corrected, grades_of

SUM_OF_A_LINE = {
    "question_type": "coding", "stem": "Print the sum of the whole numbers on the input line.",
    "coding": {"language": "python", "time_limit_ms": 1000, "memory_limit_mb": 128,
               "sample_tests": [{"test_id": "sample", "stdin": "1 2\n",
                                 "expected_stdout": "3\n"}],
               "hidden_tests": [
                   {"test_id": "two", "stdin": "2 2\n", "expected_stdout": "4\n"},
                   {"test_id": "negative", "stdin": "-5 10 1\n", "expected_stdout": "6\n"},
                   {"test_id": "empty", "stdin": "\n", "expected_stdout": "0\n",
                    "weight": 2}]}}
SQUARE = {
    "question_type": "coding", "stem": "Read n and print n squared.",
    "coding": {"language": "c", "time_limit_ms": 1000, "memory_limit_mb": 128,
               "sample_tests": [{"test_id": "sample", "stdin": "3\n", "expected_stdout": "9\n"}],
               "hidden_tests": [{"test_id": "big", "stdin": "40000\n",
                                 "expected_stdout": "1600000000\n"},
                                {"test_id": "zero", "stdin": "0\n", "expected_stdout": "0\n"}]}}

# Right but for an empty line (an IndexError): half of the hidden tests' weight.
ALMOST = ("numbers = input().split()\n"
          "print(int(numbers[0]) + sum(int(n) for n in numbers[1:]))\n")
SQUARE_IN_C = ('#include <stdio.h>\nint main(void) { long long n; scanf("%lld", &n);\n'
               'printf("%lld\\n", n * n); return 0; }\n')
FORK_BOMB = "import os\nwhile True:\n    os.fork()\n"
STEALS_A_SECRET = '#include "/etc/shadow"\nint main(void) { return 0; }\n'


def submit(services, student, exam_id: str, programs: dict[str, str]) -> str:
    attempt_id = start(services, student, exam_id).json()["attempt_id"]
    for question_id, code in programs.items():
        saved = save(services, student, attempt_id, question_id, 1, {"code": code})
        assert saved.status_code == 200, saved.text
    submitted = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                           headers={**student["headers"], **key()})
    assert submitted.status_code == 200, submitted.text
    return attempt_id


def judged(services, teacher, attempt_id: str) -> dict:
    """The attempt's grades once the judge has graded every program."""
    def done():
        r = grades_of(services, teacher, attempt_id)
        return r.status_code == 200 and r.json()["status"] == "graded" and r.json()
    return eventually(done, timeout=90)


def test_programs_are_judged_and_hostile_ones_contained(services, make_user):
    teacher, alice, bob = make_user("teacher"), make_user("student"), make_user("student")
    now = datetime.now(timezone.utc)
    exam_id, (in_python, in_c) = published_exam(
        services, teacher, [alice, bob], [SUM_OF_A_LINE, SQUARE], now - timedelta(minutes=1),
        now + timedelta(hours=1))
    bobs = submit(services, bob, exam_id, {in_python: FORK_BOMB, in_c: STEALS_A_SECRET})
    alices = submit(services, alice, exam_id, {in_python: ALMOST, in_c: SQUARE_IN_C})

    # Bob's programs came first and did their worst; Alice's were judged all the same.
    mine = judged(services, teacher, alices)
    marks = {m["question_id"]: m for m in mine["marks"]}
    assert (marks[in_python]["points"], marks[in_c]["points"], mine["score"]) == (1, 2, 3)
    assert marks[in_python]["method"] == "judge"
    assert marks[in_python]["detail"] == "2 of 3 hidden tests passed (50% of the weight)"
    report = marks[in_python]["judge"]
    assert (report["language"], report["hidden_passed"], report["hidden_total"]) == (
        "python", 2, 3)
    outcomes = {t["test_id"]: t for t in report["tests"]}  # the teacher sees every test
    assert {t: outcomes[t]["status"] for t in outcomes} == {
        "sample": "passed", "two": "passed", "negative": "passed", "empty": "runtime_error"}
    assert "IndexError" in outcomes["empty"]["message"]
    assert marks[in_c]["judge"]["compile_status"] == "ok"

    his = judged(services, teacher, bobs)
    marks = {m["question_id"]: m for m in his["marks"]}
    assert his["score"] == 0
    bomb = marks[in_python]["judge"]["tests"]
    assert all(t["status"] != "passed" for t in bomb)
    assert marks[in_c]["detail"] == "did not compile"
    assert marks[in_c]["judge"]["compile_status"] == "compile_error"
    assert "shadow" in marks[in_c]["judge"]["compile_message"]

    # Published: Alice sees her sample test's outcome and how many hidden tests passed, never
    # a hidden test's own outcome (a program can print its input to its error output).
    published = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/results/publish",
                           headers={**teacher["headers"], **key()}, json={})
    assert published.status_code == 200, published.text
    seen = eventually(lambda: (lambda r: r.status_code == 200 and r.json())(
        grades_of(services, alice, alices)), timeout=20)
    report = {m["question_id"]: m for m in seen["marks"]}[in_python]["judge"]
    assert [t["test_id"] for t in report["tests"]] == ["sample"]
    assert (report["hidden_passed"], report["hidden_total"]) == (2, 3)

    # The grading queue shows the teacher each program with its tests.
    queue = httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grading-queue",
                      params={"question_id": in_c, "state": "all"}, headers=teacher["headers"])
    assert queue.status_code == 200, queue.text
    by_status = sorted(i["judge"]["compile_status"] for i in queue.json()["items"])
    assert by_status == ["compile_error", "ok"]

    # The teacher corrects the tests (an empty line was never meant to be asked): the regrade
    # preview lists both programs for the judge, applying sends them, and Alice's program
    # passes every corrected test; a repeated regrade asks nothing more.
    regrade = corrected(services, teacher, exam_id, in_python, {
        **SUM_OF_A_LINE, "coding": {**SUM_OF_A_LINE["coding"], "hidden_tests": [
            *SUM_OF_A_LINE["coding"]["hidden_tests"][:2],
            {"test_id": "zero", "stdin": "0\n", "expected_stdout": "0\n", "weight": 2}]}})

    preview = regrade(False)
    assert (preview["revision"], preview["attempts"], preview["judging"]) == (2, 2, 2)
    assert all(c["judging"] and c["after"] is None for c in preview["changes"])
    assert regrade(True)["judging"] == 2

    def rejudged():
        body = grades_of(services, teacher, alices).json()
        mark = {m["question_id"]: m for m in body["marks"]}[in_python]
        return mark["revision"] == 2 and body
    again = eventually(rejudged, timeout=90)
    mark = {m["question_id"]: m for m in again["marks"]}[in_python]
    assert (mark["points"], again["score"]) == (2, 4)
    assert mark["detail"] == "3 of 3 hidden tests passed"
    assert eventually(lambda: regrade(False)["judging"] == 0, timeout=60)
