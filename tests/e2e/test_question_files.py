"""Question files over HTTP on the real stack: a 1,000-row CSV with 3 bad rows is reported by
row and column and nothing is imported until the teacher confirms (all rows once fixed, or
the valid ones); QTI export then import gives equal questions; a Moodle XML bank imports with
what it lost reported; limits and roles hold."""
from __future__ import annotations

import base64
import csv
import io
import uuid
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.e2e.harness import eventually, key

HEADER = ["type", "stem", "difficulty", "tags", "options", "correct", "accepted_answers",
          "numeric_value", "numeric_tolerance"]
BAD_ROWS = {11: ("correct", "Z"), 501: ("type", "essay_question"), 999: ("difficulty", "hardest")}


def a_csv(word: str, rows: int = 1000, bad: dict[int, tuple[str, str]] = BAD_ROWS) -> bytes:
    """``rows`` questions (single choice, short answer, numeric in turn), with ``bad`` cells
    (spreadsheet row numbers: the header is row 1)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for n in range(rows):
        kind = n % 3
        row = {"type": ["single_choice", "short_answer", "short_answer"][kind],
               "stem": f"{word} question {n}", "difficulty": "medium", "tags": "imported|csv",
               "options": "one|two|three" if kind == 0 else "",
               "correct": "B" if kind == 0 else "",
               "accepted_answers": "Paris|paris" if kind == 1 else "",
               "numeric_value": "3.14" if kind == 2 else "",
               "numeric_tolerance": "0.01" if kind == 2 else ""}
        if n + 2 in bad:
            column, value = bad[n + 2]
            row[column] = value
        writer.writerow([row[c] for c in HEADER])
    return out.getvalue().encode("utf-8-sig")


def post_file(services, user, path, data: bytes, content_type="text/csv", **params):
    return httpx.post(f"{services.command_url}/v1/questions/imports{path}", content=data,
                      params=params, timeout=120,
                      headers={**user["headers"], **key(), "Content-Type": content_type})


def bank_total(services, user, word) -> int:
    return httpx.get(f"{services.query_url}/v1/questions", headers=user["headers"],
                     params={"q": word}).json()["total"]


def test_a_csv_with_bad_rows_is_reported_and_nothing_imported_until_confirmed(
        services, make_user):
    teacher = make_user("teacher")
    word = f"csv{uuid.uuid4().hex[:8]}"
    data = a_csv(word)
    preview = post_file(services, teacher, "/preview", data)
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert (report["total"], report["valid"], report["invalid"]) == (1000, 997, 3)
    bad = {(int(i["position"]), e["column"]) for i in report["items"] for e in i["errors"]}
    assert bad == {(row, column) for row, (column, _) in BAD_ROWS.items()}

    refused = post_file(services, teacher, "", data)
    assert refused.status_code == 422
    assert {e["field"] for e in refused.json()["errors"]} == {
        "rows.11.correct", "rows.501.type", "rows.999.difficulty"}
    assert bank_total(services, teacher, word) == 0  # nothing imported

    fixed = a_csv(word, bad={})
    same_key = key()
    imported = httpx.post(f"{services.command_url}/v1/questions/imports", content=fixed,
                          timeout=120, headers={**teacher["headers"], **same_key,
                                                "Content-Type": "text/csv"})
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 1000 and imported.json()["skipped"] == []
    retried = httpx.post(f"{services.command_url}/v1/questions/imports", content=fixed,
                         timeout=120, headers={**teacher["headers"], **same_key,
                                               "Content-Type": "text/csv"})
    assert retried.json() == imported.json()  # a retry imports nothing twice
    eventually(lambda: bank_total(services, teacher, word) == 1000, timeout=60)


def test_the_valid_rows_only_when_the_teacher_asks(services, make_user):
    teacher = make_user("teacher")
    word = f"valid{uuid.uuid4().hex[:8]}"
    imported = post_file(services, teacher, "", a_csv(word, rows=30, bad={5: ("correct", "Q")}),
                         only_valid="true")
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 29 and imported.json()["skipped"] == ["5"]
    eventually(lambda: bank_total(services, teacher, word) == 29)


def test_a_file_that_cannot_be_read_is_never_imported(services, teacher):
    missing_column = b"stem,difficulty\r\nWhat?,easy\r\n"
    answer = post_file(services, teacher, "", missing_column, only_valid="true")
    assert answer.status_code == 422 and answer.json()["code"] == "file_unreadable"
    empty = post_file(services, teacher, "", b"")
    assert empty.status_code == 422 and empty.json()["field"] == "body"
    huge = post_file(services, teacher, "/preview", b"x" * (21 * 2**20))
    assert huge.status_code == 413


@pytest.mark.parametrize("format_, resource_type", [("qti", "imsqti_item_xmlv2p1"),
                                                    ("qti30", "imsqti_item_xmlv3p0")])
def test_qti_export_then_import_gives_equal_questions(services, make_user, format_,
                                                      resource_type):
    teacher = make_user("teacher")
    word = f"qti{uuid.uuid4().hex[:8]}"
    contents = [
        {"question_type": "single_choice", "stem": f"{word} pick one", "tags": ["t"],
         "difficulty": "hard", "choice": {"options": [
             {"option_id": "a", "text": "x"}, {"option_id": "b", "text": "y", "correct": True}]}},
        {"question_type": "multiple_choice", "stem": f"{word} pick many", "choice": {
            "scoring": "per_option", "wrong_pick_penalty": 0.5, "options": [
                {"option_id": "a", "text": "x", "correct": True},
                {"option_id": "b", "text": "y"}, {"option_id": "c", "text": "z",
                                                  "correct": True}]}},
        {"question_type": "true_false", "stem": f"{word} true?",
         "true_false": {"correct": False}},
        {"question_type": "short_answer", "stem": f"{word} pi?",
         "short_answer": {"numeric": {"value": 3.14, "tolerance": 0.01}}},
        {"question_type": "long_answer", "stem": f"{word} discuss",
         "long_answer": {"model_answer": "m", "max_words": 100, "rubric": [
             {"criterion_id": "c", "title": "Clarity", "levels": [
                 {"label": "low", "points": 0}, {"label": "high", "points": 3}]}]}},
        {"question_type": "coding", "stem": f"{word} code", "coding": {
            "language": "python", "hidden_tests": [
                {"test_id": "h", "stdin": "1", "expected_stdout": "1"}]}},
    ]
    ids = []
    for content in contents:
        written = httpx.post(f"{services.command_url}/v1/questions", json=content,
                             headers={**teacher["headers"], **key()})
        assert written.status_code == 201, written.text
        ids.append(written.json()["question_id"])
    exported = httpx.post(f"{services.command_url}/v1/questions/exports",
                          json={"question_ids": ids, "format": format_},
                          headers={**teacher["headers"], **key()})
    assert exported.status_code == 200, exported.text
    assert exported.json()["filename"].endswith("qti30.zip" if format_ == "qti30" else "qti21.zip")
    report = {q["question_id"]: q for q in exported.json()["questions"]}
    assert [report[i]["exported"] for i in ids] == [True] * 5 + [False]  # coding has no QTI
    assert report[ids[5]]["not_mapped"]
    package = base64.b64decode(exported.json()["data_base64"])
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert f'type="{resource_type}"' in archive.read("imsmanifest.xml").decode()

    other = make_user("teacher")
    imported = post_file(services, other, "", package, content_type="application/zip",
                         format="qti")
    assert imported.status_code == 201, imported.text
    assert imported.json()["imported"] == 5

    def contents_of(user, question_ids):
        return sorted((httpx.get(f"{services.query_url}/v1/questions/{q}",
                                 headers=user["headers"]).json()["content"]
                       for q in question_ids), key=lambda c: c["stem"])

    eventually(lambda: bank_total(services, other, word) == 5)
    assert contents_of(other, imported.json()["question_ids"]) == contents_of(teacher, ids[:5])


def test_an_export_format_that_does_not_exist_is_a_422_naming_the_field(services, teacher):
    refused = httpx.post(f"{services.command_url}/v1/questions/exports",
                         json={"question_ids": [str(uuid.uuid4())], "format": "qti22"},
                         headers={**teacher["headers"], **key()})
    assert refused.status_code == 422
    assert refused.json()["field"] == "format" and "qti30" in refused.json()["detail"]


def test_a_moodle_xml_bank_imports_and_reports_what_it_lost(services, make_user):
    teacher = make_user("teacher")
    sample = (Path(__file__).parents[1] / "unit" / "samples" / "moodle_quiz.xml").read_bytes()
    preview = post_file(services, teacher, "/preview", sample, content_type="application/xml",
                        format="moodle_xml")
    assert preview.status_code == 200, preview.text
    report = preview.json()
    assert report["valid"] >= 5 and report["invalid"] >= 1
    assert all(i["errors"] for i in report["items"] if not i["valid"])
    imported = post_file(services, teacher, "", sample, content_type="application/xml",
                         format="moodle_xml", only_valid="true")
    assert imported.status_code == 201 and imported.json()["imported"] == report["valid"]


@pytest.mark.parametrize("path", ["/preview", ""])
def test_students_handle_no_question_files(services, student, path):
    assert post_file(services, student, path, a_csv("x", rows=2)).status_code == 403
