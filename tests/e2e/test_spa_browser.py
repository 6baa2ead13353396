"""The SPA through the gateway (nginx) in front of the real APIs, and the gateway itself.

The browser journeys are frontend/e2e/journeys.mjs: Debian's Chromium driven by
playwright-core, axe-core on every page, a screenshot of every page in frontend/test-results/.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from command_api.attempts.routes import attempt_id_for
from deploy.gateway.config import SPA_DIST, Gateway
from settings import load_settings
from tests.e2e.harness import bank_question, eventually, free_port, key, make_ready
from tests.e2e.test_media import png

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"
ARTIFACTS = FRONTEND / "test-results"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def start_gateway(services, tmp_path_factory):
    """Starts a gateway of its own (rate limits are per nginx) in front of the tests' APIs."""
    if not (SPA_DIST / "index.html").exists():
        pytest.fail("the SPA is not built: run `make spa`")
    running: list[subprocess.Popen] = []

    def start() -> str:
        gateway = Gateway(host="127.0.0.1", port=free_port(),
                          command_port=services.command_port, query_port=services.query_port,
                          max_body_bytes=services_max_body(),
                          object_store_url=load_settings().s3_endpoint_url,
                          object_store_bucket=load_settings().s3_bucket,
                          runtime=tmp_path_factory.mktemp("gw"))
        gateway.write()
        proc = subprocess.Popen(gateway.argv(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT)
        running.append(proc)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if httpx.get(gateway.url + "/", timeout=1).status_code == 200:
                    return gateway.url
            except httpx.HTTPError:
                time.sleep(0.05)
        log = (gateway.runtime / "error.log")
        raise RuntimeError(f"the gateway did not start: {log.read_text() if log.exists() else ''}")

    yield start
    for proc in running:
        proc.terminate()
        proc.wait(timeout=10)


def services_max_body() -> int:
    return load_settings().max_request_body_bytes


@pytest.fixture(scope="module")
def gateway(start_gateway) -> str:
    return start_gateway()


def ready_draft(services, teacher, student) -> str:
    """A draft with a question and an assigned student, as the exam wizard leaves
    it, its window tomorrow 09:00-11:00 UTC; the title once the catalogue shows it ready."""
    title = f"Geometry final {uuid.uuid4().hex[:6]}"
    tomorrow = (datetime.now(timezone.utc) + timedelta(days=1)).date().isoformat()
    drafted = httpx.post(f"{services.command_url}/v1/exams", headers={
        **teacher["headers"], **key()}, json={
            "title": title, "duration_minutes": 60, "window_opens_at": f"{tomorrow}T09:00:00Z",
            "window_closes_at": f"{tomorrow}T11:00:00Z"}, timeout=30)
    assert drafted.status_code == 201, drafted.text
    exam_id = drafted.json()["exam_id"]
    version = make_ready(services.command_url, teacher, exam_id,
                         bank_question(services.command_url, teacher),
                         [student["user"]["user_id"]])

    def listed_ready() -> bool:
        answer = httpx.get(f"{services.query_url}/v1/exams", headers=teacher["headers"],
                           params={"mine": "true", "status": "draft", "per_page": 100})
        return any(e["exam_id"] == exam_id and e["version"] == version
                   for e in answer.json()["items"])
    eventually(listed_ready, timeout=30)
    return title


OPEN_EXAM_QUESTIONS = (
    {"question_type": "single_choice", "stem": "Which planet is closest to the Sun?",
     "choice": {"options": [{"option_id": "mercury", "text": "Mercury", "correct": True},
                            {"option_id": "venus", "text": "Venus"},
                            {"option_id": "mars", "text": "Mars"}]}},
    {"question_type": "multiple_choice", "stem": "Which of these are gas giants?",
     "choice": {"options": [{"option_id": "jupiter", "text": "Jupiter", "correct": True},
                            {"option_id": "saturn", "text": "Saturn", "correct": True},
                            {"option_id": "earth", "text": "Earth"}]}},
    {"question_type": "long_answer", "stem": "Why do planets orbit the Sun?",
     "long_answer": {"model_answer": "Gravity", "max_words": 200, "rubric": [
         {"criterion_id": "physics", "title": "Physics", "levels": [
             {"label": "Wrong", "points": 0}, {"label": "Partly", "points": 1},
             {"label": "Right", "points": 2}]},
         {"criterion_id": "clarity", "title": "Clarity", "levels": [
             {"label": "Unclear", "points": 0}, {"label": "Clear", "points": 1}]}]}},
)


def open_exam(services, teacher, student) -> tuple[str, str]:
    """A published exam open now for 30 minutes, three questions, assigned to the student:
    (its title, its id), once the student's list shows it."""
    title = f"Astronomy quiz {uuid.uuid4().hex[:6]}"
    cmd, headers, now = services.command_url, teacher["headers"], datetime.now(timezone.utc)
    ids = []
    for question in OPEN_EXAM_QUESTIONS:
        written = httpx.post(f"{cmd}/v1/questions", headers={**headers, **key()}, json=question)
        assert written.status_code == 201, written.text
        ids.append(written.json()["question_id"])
    drafted = httpx.post(f"{cmd}/v1/exams", headers={**headers, **key()}, json={
        "title": title, "duration_minutes": 30, "instructions": "No notes. Work alone.",
        "window_opens_at": (now - timedelta(minutes=5)).isoformat(),
        "window_closes_at": (now + timedelta(hours=2)).isoformat()})
    assert drafted.status_code == 201, drafted.text
    exam_id = drafted.json()["exam_id"]
    for method, path, body in (
            (httpx.put, "questions", {"sections": [{"section_id": "main", "title": "Questions",
                                                    "items": [{"item_id": f"i{n}", "points": 2,
                                                               "candidates": [{"question_id": q}]}
                                                              for n, q in enumerate(ids)]}]}),
            (httpx.post, "assign", {"student_ids": [student["user"]["user_id"]]}),
            (httpx.post, "publish", None)):
        done = method(f"{cmd}/v1/exams/{exam_id}/{path}", headers={**headers, **key()},
                      **({"json": body} if body is not None else {}))
        assert done.status_code == 200, done.text
    eventually(lambda: any(e["exam_id"] == exam_id for e in httpx.get(
        f"{services.query_url}/v1/exams", headers=student["headers"],
        params={"status": "published", "per_page": 100}).json()["items"]), timeout=30)
    return title, exam_id


PROGRAM_QUESTION = {
    "question_type": "coding", "stem": "Print the sum of the two numbers on the input line.",
    "coding": {"language": "python", "time_limit_ms": 1000,
               "sample_tests": [{"test_id": "sample", "stdin": "1 2\n",
                                 "expected_stdout": "3\n"}],
               "hidden_tests": [{"test_id": "small", "stdin": "2 2\n", "expected_stdout": "4\n"},
                                {"test_id": "empty", "stdin": "\n", "expected_stdout": "0\n"}]}}


def judged_exam(services, teacher, coder) -> str:
    """A published exam of one program question that ``coder`` took through the API: their
    program (right but for an empty line) judged, the results published. Its title."""
    title = f"Programming lab {uuid.uuid4().hex[:6]}"
    cmd, headers, now = services.command_url, teacher["headers"], datetime.now(timezone.utc)
    written = httpx.post(f"{cmd}/v1/questions", headers={**headers, **key()},
                         json=PROGRAM_QUESTION)
    assert written.status_code == 201, written.text
    question_id = written.json()["question_id"]
    drafted = httpx.post(f"{cmd}/v1/exams", headers={**headers, **key()}, json={
        "title": title, "duration_minutes": 30,
        "window_opens_at": (now - timedelta(minutes=5)).isoformat(),
        "window_closes_at": (now + timedelta(hours=2)).isoformat()})
    assert drafted.status_code == 201, drafted.text
    exam_id = drafted.json()["exam_id"]
    for method, path, body in (
            (httpx.put, "questions", {"sections": [{"section_id": "main", "title": "Program",
                                                    "items": [{"item_id": "i0", "points": 4,
                                                               "candidates": [
                                                                   {"question_id": question_id}]}]}]}),
            (httpx.post, "assign", {"student_ids": [coder["user"]["user_id"]]}),
            (httpx.post, "publish", None)):
        done = method(f"{cmd}/v1/exams/{exam_id}/{path}", headers={**headers, **key()},
                      **({"json": body} if body is not None else {}))
        assert done.status_code == 200, done.text
    started = httpx.post(f"{cmd}/v1/exams/{exam_id}/start", headers={**coder["headers"], **key()})
    assert started.status_code == 200, started.text
    attempt_id = started.json()["attempt_id"]
    saved = httpx.put(f"{cmd}/v1/attempts/{attempt_id}/answers/{question_id}",
                      headers={**coder["headers"], **key()}, json={"client_seq": 1, "answer": {
                          "code": "a, b = input().split()\nprint(int(a) + int(b))\n"}})
    assert saved.status_code == 200, saved.text
    assert httpx.post(f"{cmd}/v1/attempts/{attempt_id}/submit",
                      headers={**coder["headers"], **key()}).status_code == 200
    eventually(lambda: (lambda r: r.status_code == 200 and r.json()["status"] == "graded")(
        httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}/grades",
                  headers=teacher["headers"])), timeout=90)
    assert httpx.post(f"{cmd}/v1/exams/{exam_id}/results/publish",
                      headers={**headers, **key()}, json={}).status_code == 200
    return title


COHORT_SIZE = 50
COHORT_QUESTIONS = [
    {"question_type": "single_choice", "stem": "Which gas do plants take in?",
     "choice": {"options": [{"option_id": "co2", "text": "Carbon dioxide", "correct": True},
                            {"option_id": "o2", "text": "Oxygen"}]}},
    {"question_type": "long_answer", "stem": "Why do leaves change colour in autumn?",
     "long_answer": {"model_answer": "Chlorophyll breaks down.", "rubric": [
         {"criterion_id": "argument", "title": "Argument", "levels": [
             {"label": "Missing", "points": 0}, {"label": "Vague", "points": 1},
             {"label": "Clear", "points": 2}]}]}},
]


def cohort_exam(services, teacher, make_user) -> tuple[str, str, list[dict]]:
    """A class of COHORT_SIZE students who took an exam of a choice question and an essay
    (through the API) and submitted: (its title, its id, the students), once every attempt is
    auto-graded and every essay waits for the teacher."""
    from tests.e2e.test_attempts import published_exam, save, start

    students = [make_user("student") for _ in range(COHORT_SIZE)]
    now, title = datetime.now(timezone.utc), f"Biology test {uuid.uuid4().hex[:6]}"
    exam_id, (choice, essay) = published_exam(services, teacher, students, COHORT_QUESTIONS,
                                              now - timedelta(minutes=1), now + timedelta(hours=2),
                                              title=title)
    for n, student in enumerate(students):
        attempt_id = start(services, student, exam_id).json()["attempt_id"]
        assert save(services, student, attempt_id, choice, 1,
                    {"option_ids": ["co2" if n % 4 else "o2"]}).status_code == 200
        assert save(services, student, attempt_id, essay, 1,
                    {"text": f"Essay {n}: the green fades and other pigments show."}
                    ).status_code == 200
        assert httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                          headers={**student["headers"], **key()}).status_code == 200
    eventually(lambda: httpx.get(f"{services.query_url}/v1/exams/{exam_id}/grades",
                                 headers=teacher["headers"]).json().get("pending_answers")
               == COHORT_SIZE, timeout=60)
    return title, exam_id, students


def test_browser_journeys(gateway, services, admin, make_user):
    if not Path(CHROMIUM).exists() or shutil.which("node") is None:
        pytest.fail("Chromium or Node.js is missing: `make test` installs them")
    teacher, student, promoted = make_user("teacher"), make_user("student"), make_user("student")
    # Another teacher's exam: the journey's teacher searches their own bank by these words.
    exam_teacher, coder = make_user("teacher"), make_user("student")
    taking, taking_id = open_exam(services, exam_teacher, student)
    cohort_title, cohort_id, cohort = cohort_exam(services, exam_teacher, make_user)
    env = {"SOEMS_E2E_BASE_URL": gateway, "SOEMS_E2E_ARTIFACTS": str(ARTIFACTS),
           "SOEMS_E2E_PROMOTE_EMAIL": promoted["user"]["email"],
           "SOEMS_E2E_READY_EXAM": ready_draft(services, teacher, student),
           "SOEMS_E2E_OPEN_EXAM": taking,
           "SOEMS_E2E_JUDGED_EXAM": judged_exam(services, exam_teacher, coder),
           "SOEMS_E2E_COHORT_EXAM": cohort_title, "SOEMS_E2E_COHORT_SIZE": str(COHORT_SIZE)}
    for role, who in (("ADMIN", admin), ("TEACHER", teacher), ("STUDENT", student),
                      ("PROCTOR", make_user("proctor")), ("EXAM_TEACHER", exam_teacher),
                      ("CODER", coder), ("ANALYST", make_user("analyst"))):
        env[f"SOEMS_E2E_{role}_EMAIL"] = who["user"]["email"]
        env[f"SOEMS_E2E_{role}_PASSWORD"] = who["password"]
    run = subprocess.run(["node", "e2e/journeys.mjs"], cwd=FRONTEND, capture_output=True,
                         text=True, timeout=420, env={**os.environ, **env})
    print(run.stdout)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-6000:]
    assert "74 pages checked" in run.stdout
    assert len(list(ARTIFACTS.glob("*.png"))) >= 74
    # The class's essays graded in the browser: every attempt graded, the results published;
    # each student reads their marks and has their results email in Mailpit.
    settings = load_settings()
    overview = httpx.get(f"{services.query_url}/v1/exams/{cohort_id}/grades",
                         headers=exam_teacher["headers"], params={"per_page": 100}).json()
    assert (overview["attempts"], overview["graded"], overview["pending_answers"]) == (
        COHORT_SIZE, COHORT_SIZE, 0)
    assert overview["results_for_all"] is True
    for n, member in enumerate(cohort):
        mine = httpx.get(f"{services.query_url}/v1/attempts", headers=member["headers"],
                         params={"exam_id": cohort_id}).json()["items"][0]["results"]
        # The choice (2 points, wrong for every fourth) and the essay (2 points, the rubric's
        # Vague or Clear in the browser: 1 or 2).
        assert mine is not None and mine["complete"], (n, mine)
        assert 1 <= mine["score"] <= 4, (n, mine)
    subject = f"Your results for {cohort_title} are published"

    def emailed() -> bool:
        found = httpx.get(f"{settings.smtp_api_url}/api/v1/search",
                          params={"query": f'subject:"{subject}"', "limit": 200},
                          auth=(settings.smtp_user, settings.smtp_password), timeout=10).json()
        return len(found["messages"]) >= COHORT_SIZE and found
    found = eventually(emailed, timeout=90, interval=1)
    assert {m["To"][0]["Address"] for m in found["messages"]} == {
        m["user"]["email"] for m in cohort}
    # What the student answered in the browser is what the submitted attempt holds.
    again = httpx.post(f"{services.command_url}/v1/exams/{taking_id}/start",
                       headers={**student["headers"], **key()})
    assert again.status_code == 409 and again.json()["code"] == "no_attempts_left"
    attempt_id = attempt_id_for(taking_id, student["user"]["user_id"], 1)
    attempt = httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}",
                        headers=student["headers"]).json()
    assert (attempt["status"], attempt["submit_reason"]) == ("submitted", "student")
    by_stem = {q["question"]["stem"]: attempt["answers"].get(q["question"]["question_id"])
               for q in attempt["questions"]}
    assert by_stem["Which planet is closest to the Sun?"]["answer"] == {
        "option_ids": ["mercury"]}
    assert sorted(by_stem["Which of these are gas giants?"]["answer"]["option_ids"]) == [
        "jupiter", "saturn"]
    assert by_stem["Why do planets orbit the Sun?"]["answer"] == {
        "text": "Gravity bends their paths around it."}
    # Graded: the choices by the auto-grader, the essay by the teacher in the browser
    # (Physics "Right" 2 + Clarity "Unclear" 0 of 3 rubric points, on a 2-point question).
    grades = eventually(lambda: (lambda g: g.get("status") == "graded" and g)(httpx.get(
        f"{services.query_url}/v1/attempts/{attempt_id}/grades",
        headers=exam_teacher["headers"]).json()), timeout=20)
    marks = {m["question_id"]: m for m in grades["marks"]}
    essay = next(q["question"]["question_id"] for q in attempt["questions"]
                 if q["question"]["stem"] == "Why do planets orbit the Sun?")
    assert grades["status"] == "graded", grades
    assert (marks[essay]["method"], marks[essay]["points"]) == ("manual", 1.3333)
    assert marks[essay]["teacher_feedback"] == "Name the force and what it does."
    assert grades["score"] == pytest.approx(2 + 2 + 1.3333)


def test_the_gateway_serves_the_spa_with_strict_headers_and_compression(gateway):
    page = httpx.get(f"{gateway}/teacher")  # a deep link: the SPA's router decides
    assert page.status_code == 200 and '<div id="root">' in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-eval" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    script = next(part.split('"')[0] for part in page.text.split('src="')[1:])
    asset = httpx.get(f"{gateway}{script}", headers={"Accept-Encoding": "gzip"})
    assert asset.headers["content-encoding"] == "gzip"
    assert "immutable" in asset.headers["cache-control"]
    assert httpx.get(f"{gateway}/assets/missing.js").status_code == 404


def test_reads_go_to_the_query_api_and_commands_to_the_command_api(gateway, admin):
    # The same path answers from both APIs by method: the list (query), the creation (command).
    listed = httpx.get(f"{gateway}/api/v1/users", headers=admin["headers"])
    assert listed.status_code == 200 and "items" in listed.json()
    created = httpx.post(f"{gateway}/api/v1/users", headers=admin["headers"], json={})
    assert created.status_code == 422  # the command API validated it (no Idempotency-Key)
    assert created.json()["field"] in {"Idempotency-Key", "email", "name", "password", "role"}
    # The APIs' own headers come through; the SPA's CSP is not added to API answers.
    assert listed.headers["content-security-policy"].startswith("default-src 'none'")


def test_the_gateway_refuses_large_bodies_in_the_error_shape(gateway, admin):
    answer = httpx.post(f"{gateway}/api/v1/exams", headers=admin["headers"],
                        content=b"x" * (services_max_body() + 1024))
    assert answer.status_code == 413
    assert answer.json()["code"] == "too_large"


def test_a_file_to_import_may_be_larger_than_other_requests(gateway, admin):
    """Question and account files get SOEMS_MAX_IMPORT_BYTES at the gateway too."""
    padding = b" and then some" * 16  # 224 bytes: 5,000 rows are more than 1 MiB
    rows = b"".join(b"true_false,Imported through the gateway %d%s,true\r\n" % (n, padding)
                    for n in range(5_000))
    data = b"type,stem,correct\r\n" + rows
    assert len(data) > services_max_body()
    answer = httpx.post(f"{gateway}/api/v1/questions/imports/preview", content=data,
                        headers={**admin["headers"], "Content-Type": "text/csv"}, timeout=120)
    assert answer.status_code == 200, answer.text[:300]
    assert answer.json()["valid"] == answer.json()["total"] == 5_000


def test_sign_in_is_rate_limited_per_address(start_gateway):
    url = start_gateway()  # its own limits, so other tests' sign-ins are not counted
    codes = [httpx.post(f"{url}/api/v1/auth/login", json={}).status_code for _ in range(30)]
    assert codes[0] == 422  # reached the API
    assert 429 in codes
    refused = httpx.post(f"{url}/api/v1/auth/login", json={})
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_requests"


def test_the_combined_docs_work_through_the_gateway(gateway):
    page = httpx.get(f"{gateway}/api/docs", follow_redirects=True)
    assert page.status_code == 200
    assert "/api/v1/openapi.json" in page.text and "/api/v1/docs/assets/" in page.text
    assert httpx.get(f"{gateway}/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200
    spec = httpx.get(f"{gateway}/api/v1/openapi.json").json()
    assert {"/v1/auth/login", "/v1/users", "/v1/exams"} <= set(spec["paths"])
    assert spec["paths"]["/v1/auth/login"]["post"]["servers"] == [{"url": "/api"}]


def test_websocket_upgrades_pass_through_to_the_query_api(gateway, services):
    # The exam page's live channel, through the gateway: the query API answers the
    # handshake and then refuses a token that is not one, by its own close code.
    url = gateway.replace("http://", "ws://") + "/api/v1/attempts/some-attempt/live"
    with ws_connect(url, open_timeout=5) as socket:
        socket.send(json.dumps({"token": "not-a-token"}))
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "invalid_token")
    # A plain GET of the same path is not a WebSocket: the query API has no such page.
    assert httpx.get(f"{gateway}/api/v1/attempts/some-attempt/live").status_code in (404, 405)


def test_media_go_to_the_object_store_and_back_on_the_gateways_origin(gateway, teacher):
    """The SPA's CSP allows only its own origin: the URLs of an upload and of a stored file
    are on the gateway, which passes them to the store with their signatures intact."""
    body = png()
    offered = httpx.post(f"{gateway}/api/v1/media", headers={**teacher["headers"], **key()},
                         json={"filename": "g.png", "content_type": "image/png",
                               "size_bytes": len(body)})
    assert offered.status_code == 201, offered.text
    form = offered.json()["upload"]
    assert form["url"].startswith("/objects/")
    stored = httpx.post(f"{gateway}{form['url']}", data=form["fields"],
                        files={"file": ("g.png", body, "image/png")})
    assert stored.status_code in (200, 204), stored.text
    media_id = offered.json()["media_id"]
    confirmed = httpx.post(f"{gateway}/api/v1/media/{media_id}/confirm",
                           headers={**teacher["headers"], **key()})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "stored"

    def link():
        answer = httpx.get(f"{gateway}/api/v1/media/{media_id}", headers=teacher["headers"])
        return answer.json()["url"] if answer.status_code == 200 else None

    url = eventually(link)
    assert url.startswith("/objects/")
    fetched = httpx.get(f"{gateway}{url}")
    assert fetched.status_code == 200 and fetched.content == body
    assert fetched.headers["content-type"] == "image/png"
    assert "sandbox" in fetched.headers["content-security-policy"]
    # The signature still guards it: a changed key is refused by the store.
    assert httpx.get(f"{gateway}{url.replace(media_id, 'x' + media_id[1:])}").status_code == 403
    # Only the bucket is reachable: the store's own API is not (its health, admin, listing).
    for path in ("/objects/minio/health/live", "/objects/minio/admin/v3/info", "/objects/",
                 "/objects/other-bucket/x"):
        assert httpx.get(f"{gateway}{path}").status_code == 404, path
