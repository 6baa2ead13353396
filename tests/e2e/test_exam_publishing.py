"""A teacher drafts and publishes an exam; it shows up through the query API."""
from __future__ import annotations

import asyncio
import uuid

import asyncpg
import httpx
import pytest

from tests.e2e.harness import bank_question, eventually, key, make_ready

EXAM = {"title": "Linear Algebra midterm", "description": "Chapters 1-4",
        "instructions": "No calculators.", "duration_minutes": 90,
        "window_opens_at": "2027-03-01T09:00:00Z", "window_closes_at": "2027-03-01T12:00:00Z"}


def draft(services, teacher, body=EXAM, headers=None) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/exams", json=body,
                      headers={**teacher["headers"], **(headers or key())}, timeout=30)


def published_titles(services, user) -> list[str]:
    """The titles of the newest published exams the user sees (a shared stack holds many)."""
    answer = httpx.get(f"{services.query_url}/v1/exams", params={
        "status": "published", "per_page": 100, "sort": "-created_at"},
        headers=user["headers"], timeout=10)
    assert answer.status_code == 200, answer.text
    return [e["title"] for e in answer.json()["items"]]


def test_a_published_exam_is_visible_through_the_query_api(services, teacher, student):
    title = f"Published {uuid.uuid4().hex[:6]}"
    drafted = draft(services, teacher, {**EXAM, "title": title})
    assert drafted.status_code == 201, drafted.text
    assert drafted.json()["status"] == "draft" and drafted.json()["version"] == 1
    exam_id = drafted.json()["exam_id"]
    version = make_ready(services.command_url, teacher, exam_id,
                         bank_question(services.command_url, teacher),
                         [student["user"]["user_id"]])
    assert version == 3

    published = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/publish",
                           headers={**teacher["headers"], **key(), "If-Match": '"3"'})
    assert published.status_code == 200, published.text
    assert published.json() == {"exam_id": exam_id, "status": "published",
                                "assigned_count": 1, "version": 4}

    # A worker that just started may wait out an earlier member's session before it gets its
    # partitions: a first read can take seconds longer than the steady state.
    eventually(lambda: title in published_titles(services, student), timeout=30)
    # The full document comes from the MongoDB read model, which has its own worker.
    document = eventually(lambda: (r := httpx.get(f"{services.query_url}/v1/exams/{exam_id}",
                                                  headers=student["headers"])).status_code
                          == 200 and r.json()["version"] == 4 and r, timeout=30)
    assert document.headers["etag"] == '"4"'
    assert document.json()["instructions"] == "No calculators."
    assert document.json()["status"] == "published"


def test_a_stale_version_is_a_conflict(services, teacher):
    exam_id = draft(services, teacher).json()["exam_id"]
    edit = {**EXAM, "title": "Edited"}
    first = httpx.put(f"{services.command_url}/v1/exams/{exam_id}", json=edit,
                      headers={**teacher["headers"], **key(), "If-Match": '"1"'})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = httpx.put(f"{services.command_url}/v1/exams/{exam_id}", json=edit,
                      headers={**teacher["headers"], **key(), "If-Match": '"1"'})
    assert stale.status_code == 409
    assert stale.json()["code"] == "version_conflict"
    assert stale.json()["current_version"] == 2


async def _events_of(live_stack, stream_id: str) -> int:
    conn = await asyncpg.connect(live_stack.postgres_dsn)
    try:
        return await conn.fetchval("SELECT count(*) FROM eventlog.events WHERE stream_id = $1",
                                   stream_id)
    finally:
        await conn.close()


def test_the_same_command_id_twice_yields_one_event(services, teacher, student, live_stack):
    same = key()
    first, retry = draft(services, teacher, headers=same), draft(services, teacher, headers=same)
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    stream = f"exam-{first.json()['exam_id']}"
    assert asyncio.run(_events_of(live_stack, stream)) == 1
    make_ready(services.command_url, teacher, first.json()["exam_id"],
               bank_question(services.command_url, teacher), [student["user"]["user_id"]])

    publish = {**teacher["headers"], **key()}
    url = f"{services.command_url}/v1/exams/{first.json()['exam_id']}/publish"
    assert httpx.post(url, headers=publish).json() == httpx.post(url, headers=publish).json()
    assert asyncio.run(_events_of(live_stack, stream)) == 4


def test_refusals_are_clear(services, teacher, student):
    exam_id = draft(services, teacher).json()["exam_id"]
    url = f"{services.command_url}/v1/exams/{exam_id}"
    unready = httpx.post(f"{url}/publish", headers={**teacher["headers"], **key()})
    assert unready.status_code == 422
    assert {e["code"] for e in unready.json()["errors"]} == {"no_questions", "nobody_assigned"}
    make_ready(services.command_url, teacher, exam_id,
               bank_question(services.command_url, teacher), [student["user"]["user_id"]])
    assert httpx.post(f"{url}/publish", headers={**teacher["headers"], **key()}).status_code == 200
    twice = httpx.post(f"{url}/publish", headers={**teacher["headers"], **key()})
    assert twice.status_code == 409 and twice.json()["code"] == "exam_already_published"
    edit = httpx.put(url, json=EXAM, headers={**teacher["headers"], **key()})
    assert edit.status_code == 409 and edit.json()["code"] == "exam_not_draft"
    by_student = draft(services, student)
    assert by_student.status_code == 403 and by_student.json()["code"] == "not_a_teacher"


@pytest.mark.parametrize("body,field", [
    ({**EXAM, "title": ""}, "title"),
    ({**EXAM, "duration_minutes": 0}, "duration_minutes"),
    ({**EXAM, "window_closes_at": "2027-03-01T08:00:00Z"}, "window_closes_at"),
    ({k: v for k, v in EXAM.items() if k != "duration_minutes"}, "duration_minutes"),
    ({**EXAM, "proctored_by": "x"}, "proctored_by"),
])
def test_bad_input_is_a_422_naming_the_field(services, teacher, body, field):
    answer = draft(services, teacher, body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == field
    assert set(answer.json()) >= {"detail", "code", "field"}


@pytest.mark.parametrize("if_match", ['"\u00b2"', '"' + "9" * 5000 + '"', '"-1"', "v3"])
def test_an_if_match_that_is_not_a_version_is_a_422_naming_it(services, teacher, if_match):
    exam_id = draft(services, teacher).json()["exam_id"]
    answer = httpx.put(f"{services.command_url}/v1/exams/{exam_id}", json=EXAM,
                       headers={**teacher["headers"], **key(),
                                # Latin-1 on the wire: the server reads byte B2 as "²",
                                # which str.isdigit() accepts and int() refuses.
                                "If-Match": if_match.encode("latin-1")})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "If-Match" and answer.json()["code"] == "version"


def test_a_command_without_idempotency_key_is_refused(services, teacher):
    answer = httpx.post(f"{services.command_url}/v1/exams", json=EXAM,
                        headers=teacher["headers"])
    assert answer.status_code == 422
    assert answer.json()["field"] == "Idempotency-Key"


def test_a_student_cannot_read_another_teachers_drafts(services, teacher, student, make_user):
    title = f"Secret draft {uuid.uuid4().hex[:6]}"
    exam_id = draft(services, teacher, {**EXAM, "title": title}).json()["exam_id"]
    own = eventually(lambda: httpx.get(f"{services.query_url}/v1/exams/{exam_id}",
                                       headers=teacher["headers"]).status_code == 200)
    assert own
    other_teacher = make_user("teacher")
    for intruder in (student, other_teacher):
        one = httpx.get(f"{services.query_url}/v1/exams/{exam_id}", headers=intruder["headers"])
        assert one.status_code == 404
        listing = httpx.get(f"{services.query_url}/v1/exams",
                            params={"per_page": 100, "status": "draft"},
                            headers=intruder["headers"]).json()
        assert all(e["title"] != title for e in listing["items"])
        publish = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/publish",
                             headers={**intruder["headers"], **key()})
        assert publish.status_code in (403, 404)


def test_the_catalogue_filters_sorts_and_pages(services, make_user):
    teacher = make_user("teacher")
    opens = ["2027-05-03T09:00:00Z", "2027-05-01T09:00:00Z", "2027-05-02T09:00:00Z"]
    for i, at in enumerate(opens):
        body = {**EXAM, "title": f"Paged {i}", "window_opens_at": at,
                "window_closes_at": at.replace("09:00", "18:00")}
        assert draft(services, teacher, body).status_code == 201

    def page(**params):
        return httpx.get(f"{services.query_url}/v1/exams", headers=teacher["headers"],
                         params={"mine": True, **params}).json()

    eventually(lambda: page()["total"] == 3)
    first = page(sort="window_opens_at", per_page=2, page=1)
    second = page(sort="window_opens_at", per_page=2, page=2)
    assert [e["title"] for e in first["items"] + second["items"]] == ["Paged 1", "Paged 2",
                                                                      "Paged 0"]
    assert first["total"] == 3 and page(status="published")["total"] == 0
    bad = httpx.get(f"{services.query_url}/v1/exams", headers=teacher["headers"],
                    params={"sort": "price"})
    assert bad.status_code == 422 and bad.json()["field"] == "sort"
