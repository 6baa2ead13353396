"""Every route of both APIs, called by every kind of caller, answers what its role and
ownership rules say, on the real stack.

The routes come from the apps themselves: a new route without a row in ``EXPECTED`` fails
``test_every_route_is_in_the_matrix``, so no route ships without its access rules tested.
Exam routes act on a fresh draft of teacher A (so one caller's publish or delete never changes
what the next caller sees); user routes act on a throwaway student.
"""
from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from fastapi.routing import APIWebSocketRoute
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect as ws_connect

from command_api.app import create_app as command_app
from query_api.app import create_app as query_app
from tests.e2e.conftest import login
from tests.e2e.test_media import png, upload
from tests.e2e.harness import (WINDOW, bank_question, bearer, eventually, key, layout_of,
                               make_ready, own_address)

CALLERS = ("anonymous", "student", "teacher_a", "teacher_b", "proctor", "analyst", "admin",
           "disabled_admin")
ANONYMOUS_OR_DISABLED = {"anonymous": 401, "disabled_admin": 401}


def only(allowed: dict[str, int], refused: int = 403) -> dict[str, int]:
    """Expected statuses: ``allowed`` callers as given, anonymous and disabled callers 401,
    every other caller ``refused``."""
    return {c: allowed.get(c, ANONYMOUS_OR_DISABLED.get(c, refused)) for c in CALLERS}


def everyone(status: int) -> dict[str, int]:
    return {c: status for c in CALLERS}


def signed_in(status: int) -> dict[str, int]:
    """Any account with a live session: ``status``; anonymous and disabled callers 401."""
    return {c: ANONYMOUS_OR_DISABLED.get(c, status) for c in CALLERS}


QUESTION_MANAGERS = only({"teacher_a": 200, "admin": 200, "teacher_b": 403}, 404)

# (API, method, path template) -> caller -> status
EXPECTED: dict[tuple[str, str, str], dict[str, int]] = {
    # public: no token needed, a token changes nothing
    ("command", "POST", "/v1/auth/register"): everyone(201),
    ("command", "POST", "/v1/auth/login"): everyone(200),
    ("command", "POST", "/v1/auth/refresh"): everyone(401),  # a made-up refresh token
    # any signed-in account
    ("command", "PUT", "/v1/auth/me"): signed_in(200),
    ("command", "PUT", "/v1/auth/me/notifications"): signed_in(200),
    ("command", "POST", "/v1/auth/logout"): signed_in(204),
    ("query", "GET", "/v1/auth/me"): signed_in(200),
    ("query", "GET", "/v1/auth/me/notifications"): signed_in(200),
    ("query", "GET", "/v1/exams"): signed_in(200),
    # admins
    ("command", "POST", "/v1/users"): only({"admin": 201}),
    ("command", "PUT", "/v1/users/{user_id}/role"): only({"admin": 200}),
    ("command", "POST", "/v1/users/{user_id}/disable"): only({"admin": 200}),
    ("command", "POST", "/v1/users/{user_id}/enable"): only({"admin": 200}),
    ("query", "GET", "/v1/users/{user_id}/notifications"): only({"admin": 200}),
    ("query", "GET", "/v1/users"): only({"admin": 200}),
    ("command", "POST", "/v1/users/imports/preview"): only({"admin": 200}),
    ("command", "POST", "/v1/users/imports"): only({"admin": 201}),
    # exams: teachers draft; the owner and admins manage; to others a draft does not exist
    ("command", "POST", "/v1/exams"): only({"teacher_a": 201, "teacher_b": 201}),
    ("command", "PUT", "/v1/exams/{exam_id}"): only({"teacher_a": 200, "admin": 200}, 404),
    ("command", "POST", "/v1/exams/{exam_id}/publish"): only({"teacher_a": 200, "admin": 200},
                                                             404),
    ("command", "DELETE", "/v1/exams/{exam_id}"): only({"teacher_a": 200, "admin": 200}, 404),
    ("query", "GET", "/v1/exams/{exam_id}"): only({"teacher_a": 200, "admin": 200}, 404),
    ("query", "GET", "/v1/exams/{exam_id}/assignments"): only({"teacher_a": 200, "admin": 200},
                                                              404),
    **{("command", method, f"/v1/exams/{{exam_id}}/{action}"): only(
        {"teacher_a": 200, "admin": 200}, 404)
       for method, action in (("PUT", "questions"), ("PUT", "settings"), ("POST", "assign"),
                              ("POST", "unassign"), ("PUT", "accommodations/{student_id}"),
                              ("DELETE", "accommodations/{student_id}"))},
    # a draft's window is not extended (409); only teachers own exams, so an admin's clone is
    # refused (403)
    ("command", "POST", "/v1/exams/{exam_id}/extend"): only({"teacher_a": 409, "admin": 409},
                                                            404),
    ("command", "POST", "/v1/exams/{exam_id}/clone"): only({"teacher_a": 201, "admin": 403},
                                                           404),
    # the question bank: staff write; the owner (teacher A) and admins manage; teacher B, whom
    # the question is shared with, reads and copies it; to students and proctors a question
    # does not exist on the command side, and the bank's reads need a staff role
    ("command", "POST", "/v1/questions"): only({"teacher_a": 201, "teacher_b": 201,
                                                "admin": 201}),
    # cohorts: staff keep them; the owner (teacher A) and admins change one; any staff reads
    ("command", "POST", "/v1/cohorts"): only({"teacher_a": 201, "teacher_b": 201, "admin": 201}),
    **{("command", method, path): only({"teacher_a": 200, "admin": 200, "teacher_b": 403}, 404)
       for method, path in (("PUT", "/v1/cohorts/{cohort_id}"),
                            ("POST", "/v1/cohorts/{cohort_id}/members"),
                            ("POST", "/v1/cohorts/{cohort_id}/members/remove"))},
    **{("query", "GET", path): only({"teacher_a": 200, "teacher_b": 200, "admin": 200})
       for path in ("/v1/cohorts", "/v1/cohorts/{cohort_id}")},
    # question files: staff only; an export names a question teacher B may read
    ("command", "POST", "/v1/questions/imports"): only({"teacher_a": 201, "teacher_b": 201,
                                                        "admin": 201}),
    **{("command", "POST", path): only({"teacher_a": 200, "teacher_b": 200, "admin": 200})
       for path in ("/v1/questions/imports/preview", "/v1/questions/exports",
                    "/v1/questions/exports/template")},
    # media: staff upload; the owner (teacher A) and admins confirm; a stored file's URL is
    # for its owner, admins, and teachers who can see a question showing it
    ("command", "POST", "/v1/media"): only({"teacher_a": 201, "teacher_b": 201, "admin": 201}),
    ("command", "POST", "/v1/media/{media_id}/confirm"): only({"teacher_a": 200, "admin": 200},
                                                              404),
    ("query", "GET", "/v1/media/{media_id}"): only({"teacher_a": 200, "admin": 200,
                                                    "teacher_b": 404}),
    **{("command", "POST", f"/v1/questions/{{question_id}}/{action}"): QUESTION_MANAGERS
       for action in ("share", "unshare", "archive", "restore")},
    ("command", "PUT", "/v1/questions/{question_id}"): QUESTION_MANAGERS,
    ("command", "POST", "/v1/questions/{question_id}/revisions/{revision}/restore"):
        QUESTION_MANAGERS,
    # exam day: only the assigned student starts; an attempt is its student's alone
    ("command", "POST", "/v1/exams/{exam_id}/start"): only({"student": 200}),
    ("command", "PUT", "/v1/attempts/{attempt_id}/answers/{question_id}"):
        only({"student": 200}, 404),
    ("command", "POST", "/v1/attempts/{attempt_id}/submit"): only({"student": 200}, 404),
    ("command", "PUT", "/v1/attempts/{attempt_id}/place"): only({"student": 200}, 404),
    # supervision: proctors, admins and the exam's teacher (teacher A)
    **{("command", "POST", f"/v1/attempts/{{attempt_id}}/{action}"): only(
        {"teacher_a": 200, "proctor": 200, "admin": 200}, 404)
       for action in ("extend", "pause", "resume")},
    ("query", "GET", "/v1/attempts/{attempt_id}"): only({"student": 200}, 404),
    ("query", "GET", "/v1/attempts"): only({"student": 200}),
    # grades: the exam's teacher and admins (a student's own once published: not yet here)
    ("query", "GET", "/v1/attempts/{attempt_id}/grades"): only({"teacher_a": 200, "admin": 200},
                                                               404),
    ("query", "GET", "/v1/exams/{exam_id}/grades"): only({"teacher_a": 200, "admin": 200}, 404),
    ("query", "GET", "/v1/analytics/students/{student_id}"): only({"admin": 200}, 404),
    ("query", "GET", "/v1/exams/{exam_id}/grades/export"): only({"teacher_a": 200,
                                                                "admin": 200}, 404),
    # a published exam's figures: analysts too (never a draft's: see
    # test_analysts_read_published_exams_figures_only)
    **{("query", "GET", path): only({"teacher_a": 200, "admin": 200, "analyst": 200}, 404)
       for path in ("/v1/analytics/exams/{exam_id}", "/v1/analytics/exams/{exam_id}/export")},
    ("query", "GET", "/v1/exams/{exam_id}/grading-queue"): only({"teacher_a": 200, "admin": 200},
                                                                404),
    ("command", "PUT", "/v1/attempts/{attempt_id}/grades/{question_id}"): only(
        {"teacher_a": 200, "admin": 200}, 404),
    ("command", "POST", "/v1/exams/{exam_id}/results/publish"): only(
        {"teacher_a": 200, "admin": 200}, 404),
    # a regrade's preview of the matrix question (no attempt submitted: nothing changes)
    ("command", "POST", "/v1/exams/{exam_id}/regrade"): only({"teacher_a": 200, "admin": 200},
                                                              404),
    # a draft's progress: its teacher and admins (proctors once it is published)
    ("query", "GET", "/v1/exams/{exam_id}/progress"): only({"teacher_a": 200, "admin": 200},
                                                           404),
    ("command", "POST", "/v1/questions/{question_id}/copy"): only(
        {"teacher_a": 201, "teacher_b": 201, "admin": 201}, 404),
    **{("query", "GET", path): only({"teacher_a": 200, "teacher_b": 200, "admin": 200})
       for path in ("/v1/questions", "/v1/questions/{question_id}",
                    "/v1/questions/{question_id}/preview", "/v1/questions/{question_id}/revisions",
                    "/v1/questions/{question_id}/revisions/{revision}")},
}
# Infrastructure, the same for every caller (metrics: to local addresses only).
PUBLIC_INFRASTRUCTURE = {
    ("command", "GET", "/healthz"), ("command", "GET", "/metrics"),
    ("command", "GET", "/openapi.json"),
    ("query", "GET", "/healthz"), ("query", "GET", "/metrics"), ("query", "GET", "/openapi.json"),
    ("query", "GET", "/v1/openapi.json"), ("query", "GET", "/v1/docs"),
}  # the docs assets are a static mount under /v1/docs/assets


def routes_of(app, api: str) -> set[tuple[str, str, str]]:
    """Every documented operation (the apps' OpenAPI), plus the app's own top-level routes
    (where the undocumented infrastructure lives)."""
    found = {(api, method.upper(), path) for path, operations in app.openapi()["paths"].items()
             for method in operations}
    for route in app.routes:
        for method in getattr(route, "methods", None) or ():
            if method != "HEAD" and getattr(route, "path", None):
                found.add((api, method, route.path))
    return found


def test_every_route_is_in_the_matrix():
    routes = routes_of(command_app(), "command") | routes_of(query_app(), "query")
    missing = routes - set(EXPECTED) - PUBLIC_INFRASTRUCTURE
    assert not missing, f"routes without expected statuses per caller: {sorted(missing)}"
    gone = set(EXPECTED) - routes
    assert not gone, f"the matrix names routes that no longer exist: {sorted(gone)}"


@pytest.fixture(scope="module")
def callers(services, admin, make_user) -> dict[str, dict]:
    """One account per kind of caller, this module's own (its sign-outs end them)."""
    made = {"anonymous": {"headers": {}}}
    for name, role in (("admin", "admin"), ("student", "student"), ("teacher_a", "teacher"),
                       ("teacher_b", "teacher"), ("proctor", "proctor"), ("analyst", "analyst"),
                       ("disabled_admin", "admin")):
        made[name] = make_user(role)
    disabled = httpx.post(
        f"{services.command_url}/v1/users/{made['disabled_admin']['user']['user_id']}/disable",
        headers={**admin["headers"], **key()}, json={"reason": "matrix"})
    assert disabled.status_code == 200
    return made


def fresh_draft(services, callers) -> str:
    """A draft of teacher A's, ready to publish: a window, a question, the matrix's student."""
    teacher = callers["teacher_a"]
    drafted = httpx.post(f"{services.command_url}/v1/exams",
                         headers={**teacher["headers"], **key()},
                         json={"title": "Matrix draft", "duration_minutes": 30, **WINDOW})
    assert drafted.status_code == 201, drafted.text
    exam_id = drafted.json()["exam_id"]
    make_ready(services.command_url, teacher, exam_id, matrix_question(services, teacher),
               [callers["student"]["user"]["user_id"]])
    return exam_id


def open_exam(services, callers) -> str:
    """A published exam of teacher A's, open now, assigned to the matrix's student."""
    teacher, now = callers["teacher_a"], datetime.now(timezone.utc)
    drafted = httpx.post(f"{services.command_url}/v1/exams",
                         headers={**teacher["headers"], **key()},
                         json={"title": "Matrix exam day", "duration_minutes": 30,
                               "window_opens_at": (now - timedelta(minutes=1)).isoformat(),
                               "window_closes_at": (now + timedelta(hours=1)).isoformat()})
    assert drafted.status_code == 201, drafted.text
    exam_id = drafted.json()["exam_id"]
    make_ready(services.command_url, teacher, exam_id, matrix_question(services, teacher),
               [callers["student"]["user"]["user_id"]])
    published = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/publish",
                           headers={**teacher["headers"], **key()})
    assert published.status_code == 200, published.text
    return exam_id


def fresh_attempt(services, callers, wait: bool) -> str:
    """The matrix student's attempt at a fresh open exam (one per route: a submit ends it)."""
    student = callers["student"]
    started = httpx.post(f"{services.command_url}/v1/exams/{open_exam(services, callers)}/start",
                         headers={**student["headers"], **key()})
    return created(services, student, started, "attempt_id", "/v1/attempts/{}", wait)


def graded_attempt(services, callers) -> str:
    """A fresh attempt, submitted by its student, once the auto-grader has graded it."""
    attempt_id = fresh_attempt(services, callers, wait=False)
    submitted = httpx.post(f"{services.command_url}/v1/attempts/{attempt_id}/submit",
                           headers={**callers["student"]["headers"], **key()})
    assert submitted.status_code == 200, submitted.text
    eventually(lambda: httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}/grades",
                                 headers=callers["teacher_a"]["headers"]).status_code == 200)
    return attempt_id


def created(services, reader, answer: httpx.Response, id_field: str, read_path: str,
            wait: bool) -> str:
    """The id a command answered; with ``wait``, once ``reader`` can read it on the query
    side (``read_path`` with ``{}`` for the id)."""
    assert answer.status_code in (200, 201), answer.text
    made = answer.json()[id_field]
    if wait:
        eventually(lambda: httpx.get(f"{services.query_url}{read_path.format(made)}",
                                     headers=reader["headers"]).status_code == 200)
    return made


_matrix_questions: dict[str, str] = {}


def matrix_question(services, teacher) -> str:
    if teacher["user"]["user_id"] not in _matrix_questions:
        _matrix_questions[teacher["user"]["user_id"]] = bank_question(services.command_url,
                                                                      teacher)
    return _matrix_questions[teacher["user"]["user_id"]]


def fresh_question(services, callers, wait: bool) -> str:
    """A question of teacher A's, shared with teacher B (read and copy)."""
    teacher_a, teacher_b = callers["teacher_a"], callers["teacher_b"]
    made = httpx.post(f"{services.command_url}/v1/questions",
                      headers={**teacher_a["headers"], **key()}, json=MATRIX_QUESTION)
    assert made.status_code == 201, made.text
    question_id = made.json()["question_id"]
    shared = httpx.post(f"{services.command_url}/v1/questions/{question_id}/share",
                        headers={**teacher_a["headers"], **key()},
                        json={"teacher_ids": [teacher_b["user"]["user_id"]]})
    assert shared.status_code == 200, shared.text
    if wait:  # the bank is a read model: wait until teacher B sees the share
        eventually(lambda: httpx.get(f"{services.query_url}/v1/questions/{question_id}",
                                     headers=teacher_b["headers"]).status_code == 200)
        # and the revisions are another, which may be a moment behind the bank
        eventually(lambda: httpx.get(f"{services.query_url}/v1/questions/{question_id}"
                                     "/revisions/1",
                                     headers=teacher_a["headers"]).status_code == 200)
    return question_id


def fresh_cohort(services, callers, wait: bool) -> str:
    teacher = callers["teacher_a"]
    made = httpx.post(f"{services.command_url}/v1/cohorts",
                      headers={**teacher["headers"], **key()}, json={"name": "Matrix class"})
    return created(services, teacher, made, "cohort_id", "/v1/cohorts/{}", wait)


def fresh_media(services, teacher, confirmed: bool) -> str:
    """An image of teacher A's, uploaded to the store (and confirmed, for reads)."""
    image = png()
    offered = httpx.post(f"{services.command_url}/v1/media",
                         headers={**teacher["headers"], **key()},
                         json={"filename": "m.png", "content_type": "image/png",
                               "size_bytes": len(image)})
    assert offered.status_code == 201, offered.text
    assert upload(offered.json(), image).status_code in (200, 204)
    media_id = offered.json()["media_id"]
    if confirmed:
        done = httpx.post(f"{services.command_url}/v1/media/{media_id}/confirm",
                          headers={**teacher["headers"], **key()})
        assert done.status_code == 200, done.text
        eventually(lambda: httpx.get(f"{services.query_url}/v1/media/{media_id}",
                                     headers=teacher["headers"]).status_code == 200)
    return media_id


MATRIX_CSV = b"type,stem,correct\r\ntrue_false,Imported by the matrix,true\r\n"
MATRIX_QUESTION = {"question_type": "true_false", "stem": "The matrix is complete.",
                   "true_false": {"correct": True}}


def throwaway_student(services, admin) -> str:
    made = httpx.post(f"{services.command_url}/v1/users", headers={**admin["headers"], **key()},
                      json={"email": f"m-{uuid.uuid4().hex[:8]}@example.edu", "name": "Target",
                            "password": uuid.uuid4().hex, "role": "student"})
    assert made.status_code == 201, made.text
    return made.json()["user_id"]


def body_for(services, method: str, path: str, caller: str, callers: dict) -> dict | None:
    admin = callers["admin"]
    if path == "/v1/auth/register":
        return {"email": f"r-{uuid.uuid4().hex[:8]}@example.edu", "name": "Reg",
                "password": "registered password"}
    if path == "/v1/auth/login":
        return {"email": admin["user"]["email"], "password": admin["password"]}
    if path == "/v1/auth/refresh":
        return {"refresh_token": "made-up-" + uuid.uuid4().hex}
    if path == "/v1/auth/me":
        return {"name": f"Renamed {caller}"} if method == "PUT" else None
    if path == "/v1/auth/logout":
        return {}
    if path == "/v1/auth/me/notifications":
        return {"exam_reminders": False}
    if path == "/v1/users" and method == "POST":
        return {"email": f"n-{uuid.uuid4().hex[:8]}@example.edu", "name": "New",
                "password": uuid.uuid4().hex, "role": "student"}
    if path.endswith("/role"):
        return {"role": "proctor"}
    if path.endswith("/disable"):
        return {"reason": "matrix"}
    if path in ("/v1/exams", "/v1/exams/{exam_id}") and method in ("POST", "PUT"):
        return {"title": "Matrix exam", "duration_minutes": 45}
    if path in ("/v1/questions", "/v1/questions/{question_id}") and method in ("POST", "PUT"):
        return {**MATRIX_QUESTION, "stem": f"Edited by {caller}"}
    if path == "/v1/exams/{exam_id}/questions":
        return layout_of(_matrix_questions[callers["teacher_a"]["user"]["user_id"]])
    if path == "/v1/exams/{exam_id}/settings":
        return {"attempts_allowed": 2, "navigation": "linear"}
    if path in ("/v1/exams/{exam_id}/assign", "/v1/exams/{exam_id}/unassign"):
        return {"student_ids": [callers["student"]["user"]["user_id"]]}
    if path == "/v1/exams/{exam_id}/accommodations/{student_id}" and method == "PUT":
        return {"extra_minutes": 15, "reason": "matrix"}
    if path == "/v1/exams/{exam_id}/extend":
        return {"window_closes_at": "2027-03-02T12:00:00Z"}
    if path == "/v1/exams/{exam_id}/clone":
        return {}
    if path.endswith("/extend"):
        return {"minutes": 5, "reason": "the network went down"}
    if path.endswith("/pause"):
        return {"reason": "fire alarm"}
    if path.endswith("/place"):
        return {"flagged": [_matrix_questions[callers["teacher_a"]["user"]["user_id"]]]}
    if path.endswith("/results/publish"):
        return {}
    if path.endswith("/regrade"):
        return {"question_id": _matrix_questions[callers["teacher_a"]["user"]["user_id"]]}
    if path.endswith("/grades/{question_id}"):
        return {"points": 0.5, "feedback": f"Graded by {caller}"}
    if path.startswith("/v1/attempts/") and method == "PUT":
        return {"client_seq": 1 + CALLERS.index(caller), "answer": {"option_ids": ["true"]}}
    if path == "/v1/questions/exports":
        return {"question_ids": [fresh_question(services, callers, wait=False)]}
    if path in ("/v1/cohorts", "/v1/cohorts/{cohort_id}"):
        return {"name": f"Class of {caller}"}
    if path.startswith("/v1/cohorts/{cohort_id}/members"):
        return {"student_ids": [callers["student"]["user"]["user_id"]]}
    if path == "/v1/media":
        return {"filename": "m.png", "content_type": "image/png", "size_bytes": 100}
    if path.endswith("/share"):  # teachers only, by email or id (B has it already)
        return {"teacher_emails": [callers["teacher_b"]["user"]["email"]]}
    if path.endswith("/unshare"):  # whoever an id names, even no account now
        return {"teacher_ids": [f"someone-{caller}"]}
    return None


# The live channels (WebSockets, so not in the OpenAPI documents): what each caller's first
# message brings back, "ready" or the close code.
LIVE_EXPECTED = {
    "/v1/attempts/{attempt_id}/live": {
        "anonymous": 4401, "disabled_admin": 4401, "student": "ready", "teacher_a": 4404,
        "teacher_b": 4404, "proctor": 4404, "analyst": 4404, "admin": 4404},
    # progress of a published exam: its teacher, proctors, admins
    "/v1/exams/{exam_id}/progress/live": {
        "anonymous": 4401, "disabled_admin": 4401, "student": 4404, "teacher_a": "ready",
        "teacher_b": 4404, "proctor": "ready", "analyst": 4404, "admin": "ready"},
}


def websocket_paths(routes, prefix: str = "") -> set[str]:
    """The WebSocket routes' paths, through the routers an app includes (FastAPI keeps an
    included router whole, with its prefix in ``include_context``)."""
    found = set()
    for route in routes:
        if isinstance(route, APIWebSocketRoute):
            found.add(prefix + route.path)
        elif hasattr(route, "original_router"):
            found |= websocket_paths(route.original_router.routes,
                                     prefix + route.include_context.prefix)
    return found


def test_every_live_channel_is_in_the_matrix():
    assert websocket_paths(query_app().routes) == set(LIVE_EXPECTED)
    assert websocket_paths(command_app().routes) == set()


def test_each_caller_gets_what_the_rules_say_of_each_live_channel(services, callers):
    """Runs before the HTTP rows, whose sign-outs end the callers' sessions."""
    attempt_id = fresh_attempt(services, callers, wait=True)
    exam_id = open_exam(services, callers)
    # Proctors follow an exam once the catalogue (a read model) shows it published.
    eventually(lambda: httpx.get(f"{services.query_url}/v1/exams/{exam_id}/progress",
                                 headers=callers["proctor"]["headers"]).status_code == 200)
    for path, expected in LIVE_EXPECTED.items():
        concrete = path.replace("{attempt_id}", attempt_id).replace("{exam_id}", exam_id)
        url = services.query_url.replace("http://", "ws://") + concrete
        answers = {}
        for caller in CALLERS:
            token = callers[caller]["headers"].get("Authorization", "").removeprefix("Bearer ")
            with ws_connect(url, open_timeout=5) as socket:
                socket.send(json.dumps({"token": token} if token else {}))
                try:
                    answers[caller] = json.loads(socket.recv(timeout=5))["type"]
                except ConnectionClosed as closed:
                    answers[caller] = closed.rcvd.code
        assert answers == expected, path


# Sign-outs last: they end the caller's session, which every other row needs.
ROWS = sorted(EXPECTED, key=lambda r: (r[2] == "/v1/auth/logout", r))


@pytest.mark.parametrize("route", ROWS, ids=lambda r: f"{r[0]} {r[1]} {r[2]}")
def test_each_caller_gets_what_the_rules_say(services, callers, route):
    admin = callers["admin"]
    api, method, path = route
    base = services.command_url if api == "command" else services.query_url
    answers = {}
    # Exam day: one open exam, or one attempt, per route, reached by every caller.
    opened = open_exam(services, callers) if path.endswith("/start") or path.endswith(
        "/results/publish") or path.startswith("/v1/analytics/exams/") else None
    attempt = graded_attempt(services, callers) if "/grades" in path and \
        "{attempt_id}" in path else fresh_attempt(services, callers, wait=api == "query") \
        if "{attempt_id}" in path else None
    for caller in CALLERS:
        concrete = path
        if opened:
            concrete = path.replace("{exam_id}", opened)
        elif "{exam_id}" in path:
            exam_id = fresh_draft(services, callers)
            if api == "query":  # the exam document is a read model: wait for the draft
                eventually(lambda: httpx.get(f"{base}/v1/exams/{exam_id}",
                                             headers=callers["teacher_a"]["headers"]
                                             ).status_code == 200)
            concrete = path.replace("{exam_id}", exam_id)
        if path == "/v1/analytics/students/{student_id}":
            # Someone with no results anywhere: only an admin reads (an empty) trend; a
            # teacher learns nothing, not even that the student exists.
            concrete = concrete.replace("{student_id}", throwaway_student(services, admin))
        concrete = concrete.replace("{student_id}", callers["student"]["user"]["user_id"])
        if "{cohort_id}" in path:
            concrete = concrete.replace("{cohort_id}", fresh_cohort(services, callers,
                                                                    wait=api == "query"))
        if "{media_id}" in path:
            concrete = concrete.replace("{media_id}", fresh_media(
                services, callers["teacher_a"], confirmed=api == "query"))
        if attempt:
            concrete = concrete.replace("{attempt_id}", attempt).replace(
                "{question_id}", matrix_question(services, callers["teacher_a"]))
        if "{question_id}" in concrete:
            concrete = concrete.replace("{question_id}",
                                        fresh_question(services, callers, wait=api == "query"))
            concrete = concrete.replace("{revision}", "1")
        if "{user_id}" in path:
            concrete = path.replace("{user_id}", throwaway_student(services, admin))
        headers = {**callers[caller]["headers"], **key(), **own_address()}
        if path.startswith("/v1/questions/imports"):  # a file, not JSON
            answer = httpx.request(method, f"{base}{concrete}", content=MATRIX_CSV,
                                   headers={**headers, "Content-Type": "text/csv"})
        elif path.startswith("/v1/users/imports"):
            accounts = (f"email,name,password\r\nm-{uuid.uuid4().hex[:10]}@example.edu,"
                        f"Imported,{uuid.uuid4().hex}\r\n").encode()
            answer = httpx.request(method, f"{base}{concrete}", content=accounts,
                                   headers={**headers, "Content-Type": "text/csv"})
        else:
            params = {"question_id": "any-question"} if path.endswith("/grading-queue") else None
            answer = httpx.request(method, f"{base}{concrete}", headers=headers, params=params,
                                   json=body_for(services, method, path, caller, callers))
        answers[caller] = answer.status_code
        assert answer.status_code < 500, (caller, answer.text)
    assert answers == EXPECTED[route]


def test_logout_really_ended_each_session(services, callers):
    """After the matrix's sign-outs, the tokens used for them are refused by both APIs."""
    for caller in CALLERS:
        if caller in ("anonymous", "disabled_admin"):
            continue
        token_headers = callers[caller]["headers"]
        assert httpx.get(f"{services.query_url}/v1/auth/me",
                         headers=token_headers).status_code == 401, caller
    # a new sign-in works again
    again = login(services, callers["student"]["user"]["email"], callers["student"]["password"])
    assert httpx.get(f"{services.query_url}/v1/auth/me",
                     headers=bearer(again["access_token"])).status_code == 200
