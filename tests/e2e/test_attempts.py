"""Exam day over HTTP on the real stack: a student starts an attempt (once, whatever they
press), saves answers with receipts (a retry is the same receipt; an older save never
overwrites a newer one), reads it back as they would after a reload, and submits; late saves
are refused but kept. Nobody else reaches the attempt, and the log never holds an answer in
the clear."""
from __future__ import annotations

import asyncio
import contextlib
import json
import re
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

import asyncpg
import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from tests.e2e.harness import eventually, key

SECRETS = ('"correct"', "feedback", "MODEL-ANSWER-KEY")
CHOICE = {"question_type": "single_choice", "stem": "Which is prime?", "choice": {"options": [
    {"option_id": "a", "text": "four", "feedback": "no"},
    {"option_id": "b", "text": "five", "correct": True, "feedback": "yes"},
    {"option_id": "c", "text": "six"}]}}
ESSAY = {"question_type": "long_answer", "stem": "Why are primes useful?",
         "long_answer": {"model_answer": "MODEL-ANSWER-KEY", "rubric": []}}


def iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def published_exam(services, teacher, students: list[dict], contents: list[dict],
                   opens: datetime, closes: datetime, minutes: int = 30,
                   shuffle_options: bool = False,
                   settings: dict | None = None,
                   title: str = "Exam day") -> tuple[str, list[str]]:
    """An exam of ``teacher``'s with one question per content (2 points each), assigned to
    ``students`` (with these ``settings``, when given) and published: (its id, the question
    ids)."""
    cmd, headers = services.command_url, teacher["headers"]
    ids = []
    for content in contents:
        written = httpx.post(f"{cmd}/v1/questions", headers={**headers, **key()}, json=content)
        assert written.status_code == 201, written.text
        ids.append(written.json()["question_id"])
    drafted = httpx.post(f"{cmd}/v1/exams", headers={**headers, **key()}, json={
        "title": title, "duration_minutes": minutes, "window_opens_at": iso(opens),
        "window_closes_at": iso(closes)})
    assert drafted.status_code == 201, drafted.text
    exam_id = drafted.json()["exam_id"]
    for method, path, body in (
            (httpx.put, "questions", {"shuffle_options": shuffle_options, "sections": [{
                "section_id": "main", "title": "Questions", "items": [
                    {"item_id": f"item-{n}", "candidates": [{"question_id": q}], "points": 2}
                    for n, q in enumerate(ids)]}]}),
            (httpx.post, "assign", {"student_ids": [s["user"]["user_id"] for s in students]}),
            *([(httpx.put, "settings", settings)] if settings else []),
            (httpx.post, "publish", None)):
        done = method(f"{cmd}/v1/exams/{exam_id}/{path}", headers={**headers, **key()},
                      **({"json": body} if body is not None else {}))
        assert done.status_code == 200, done.text
    return exam_id, ids


@pytest.fixture(scope="module")
def exam(services, make_user):
    """A published exam open now (30 minutes; the window closes in 2 hours), with a choice
    question (options shuffled per student) and an essay, assigned to two students."""
    teacher, alice, bob = make_user("teacher"), make_user("student"), make_user("student")
    now = datetime.now(timezone.utc)
    exam_id, (choice, essay) = published_exam(
        services, teacher, [alice, bob], [CHOICE, ESSAY], now - timedelta(minutes=1),
        now + timedelta(hours=2), shuffle_options=True)
    return {"exam_id": exam_id, "teacher": teacher, "alice": alice, "bob": bob,
            "choice": choice, "essay": essay}


def start(services, user, exam_id: str, idempotency_key: dict | None = None) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/exams/{exam_id}/start",
                      headers={**user["headers"], **(idempotency_key or key())})


def save(services, user, attempt_id: str, question_id: str, seq: int, answer: dict,
         idempotency_key: dict | None = None) -> httpx.Response:
    return httpx.put(f"{services.command_url}/v1/attempts/{attempt_id}/answers/{question_id}",
                     headers={**user["headers"], **(idempotency_key or key())},
                     json={"client_seq": seq, "answer": answer})


def logged(settings, attempt_id: str) -> list[bytes]:
    """The attempt's events as the log holds them (the Avro bytes Kafka carries too)."""
    async def bodies() -> list[bytes]:
        conn = await asyncpg.connect(settings.postgres_dsn)
        try:
            return [r["body"] for r in await conn.fetch(
                "SELECT body FROM eventlog.events WHERE stream_id = $1", f"attempt-{attempt_id}")]
        finally:
            await conn.close()
    return asyncio.run(bodies())


def attempt_of(services, user, attempt_id: str, timeout: float = 20.0, **wanted) -> dict:
    """The attempt as the student reads it, once the read model shows ``wanted``."""
    def shown():
        found = httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}",
                          headers=user["headers"])
        if found.status_code != 200:
            return None
        body = found.json()
        return body if all(check(body) for check in wanted.values()) else None
    return eventually(shown, timeout=timeout)


def test_start_is_one_attempt_whatever_is_pressed_with_the_servers_clock(services, exam):
    before = datetime.now(timezone.utc)
    first = start(services, exam["alice"], exam["exam_id"])
    assert first.status_code == 200, first.text
    again = start(services, exam["alice"], exam["exam_id"])  # another device, another key
    body = first.json()
    assert again.json()["attempt_id"] == body["attempt_id"]
    assert again.json()["deadline"] == body["deadline"]
    started = datetime.fromisoformat(body["started_at"])
    assert before - timedelta(seconds=5) <= started <= datetime.now(timezone.utc)
    assert datetime.fromisoformat(body["deadline"]) == started + timedelta(minutes=30)
    assert abs(datetime.fromisoformat(body["server_time"]) - datetime.now(timezone.utc)) < \
        timedelta(seconds=5)
    assert (body["status"], body["number"]) == ("in_progress", 1)


def test_nobody_but_an_assigned_student_starts(services, exam, make_user):
    stranger = start(services, make_user("student"), exam["exam_id"])
    assert (stranger.status_code, stranger.json()["code"]) == (404, "exam_not_found")
    teacher = start(services, exam["teacher"], exam["exam_id"])
    assert (teacher.status_code, teacher.json()["code"]) == (403, "not_a_student")


def test_saves_come_back_with_receipts_and_the_newest_save_wins(services, exam, settings):
    alice = exam["alice"]
    attempt_id = start(services, alice, exam["exam_id"]).json()["attempt_id"]
    retry_key = key()
    marker = f"Primes make RSA work {uuid.uuid4().hex}"
    saved = save(services, alice, attempt_id, exam["essay"], 2, {"text": marker}, retry_key)
    assert saved.status_code == 200, saved.text
    receipt = saved.json()
    assert (receipt["question_id"], receipt["client_seq"], receipt["superseded"]) == \
        (exam["essay"], 2, False)
    retried = save(services, alice, attempt_id, exam["essay"], 2, {"text": marker}, retry_key)
    assert {k: v for k, v in retried.json().items() if k != "server_time"} == \
        {k: v for k, v in receipt.items() if k != "server_time"}  # the same receipt, no event
    older = save(services, alice, attempt_id, exam["essay"], 1, {"text": "an older draft"})
    assert older.status_code == 200
    assert (older.json()["client_seq"], older.json()["superseded"]) == (2, True)
    assert older.json()["version"] == receipt["version"]  # nothing was appended
    picked = save(services, alice, attempt_id, exam["choice"], 1, {"option_ids": ["b"]})
    assert picked.status_code == 200

    attempt = attempt_of(services, alice, attempt_id,
                         both=lambda a: len(a["answers"]) == 2)
    assert attempt["answers"][exam["essay"]]["answer"] == {"text": marker}
    assert attempt["answers"][exam["essay"]]["client_seq"] == 2
    assert attempt["answers"][exam["choice"]]["answer"] == {"option_ids": ["b"]}
    assert [q["question"]["question_id"] for q in attempt["questions"]] == \
        [exam["choice"], exam["essay"]]
    options = attempt["questions"][0]["question"]["options"]
    assert sorted(o["option_id"] for o in options) == ["a", "b", "c"]
    for secret in SECRETS:
        assert secret not in str(attempt)

    bodies = logged(settings, attempt_id)
    assert len(bodies) == 3  # started, two saves: the retry and the older save added nothing
    assert not any(marker.encode() in b for b in bodies)  # sealed with the student's key


def test_another_student_cannot_read_or_write_an_attempt(services, exam):
    attempt_id = start(services, exam["alice"], exam["exam_id"]).json()["attempt_id"]
    attempt_of(services, exam["alice"], attempt_id)
    for intruder in (exam["bob"], exam["teacher"]):
        read = httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}",
                         headers=intruder["headers"])
        assert (read.status_code, read.json()["code"]) == (404, "attempt_not_found")
        written = save(services, intruder, attempt_id, exam["essay"], 99, {"text": "mine now"})
        assert written.status_code == 404
        handed_in = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                               headers={**intruder["headers"], **key()})
        assert handed_in.status_code == 404


def test_after_submitting_a_save_is_refused_but_kept(services, exam):
    bob = exam["bob"]
    started = start(services, bob, exam["exam_id"])
    assert started.status_code == 200, started.text
    attempt_id = started.json()["attempt_id"]
    assert save(services, bob, attempt_id, exam["choice"], 1,
                {"option_ids": ["a"]}).status_code == 200
    submitted = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                           headers={**bob["headers"], **key()})
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["submit_reason"]) == \
        ("submitted", "student")
    late_key = key()
    late = save(services, bob, attempt_id, exam["choice"], 2, {"option_ids": ["b"]}, late_key)
    assert (late.status_code, late.json()["code"]) == (409, "attempt_submitted")
    again = save(services, bob, attempt_id, exam["choice"], 2, {"option_ids": ["b"]}, late_key)
    assert (again.status_code, again.json()["code"]) == (409, "attempt_submitted")
    attempt = attempt_of(services, bob, attempt_id,
                         submitted=lambda a: a["status"] == "submitted")
    assert attempt["answers"][exam["choice"]]["answer"] == {"option_ids": ["a"]}
    # One attempt allowed: Start again shows no new attempt.
    no_more = start(services, bob, exam["exam_id"])
    assert (no_more.status_code, no_more.json()["code"]) == (409, "no_attempts_left")


def test_answers_are_checked_by_size_and_shape(services, exam):
    alice = exam["alice"]
    attempt_id = start(services, alice, exam["exam_id"]).json()["attempt_id"]
    too_long = save(services, alice, attempt_id, exam["essay"], 5, {"text": "x" * 50_001})
    assert (too_long.status_code, too_long.json()["field"]) == (422, "answer.text")
    unknown = save(services, alice, attempt_id, exam["essay"], 5, {"essay": "x"})
    assert unknown.status_code == 422
    zero = save(services, alice, attempt_id, exam["essay"], 0, {"text": "x"})
    assert (zero.status_code, zero.json()["field"]) == (422, "client_seq")
    elsewhere = save(services, alice, attempt_id, "not-a-question-here", 5, {"text": "x"})
    assert (elsewhere.status_code, elsewhere.json()["field"]) == (404, "question_id")


def test_at_the_deadline_the_attempt_is_submitted_with_no_client_online(services, make_user):
    """A 1-minute exam whose window closes 12 s from now: the student starts, saves once and
    goes away; the stream processor submits the attempt within 5 s of its deadline."""
    teacher, student = make_user("teacher"), make_user("student")
    closes = datetime.now(timezone.utc) + timedelta(seconds=12)
    exam_id, (question_id,) = published_exam(services, teacher, [student], [ESSAY],
                                             closes - timedelta(minutes=1), closes, minutes=1)
    started = start(services, student, exam_id)
    assert started.status_code == 200, started.text
    attempt = started.json()
    deadline = datetime.fromisoformat(attempt["deadline"])
    assert abs(deadline - closes) < timedelta(seconds=1)  # the window's close comes first
    assert save(services, student, attempt["attempt_id"], question_id, 1,
                {"text": "my only answer"}).status_code == 200

    attempt_of(services, student, attempt["attempt_id"])  # the page has read it
    # The open page hears of the submission (after the save's change, perhaps): each change
    # it hears, it reads.
    with live(services, attempt["attempt_id"], bearer_of(student)) as socket:
        assert received(socket)["type"] == "ready"
        submitted = None
        while submitted is None or submitted["status"] != "submitted":
            if received(socket, timeout=45)["type"] == "changed":
                submitted = attempt_of(services, student, attempt["attempt_id"], timeout=1)
    assert submitted["submit_reason"] == "deadline"
    at = datetime.fromisoformat(submitted["submitted_at"])
    assert deadline <= at <= deadline + timedelta(seconds=5)
    assert submitted["answers"][question_id]["answer"] == \
        {"text": "my only answer"}
    late = save(services, student, attempt["attempt_id"], question_id, 2,
                {"text": "too late"})
    assert (late.status_code, late.json()["code"]) == (409, "attempt_submitted")


def test_saves_sent_at_once_are_all_kept(services, exam):
    """Two tabs, or a queue replaying after a reconnect, save into one attempt at the same
    moment: a save that lost the race to append is decided again, never refused."""
    from concurrent.futures import ThreadPoolExecutor

    alice = exam["alice"]
    attempt_id = start(services, alice, exam["exam_id"]).json()["attempt_id"]
    first = 1000
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(
            lambda n: save(services, alice, attempt_id, exam["essay"], first + n,
                           {"text": f"draft {n}"}), range(12)))
    assert [a.status_code for a in answers] == [200] * 12, [a.text for a in answers]
    kept = attempt_of(services, alice, attempt_id,
                      newest=lambda a: a["answers"][exam["essay"]]["client_seq"] == first + 11)
    assert kept["answers"][exam["essay"]]["answer"] == {"text": "draft 11"}


def test_a_proctor_extends_pauses_and_resumes_an_attempt(services, exam, make_user, settings):
    alice, proctor, other_teacher = exam["alice"], make_user("proctor"), make_user("teacher")
    attempt_id = start(services, alice, exam["exam_id"]).json()["attempt_id"]
    before = attempt_of(services, alice, attempt_id)
    cmd = services.command_url

    def supervise(user, action: str, body: dict | None = None) -> httpx.Response:
        return httpx.post(f"{cmd}/v1/attempts/{attempt_id}/{action}",
                          headers={**user["headers"], **key()},
                          **({"json": body} if body is not None else {}))

    marker = f"migraine {uuid.uuid4().hex}"
    assert supervise(other_teacher, "extend", {"minutes": 10}).status_code == 404
    extended = supervise(proctor, "extend", {"minutes": 10, "reason": marker})
    assert extended.status_code == 200, extended.text
    moved = datetime.fromisoformat(before["deadline"]) + timedelta(minutes=10)
    assert datetime.fromisoformat(extended.json()["deadline"]) == moved
    shown = attempt_of(services, alice, attempt_id,
                       extended=lambda a: datetime.fromisoformat(a["deadline"]) == moved)
    assert shown["paused_at"] is None

    paused = supervise(exam["teacher"], "pause", {"reason": "fire alarm"})
    assert paused.status_code == 200 and paused.json()["paused_at"]
    refused = save(services, alice, attempt_id, exam["essay"], 5000, {"text": "while paused"})
    assert (refused.status_code, refused.json()["code"]) == (409, "attempt_paused")
    attempt_of(services, alice, attempt_id, paused=lambda a: a["paused_at"] is not None)
    resumed = supervise(proctor, "resume")
    assert resumed.status_code == 200 and resumed.json()["paused_at"] is None
    assert datetime.fromisoformat(resumed.json()["deadline"]) > moved  # by the pause's length
    assert save(services, alice, attempt_id, exam["essay"], 5001,
                {"text": "after the pause"}).status_code == 200

    assert not any(marker.encode() in b for b in logged(settings, attempt_id))  # sealed



def test_the_files_of_an_attempts_questions_come_with_short_lived_urls(services, make_user):
    from tests.e2e.test_media import png, stored_image

    teacher, student = make_user("teacher"), make_user("student")
    image = stored_image(services, teacher)
    now = datetime.now(timezone.utc)
    exam_id, (question_id,) = published_exam(
        services, teacher, [student],
        [{**ESSAY, "media_ids": [image], "media_alt": {image: "A diagram of an orbit"}}],
        now - timedelta(minutes=1), now + timedelta(hours=1))
    attempt_id = start(services, student, exam_id).json()["attempt_id"]
    attempt = attempt_of(services, student, attempt_id)
    shown = attempt["questions"][0]["question"]
    assert (shown["media_ids"], shown["media_alt"]) == ([image], {image: "A diagram of an orbit"})
    media = attempt["media"][image]
    assert media["content_type"] == "image/png"
    fetched = httpx.get(media["url"])
    assert fetched.status_code == 200 and fetched.content == png()


@contextlib.contextmanager
def live(services, attempt_id: str, token: str | None, path: str | None = None):
    """The attempt's live channel (or the one at ``path``), the first message (the token)
    sent."""
    path = path or f"/v1/attempts/{attempt_id}/live"
    url = services.query_url.replace("http://", "ws://") + path
    with ws_connect(url, open_timeout=5) as socket:
        if token is not None:
            socket.send(json.dumps({"token": token}))
        yield socket


def received(socket, timeout: float = 5.0) -> dict:
    return json.loads(socket.recv(timeout=timeout))


def bearer_of(user) -> str:
    return user["headers"]["Authorization"].removeprefix("Bearer ")


def test_the_open_page_hears_of_an_extension_and_a_pause_within_2_s(services, make_user):
    bob, proctor, teacher = make_user("student"), make_user("proctor"), make_user("teacher")
    now = datetime.now(timezone.utc)
    exam_id, _ = published_exam(services, teacher, [bob], [CHOICE], now - timedelta(minutes=1),
                                now + timedelta(hours=1))
    started = start(services, bob, exam_id)
    assert started.status_code == 200, started.text
    attempt_id = started.json()["attempt_id"]
    shown = attempt_of(services, bob, attempt_id)
    with live(services, attempt_id, bearer_of(bob)) as socket:
        ready = received(socket)
        assert ready["type"] == "ready" and ready["version"] == shown["version"]
        assert abs(datetime.fromisoformat(ready["server_time"]) - datetime.now(timezone.utc)) \
            < timedelta(seconds=5)

        asked = time.monotonic()
        extended = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/extend",
                              headers={**proctor["headers"], **key()}, json={"minutes": 5})
        assert extended.status_code == 200, extended.text
        heard = received(socket)
        assert time.monotonic() - asked < 2.0, "the extension took over 2 s to be heard"
        assert (heard["type"], heard["version"]) == ("changed", shown["version"] + 1)
        # It says what moved (the page rereads only for that, not for its own saves) ...
        moved = datetime.fromisoformat(extended.json()["deadline"])
        assert datetime.fromisoformat(heard["deadline"]) == moved
        assert (heard["status"], heard["paused_at"]) == ("in_progress", None)
        # ... and what the page then reads already shows it.
        read = attempt_of(services, bob, attempt_id, timeout=0.5)
        assert read["version"] == heard["version"]
        assert datetime.fromisoformat(read["deadline"]) == moved

        for action, body in (("pause", {"reason": "fire alarm"}), ("resume", None)):
            done = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/{action}",
                              headers={**teacher["headers"], **key()},
                              **({"json": body} if body else {}))
            assert done.status_code == 200, done.text
            heard = received(socket, timeout=2)
            assert heard["type"] == "changed"
            assert (heard["paused_at"] is not None) == (action == "pause")


def test_the_live_channel_is_the_students_own(services, exam, make_user):
    alice, bob = exam["alice"], exam["bob"]
    attempt_id = start(services, alice, exam["exam_id"]).json()["attempt_id"]
    attempt_of(services, alice, attempt_id)
    refusals = {
        "another student": (bearer_of(bob), 4404, "attempt_not_found"),
        "the exam's teacher": (bearer_of(exam["teacher"]), 4404, "attempt_not_found"),
        "a forged token": (bearer_of(alice)[:-4] + "AAAA", 4401, "invalid_token"),
        "no token": (None, 4401, "missing_token"),
    }
    for who, (token, code, reason) in refusals.items():
        with live(services, attempt_id, token) as socket:
            if token is None:
                socket.send("not json")
            with pytest.raises(ConnectionClosed) as closed:
                received(socket)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (code, reason), who
    # Another student's attempt id, wrong or right, reads the same: nothing tells it exists.
    with live(services, "no-such-attempt", bearer_of(bob)) as socket:
        with pytest.raises(ConnectionClosed) as closed:
            received(socket)
        assert closed.value.rcvd.code == 4404


def test_dashboards_show_where_each_student_stands(services, make_user):
    """The student's own list (time left, submitted) and the teacher's live progress."""
    teacher, proctor, stranger = make_user("teacher"), make_user("proctor"), make_user("teacher")
    waiting, working, done = (make_user("student") for _ in range(3))
    now = datetime.now(timezone.utc)
    exam_id, (choice, essay) = published_exam(services, teacher, [waiting, working, done],
                                              [CHOICE, ESSAY], now - timedelta(minutes=1),
                                              now + timedelta(hours=1))
    working_id = start(services, working, exam_id).json()["attempt_id"]
    assert save(services, working, working_id, essay, 1, {"text": "half"}).status_code == 200
    done_id = start(services, done, exam_id).json()["attempt_id"]
    assert save(services, done, done_id, choice, 1, {"option_ids": ["b"]}).status_code == 200
    assert httpx.post(f"{services.command_url}/v1/attempts/{done_id}/submit",
                      headers={**done["headers"], **key()}).status_code == 200

    def progress(user, **params) -> httpx.Response:
        return httpx.get(f"{services.query_url}/v1/exams/{exam_id}/progress",
                         headers=user["headers"], params=params)

    shown = eventually(lambda: (body := progress(teacher).json())["submitted"] == 1 and
                       body["in_progress"] == 1 and body)
    assert (shown["assigned"], shown["not_started"], shown["auto_submitted"]) == (3, 1, 0)
    by_student = {row["student_id"]: row for row in shown["items"]}
    assert by_student[waiting["user"]["user_id"]]["state"] == "not_started"
    mid = by_student[working["user"]["user_id"]]
    assert (mid["state"], mid["answered"], mid["question_count"]) == ("in_progress", 1, 2)
    assert mid["name"] == working["user"]["name"]
    assert by_student[done["user"]["user_id"]]["submit_reason"] == "student"
    only_done = progress(proctor, state="submitted").json()
    assert [r["student_id"] for r in only_done["items"]] == [done["user"]["user_id"]]
    assert only_done["total"] == 1
    assert progress(stranger).status_code == 404
    assert progress(working).status_code == 404
    assert progress(teacher, state="everything").status_code == 422

    mine = httpx.get(f"{services.query_url}/v1/attempts", headers=working["headers"]).json()
    (own,) = mine["items"]
    assert (own["attempt_id"], own["status"], own["answered"]) == (working_id, "in_progress", 1)
    assert datetime.fromisoformat(own["deadline"]) > datetime.fromisoformat(own["server_time"])
    theirs = httpx.get(f"{services.query_url}/v1/attempts", headers=done["headers"],
                       params={"exam_id": exam_id}).json()["items"]
    assert [(a["attempt_id"], a["status"]) for a in theirs] == [(done_id, "submitted")]
    assert httpx.get(f"{services.query_url}/v1/attempts", headers=waiting["headers"]
                     ).json()["items"] == []


def test_the_progress_page_hears_of_its_exams_attempts_at_most_once_a_second(services,
                                                                             make_user):
    teacher, proctor, other_teacher = (make_user(r) for r in ("teacher", "proctor", "teacher"))
    students = [make_user("student") for _ in range(3)]
    now = datetime.now(timezone.utc)
    exam_id, (essay,) = published_exam(services, teacher, students, [ESSAY],
                                       now - timedelta(minutes=1), now + timedelta(hours=1))
    elsewhere, _ = published_exam(services, other_teacher, students[:1], [ESSAY],
                                  now - timedelta(minutes=1), now + timedelta(hours=1))
    path = f"/v1/exams/{exam_id}/progress/live"
    with live(services, "", bearer_of(teacher), path) as socket:
        assert received(socket)["type"] == "ready"
        # Another exam's attempt says nothing here.
        start(services, students[0], elsewhere)
        with pytest.raises(TimeoutError):
            socket.recv(timeout=1.5)
        # Three students start and save (six changes): heard as they happen (read on arrival
        # by a thread), at most one message a second, and what the page then reads shows them.
        heard: list[tuple[float, dict]] = []

        def listen() -> None:
            with contextlib.suppress(TimeoutError):
                while True:
                    message = json.loads(socket.recv(timeout=3.0))
                    heard.append((time.monotonic(), message))

        listener = threading.Thread(target=listen)
        listener.start()
        asked = time.monotonic()
        for n, student in enumerate(students):
            attempt_id = start(services, student, exam_id).json()["attempt_id"]
            assert save(services, student, attempt_id, essay, 1,
                        {"text": f"draft {n}"}).status_code == 200
        listener.join(timeout=30)
        assert heard and heard[0][0] - asked < 3.0, heard
        assert {m["type"] for _, m in heard} == {"changed"}, heard
        assert all(set(m) == {"type"} for _, m in heard)  # no student's data on the wire
        arrivals = [at for at, _ in heard]
        assert all(later - earlier > 0.8 for earlier, later in zip(arrivals, arrivals[1:])), \
            arrivals
        shown = eventually(lambda: (body := httpx.get(
            f"{services.query_url}/v1/exams/{exam_id}/progress",
            headers=teacher["headers"]).json())["in_progress"] == 3 and body)
        assert shown["not_started"] == 0
    with live(services, "", bearer_of(proctor), path) as socket:  # proctors watch it too
        assert received(socket)["type"] == "ready"
    for who in (other_teacher, students[0]):
        with live(services, "", bearer_of(who), path) as socket:
            with pytest.raises(ConnectionClosed) as closed:
                received(socket)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4404, "exam_not_found")
    with live(services, "", None, f"/v1/exams/{exam_id}/progress/live") as socket:
        socket.send("not json")
        with pytest.raises(ConnectionClosed) as closed:
            received(socket)
        assert closed.value.rcvd.code == 4401


# Every kind of key a question can hold, each with a marker no student may ever receive.
KEYED_QUESTIONS = [
    {"question_type": "single_choice", "stem": "Pick the prime.", "choice": {"options": [
        {"option_id": "a", "text": "four", "feedback": "FEEDBACK-KEY-1"},
        {"option_id": "b", "text": "five", "correct": True, "feedback": "FEEDBACK-KEY-2"}]}},
    {"question_type": "multiple_choice", "stem": "Pick the primes.", "choice": {"options": [
        {"option_id": "a", "text": "two", "correct": True, "feedback": "FEEDBACK-KEY-3"},
        {"option_id": "b", "text": "nine"}, {"option_id": "c", "text": "three",
                                             "correct": True}]}},
    {"question_type": "true_false", "stem": "Seven is prime.", "true_false": {"correct": True}},
    {"question_type": "short_answer", "stem": "The smallest prime?", "short_answer": {
        "accepted": [{"text": "ACCEPTED-KEY"}], "pattern": "PATTERN-KEY|2"}},
    {"question_type": "long_answer", "stem": "Why are primes useful?", "long_answer": {
        # The rubric's criteria and levels are shown (how an essay is marked); its model
        # answer is the key.
        "model_answer": "MODEL-ANSWER-KEY", "rubric": [{"criterion_id": "c1",
                                                        "title": "Argument", "levels": [
            {"label": "Sound", "points": 2}]}]}},
    {"question_type": "coding", "stem": "Print the input.", "coding": {
        "language": "python", "starter_code": "print(input())",
        "sample_tests": [{"test_id": "s", "stdin": "1", "expected_stdout": "1"}],
        "hidden_tests": [{"test_id": "h", "stdin": "HIDDEN-STDIN-KEY",
                          "expected_stdout": "HIDDEN-OUT-KEY"}]}},
]
KEY_MARKERS = ("FEEDBACK-KEY", "ACCEPTED-KEY", "PATTERN-KEY", "MODEL-ANSWER-KEY",
               "HIDDEN-STDIN-KEY", "HIDDEN-OUT-KEY", '"correct"', '"hidden_tests"',
               '"model_answer"', '"accepted"', '"pattern"', '"feedback"')
# Routes a student must not call in this probe: they end the session or make accounts.
PROBE_SKIPS = {"/v1/auth/logout", "/v1/auth/register", "/v1/auth/login", "/v1/auth/refresh"}


def test_no_response_a_student_can_receive_holds_a_key(services, make_user):
    """Every route of both APIs, called by an assigned student at every step of an exam with
    every kind of key (choices' correctness and feedback, accepted answers and patterns, a
    model answer and rubric, hidden tests), and the live channel's messages: no marker of a
    key is in any of them, whatever the status."""
    from command_api.app import create_app as command_app
    from query_api.app import create_app as query_app
    from tests.e2e.test_route_role_matrix import PUBLIC_INFRASTRUCTURE, routes_of

    teacher, alice = make_user("teacher"), make_user("student")
    now = datetime.now(timezone.utc)
    exam_id, question_ids = published_exam(services, teacher, [alice], KEYED_QUESTIONS,
                                           now - timedelta(minutes=1), now + timedelta(hours=1))
    # Not the API's descriptions of itself (which name the fields) nor its metrics.
    routes = sorted((routes_of(command_app(), "command") | routes_of(query_app(), "query"))
                    - PUBLIC_INFRASTRUCTURE)
    ids = {"{exam_id}": exam_id, "{question_id}": question_ids[0], "{revision}": "1",
           "{student_id}": alice["user"]["user_id"], "{user_id}": alice["user"]["user_id"]}
    bodies = {"/v1/attempts/{attempt_id}/answers/{question_id}":
              {"client_seq": 1, "answer": {"option_ids": ["b"]}}}
    leaks, called = [], Counter()

    def probe(stage: str, attempt_id: str | None) -> None:
        for api, method, path in routes:
            if path in PROBE_SKIPS or path.endswith("/submit") or path.endswith("/live"):
                continue
            concrete = path
            for name, value in {**ids, "{attempt_id}": attempt_id or "none"}.items():
                concrete = concrete.replace(name, value)
            concrete = re.sub(r"\{[a-z_]+\}", "probe-id", concrete)
            base = services.command_url if api == "command" else services.query_url
            answer = httpx.request(method, f"{base}{concrete}",
                                   headers={**alice["headers"], **key()},
                                   json=bodies.get(path) if method != "GET" else None)
            called[answer.status_code // 100] += 1
            for marker in KEY_MARKERS:
                if marker in answer.text:
                    leaks.append(f"{stage}: {method} {concrete} ({answer.status_code}) "
                                 f"holds {marker}")

    probe("before starting", None)
    attempt_id = start(services, alice, exam_id).json()["attempt_id"]
    attempt_of(services, alice, attempt_id)
    for question_id, answer in zip(question_ids, ({"option_ids": ["b"]}, {"option_ids": ["a"]},
                                                  {"option_ids": ["true"]}, {"text": "2"},
                                                  {"text": "an essay"}, {"code": "print(1)"})):
        assert save(services, alice, attempt_id, question_id, 1, answer).status_code == 200
    attempt_of(services, alice, attempt_id, saved=lambda a: len(a["answers"]) == 6)
    probe("during the attempt", attempt_id)
    with live(services, attempt_id, bearer_of(alice)) as socket:
        told = socket.recv(timeout=5)
        submitted = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                               headers={**alice["headers"], **key()})
        assert submitted.status_code == 200
        leaks += [f"submit holds {m}" for m in KEY_MARKERS if m in submitted.text]
        told += socket.recv(timeout=5)
    leaks += [f"the live channel holds {m}" for m in KEY_MARKERS if m in told]
    attempt_of(services, alice, attempt_id, done=lambda a: a["status"] == "submitted")
    probe("after submitting", attempt_id)
    # The results released: the student's marks, the reasons for them, the feedback.
    released = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/results/publish",
                          headers={**teacher["headers"], **key()}, json={})
    assert released.status_code == 200, released.text
    eventually(lambda: httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}/grades",
                                 headers=alice["headers"]).status_code == 200, timeout=30)
    probe("after the results are released", attempt_id)
    assert called[2] >= 10, called  # the probe reached real answers, not only refusals
    assert not leaks, "\n".join(leaks)


def test_flags_for_review_and_the_question_on_screen_come_back_anywhere(services, make_user):
    teacher, alice = make_user("teacher"), make_user("student")
    now = datetime.now(timezone.utc)
    exam_id, (choice, essay) = published_exam(services, teacher, [alice], [CHOICE, ESSAY],
                                              now - timedelta(minutes=1), now + timedelta(hours=1))
    attempt_id = start(services, alice, exam_id).json()["attempt_id"]
    fresh = attempt_of(services, alice, attempt_id)
    assert (fresh["flagged"], fresh["current_question_id"]) == ([], None)

    def place(body: dict, user=alice) -> httpx.Response:
        return httpx.put(f"{services.command_url}/v1/attempts/{attempt_id}/place",
                         headers={**user["headers"], **key()}, json=body)

    kept = place({"flagged": [essay], "current_question_id": essay})
    assert kept.status_code == 200, kept.text
    assert (kept.json()["flagged"], kept.json()["current_question_id"]) == ([essay], essay)
    # Another browser finds them.
    shown = attempt_of(services, alice, attempt_id, kept=lambda a: a["flagged"] == [essay])
    assert shown["current_question_id"] == essay
    unknown = place({"flagged": [essay, "not-in-it"]})
    assert (unknown.status_code, unknown.json()["field"]) == (422, "flagged.1")
    assert place({"flagged": [essay]}, user=make_user("student")).status_code == 404
    assert place({"flagged": ["x"] * 501}).status_code == 422
    assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                      headers={**alice["headers"], **key()}).status_code == 200
    late = place({"flagged": []})
    assert (late.status_code, late.json()["code"]) == (409, "attempt_submitted")
