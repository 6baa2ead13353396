"""Trust, over HTTP on the real stack: access ends when it should, idempotency keys are the
caller's own, and bad input is a 4xx naming the field, never a 5xx (issue 7's findings)."""
from __future__ import annotations

import subprocess
import sys
import time
import uuid

import httpx
import pytest

from tests.e2e.conftest import login
from tests.e2e.harness import REGISTRATIONS_PER_ADDRESS, bearer, eventually, key, own_address


def me(services, user) -> tuple[int, int]:
    """What both APIs answer to this user's token: (read your account on the query API,
    rename yourself on the command API)."""
    read = httpx.get(f"{services.query_url}/v1/auth/me", headers=user["headers"])
    write = httpx.put(f"{services.command_url}/v1/auth/me", headers={**user["headers"], **key()},
                      json={"name": "Still Here"})
    return read.status_code, write.status_code


def test_a_disabled_admin_is_locked_out_at_once_and_cannot_undo_it(services, admin, make_user):
    rogue = make_user("admin")
    rogue_id = rogue["user"]["user_id"]
    assert me(services, rogue) == (200, 200)
    disabled = httpx.post(f"{services.command_url}/v1/users/{rogue_id}/disable",
                          headers={**admin["headers"], **key()}, json={"reason": "left"})
    assert disabled.status_code == 200
    assert me(services, rogue) == (401, 401)
    attempts = [
        httpx.post(f"{services.command_url}/v1/users/{rogue_id}/enable",
                   headers={**rogue["headers"], **key()}),
        httpx.post(f"{services.command_url}/v1/users", headers={**rogue["headers"], **key()},
                   json={"email": f"evil-{uuid.uuid4().hex[:6]}@example.edu", "name": "Evil",
                         "password": "x" * 16, "role": "admin"}),
        httpx.post(f"{services.command_url}/v1/users/{admin['user']['user_id']}/disable",
                   headers={**rogue["headers"], **key()}, json={}),
        httpx.get(f"{services.query_url}/v1/users", headers=rogue["headers"]),
    ]
    assert [a.status_code for a in attempts] == [401, 401, 401, 401]
    assert all(a.json()["code"] == "session_ended" for a in attempts)


def test_no_admin_can_enable_promote_or_disable_themselves(services, make_user):
    acting = make_user("admin")
    own = acting["user"]["user_id"]
    for method, path, body in [("POST", f"/v1/users/{own}/enable", None),
                               ("POST", f"/v1/users/{own}/disable", {}),
                               ("PUT", f"/v1/users/{own}/role", {"role": "teacher"})]:
        answer = httpx.request(method, f"{services.command_url}{path}", json=body,
                               headers={**acting["headers"], **key()})
        assert answer.status_code == 409, (path, answer.text)
        assert answer.json()["code"] in ("own_account", "own_role")


def test_a_role_change_ends_the_tokens_that_carry_the_old_role(services, admin, make_user):
    user = make_user("teacher")
    assert me(services, user) == (200, 200)
    demoted = httpx.put(f"{services.command_url}/v1/users/{user['user']['user_id']}/role",
                        headers={**admin["headers"], **key()}, json={"role": "student"})
    assert demoted.status_code == 200
    assert me(services, user) == (401, 401)
    again = login(services, user["user"]["email"], user["password"])
    assert httpx.get(f"{services.query_url}/v1/auth/me",
                     headers=again["headers"]).json()["role"] == "student"


def test_a_new_password_ends_every_session(services, make_user):
    user = make_user("student")
    other_device = login(services, user["user"]["email"], user["password"])
    changed = httpx.put(f"{services.command_url}/v1/auth/me",
                        headers={**user["headers"], **key()},
                        json={"current_password": user["password"],
                              "new_password": "a much newer password"})
    assert changed.status_code == 200
    assert me(services, user) == (401, 401)
    assert me(services, other_device) == (401, 401)
    assert httpx.post(f"{services.command_url}/v1/auth/refresh", json={
        "refresh_token": other_device["refresh_token"]}).status_code == 401
    login(services, user["user"]["email"], "a much newer password")


def test_logout_ends_this_session_only_and_logout_everywhere_ends_all(services, make_user):
    user = make_user("student")
    laptop = login(services, user["user"]["email"], user["password"])
    out = httpx.post(f"{services.command_url}/v1/auth/logout", headers=user["headers"],
                     json={"refresh_token": user["refresh_token"]})
    assert out.status_code == 204
    assert me(services, user) == (401, 401)
    assert me(services, laptop) == (200, 200)
    everywhere = httpx.post(f"{services.command_url}/v1/auth/logout", headers=laptop["headers"],
                            json={})
    assert everywhere.status_code == 204
    assert me(services, laptop) == (401, 401)
    assert httpx.post(f"{services.command_url}/v1/auth/refresh", json={
        "refresh_token": laptop["refresh_token"]}).status_code == 401


def test_two_tabs_refreshing_at_once_keep_the_session(services, make_user):
    user = make_user("student")
    first = httpx.post(f"{services.command_url}/v1/auth/refresh",
                       json={"refresh_token": user["refresh_token"]})
    second = httpx.post(f"{services.command_url}/v1/auth/refresh",
                        json={"refresh_token": user["refresh_token"]})
    assert (first.status_code, second.status_code) == (200, 200)
    for answer in (first, second):
        assert answer.headers["cache-control"] == "no-store"
        tab = {"headers": bearer(answer.json()["access_token"])}
        assert me(services, tab) == (200, 200)


def test_an_idempotency_key_is_its_senders_own(services, teacher, make_user):
    student = make_user("student")
    shared = key()
    drafted = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"],
                                                                       **shared},
                         json={"title": "Secret final", "duration_minutes": 60})
    assert drafted.status_code == 201
    # Another user with the same key neither sees the teacher's outcome nor blocks them.
    stolen = httpx.post(f"{services.command_url}/v1/exams", headers={**student["headers"],
                                                                      **shared},
                        json={"title": "Secret final", "duration_minutes": 60})
    assert stolen.status_code == 403 and drafted.json()["exam_id"] not in stolen.text
    # The owner's retry is the same answer; the owner's key on another request is refused.
    retried = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"],
                                                                       **shared},
                         json={"title": "Secret final", "duration_minutes": 60})
    assert retried.status_code == 201 and retried.json() == drafted.json()
    reused = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"],
                                                                      **shared},
                        json={"title": "Another exam", "duration_minutes": 60})
    assert reused.status_code == 422
    assert (reused.json()["code"], reused.json()["field"]) == ("idempotency_key_reused",
                                                               "Idempotency-Key")


def test_a_visitor_cannot_read_another_registration_by_its_key(services):
    shared = key()
    mine = {"email": f"s-{uuid.uuid4().hex[:8]}@example.edu", "name": "First Student",
            "password": "first password 123"}
    registered = httpx.post(f"{services.command_url}/v1/auth/register",
                            headers={**shared, **own_address()}, json=mine)
    assert registered.status_code == 201
    theirs = {**mine, "email": f"s-{uuid.uuid4().hex[:8]}@example.edu", "name": "Prober"}
    probe = httpx.post(f"{services.command_url}/v1/auth/register",
                       headers={**shared, **own_address()}, json=theirs)
    assert probe.status_code == 422 and mine["email"] not in probe.text
    assert registered.json()["user_id"] not in probe.text


def test_if_match_tells_a_stranger_nothing(services, teacher, make_user):
    drafted = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"],
                                                                       **key()},
                         json={"title": "Private draft", "duration_minutes": 30})
    exam_id = drafted.json()["exam_id"]
    stranger = make_user("teacher")
    for version in ("1", "7"):
        answer = httpx.put(f"{services.command_url}/v1/exams/{exam_id}",
                           headers={**stranger["headers"], **key(), "If-Match": f'"{version}"'},
                           json={"title": "Mine now", "duration_minutes": 30})
        assert answer.status_code in (403, 404), answer.text
        assert "current_version" not in answer.json()


@pytest.mark.parametrize("window", [
    {"window_opens_at": "9999-12-31T23:00:00-05:00", "window_closes_at": "9999-12-31T23:30:00-05:00"},
    {"window_opens_at": 0, "window_closes_at": 0},
    {"window_opens_at": "0001-01-01T00:00:00+01:00", "window_closes_at": "2030-01-01T00:00:00Z"},
])
def test_impossible_exam_windows_are_422_naming_the_field(services, teacher, window):
    answer = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"], **key()},
                        json={"title": "Odd window", "duration_minutes": 30, **window})
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] in ("window_opens_at", "window_closes_at")


@pytest.mark.parametrize("if_match", [b'"\xc2\xb2"', b'"' + b"9" * 5000 + b'"', b'"-1"', b'W/"x"'])
def test_odd_if_match_headers_are_422(services, teacher, if_match):
    answer = httpx.put(f"{services.command_url}/v1/exams/0",
                       headers=[*teacher["headers"].items(), *key().items(),
                                ("If-Match", if_match)],
                       json={"title": "x", "duration_minutes": 5})
    assert answer.status_code in (404, 422), answer.text
    assert answer.status_code < 500


@pytest.mark.parametrize("path,method", [("/v1/exams/0", "DELETE"), ("/v1/exams/0", "PUT"),
                                         ("/v1/exams/0/publish", "POST")])
def test_unknown_exams_are_404_not_500(services, teacher, path, method):
    answer = httpx.request(method, f"{services.command_url}{path}",
                           headers={**teacher["headers"], **key()},
                           json={"title": "x", "duration_minutes": 5} if method == "PUT" else None)
    assert answer.status_code == 404 and answer.json()["code"] == "exam_not_found"


def test_cli_admin_tokens_also_end_when_disabled(services, admin):
    """The admin made by `soems admin create` is an account like any other."""
    email, password = f"cli-{uuid.uuid4().hex[:8]}@example.edu", uuid.uuid4().hex
    made = subprocess.run([sys.executable, "-m", "soems.cli", "admin", "create", "--email",
                           email, "--name", "Cli Admin", "--password-stdin"],
                          input=password + "\n", text=True, capture_output=True, timeout=120)
    assert made.returncode == 0, made.stderr
    cli_admin = login(services, email, password)
    httpx.post(f"{services.command_url}/v1/users/{cli_admin['user']['user_id']}/disable",
               headers={**admin["headers"], **key()}, json={}).raise_for_status()
    assert me(services, cli_admin) == (401, 401)


def from_address(address: str) -> dict[str, str]:
    """Requests as if from another client address (uvicorn trusts X-Forwarded-For from the
    local gateway address the tests connect from)."""
    return {"X-Forwarded-For": address}


def sign_in(services, email: str, password: str, address: str) -> httpx.Response:
    return httpx.post(f"{services.command_url}/v1/auth/login", headers=from_address(address),
                      json={"email": email, "password": password})


def test_a_guesser_is_slowed_down_but_the_owner_is_not_locked_out(services, make_user):
    victim = make_user("teacher")
    email, attacker = victim["user"]["email"], f"10.66.{uuid.uuid4().int % 250}.9"
    answers = [sign_in(services, email, f"guess number {n}", attacker) for n in range(8)]
    statuses = [a.status_code for a in answers]
    assert statuses[:5] == [401] * 5 and 429 in statuses[5:], statuses
    refused = next(a for a in answers if a.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["code"] == "too_many_attempts"
    # Locked before any password is checked: even the right one waits, from that address...
    assert sign_in(services, email, victim["password"], attacker).status_code == 429
    # ... while the owner, elsewhere, signs in at once.
    assert sign_in(services, email, victim["password"], "10.7.7.7").status_code == 200


def test_one_address_cannot_register_without_limit(services):
    address = f"10.88.{uuid.uuid4().int % 250}.3"
    statuses = []
    for n in range(REGISTRATIONS_PER_ADDRESS + 1):
        statuses.append(httpx.post(
            f"{services.command_url}/v1/auth/register", headers={**key(), **from_address(address)},
            json={"email": f"bulk-{uuid.uuid4().hex[:8]}@example.edu", "name": f"Bulk {n}",
                  "password": "bulk password 123"}).status_code)
    assert statuses == [201] * REGISTRATIONS_PER_ADDRESS + [429]


def test_passwords_are_kept_as_typed(services):
    email, password = f"sp-{uuid.uuid4().hex[:8]}@example.edu", "  spaced password  "
    made = httpx.post(f"{services.command_url}/v1/auth/register",
                      headers={**key(), **own_address()},
                      json={"email": email, "name": "  Spaced Name ", "password": password})
    assert made.status_code == 201 and made.json()["name"] == "Spaced Name"
    assert sign_in(services, email, password, "10.9.9.9").status_code == 200
    assert sign_in(services, email, password.strip(), "10.9.9.9").status_code == 401


def test_a_wrong_current_password_changes_nothing(services, make_user):
    user = make_user("student")
    answer = httpx.put(f"{services.command_url}/v1/auth/me", headers={**user["headers"], **key()},
                       json={"name": "Renamed Anyway", "current_password": "not my password",
                             "new_password": "another password 1"})
    assert answer.status_code == 422 and answer.json()["field"] == "current_password"
    time.sleep(0.5)
    account = httpx.get(f"{services.query_url}/v1/auth/me", headers=user["headers"]).json()
    assert account["name"] != "Renamed Anyway"


def test_every_answer_carries_the_security_headers(services, student):
    for url in (f"{services.query_url}/v1/exams", f"{services.command_url}/v1/exams",
                f"{services.query_url}/v1/nothing-here"):
        answer = httpx.get(url, headers=student["headers"])
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        assert "access-control-allow-origin" not in answer.headers
    cross = httpx.options(f"{services.query_url}/v1/exams", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in cross.headers


def test_the_docs_page_works_offline(services):
    page = httpx.get(f"{services.query_url}/v1/docs")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "cdn." not in page.text and "/v1/docs/assets/swagger-ui-bundle.js" in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert httpx.get(f"{services.query_url}/v1/docs/assets/{asset}").status_code == 200
    assert httpx.get(f"{services.command_url}/docs").status_code == 404


def test_a_huge_body_is_413(services, teacher):
    answer = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"], **key(),
                                                                      "Content-Type": "application/json"},
                        content=b'{"title": "' + b"x" * (2 * 2**20) + b'", "duration_minutes": 5}')
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"


def test_paging_is_bounded_and_search_text_is_not_a_pattern(services, admin):
    deep = httpx.get(f"{services.query_url}/v1/exams", headers=admin["headers"],
                     params={"page": 5000, "per_page": 100})
    assert deep.status_code == 422 and deep.json()["field"] == "page"
    first = httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"]).json()
    assert first["total_is_exact"] is True and first["total"] >= 1
    marker = uuid.uuid4().hex[:6]
    made = httpx.post(f"{services.command_url}/v1/users", headers={**admin["headers"], **key()},
                      json={"email": f"u-{marker}@example.edu", "name": f"Under_score {marker}",
                            "password": uuid.uuid4().hex, "role": "student"})
    assert made.status_code == 201
    literal = eventually(lambda: httpx.get(
        f"{services.query_url}/v1/users", headers=admin["headers"],
        params={"q": f"r_score {marker}"}).json()["items"])
    assert [u["email"] for u in literal] == [f"u-{marker}@example.edu"]
    # As patterns, "%" and "_" would match every account; as text, only accounts holding them.
    for pattern in ("%", "_", "\\"):
        found = httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"],
                          params={"q": pattern, "per_page": 100}).json()
        assert all(pattern in (u["name"] + u["email"]).lower() for u in found["items"]), pattern
    everyone = httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"]).json()
    assert httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"],
                     params={"q": "%"}).json()["total"] < everyone["total"]


def test_a_huge_streamed_body_is_413_too(services, teacher):
    def chunks():
        yield b'{"title": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'", "duration_minutes": 5}'

    answer = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"], **key(),
                                                                      "Content-Type": "application/json"},
                        content=chunks())
    assert answer.status_code == 413 and answer.json()["code"] == "too_large"


def test_control_characters_are_422_not_500(services, admin, teacher):
    """A NUL cannot be stored in PostgreSQL text: found by schemathesis as a 500."""
    named = httpx.post(f"{services.command_url}/v1/users", headers={**admin["headers"], **key()},
                       json={"email": f"n-{uuid.uuid4().hex[:8]}@example.edu",
                             "name": "Nul\u0000Name", "password": uuid.uuid4().hex,
                             "role": "student"})
    assert named.status_code == 422 and named.json()["field"] == "name"
    titled = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"], **key()},
                        json={"title": "Bell\u0007", "duration_minutes": 5})
    assert titled.status_code == 422 and titled.json()["field"] == "title"
    for url in (f"{services.query_url}/v1/exams/ab%00cd",
                f"{services.query_url}/v1/users?q=a%00b"):
        answer = httpx.get(url, headers=admin["headers"])
        assert answer.status_code == 422 and answer.json()["code"] == "control_characters", url
    assert httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"],
                     params={"q": "naïve — ünïcode ✓"}).status_code == 200


def test_published_events_carry_their_links(services, settings, teacher):
    """The relay publishes each event's chain hash: the topic can be audited on its own."""
    from eventlog.audit import verify_kafka
    from schemas.events.exam import EXAM

    drafted = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"], **key()},
                         json={"title": "Audited", "duration_minutes": 30})
    exam_id = drafted.json()["exam_id"]
    httpx.put(f"{services.command_url}/v1/exams/{exam_id}", headers={**teacher["headers"], **key()},
              json={"title": "Audited twice", "duration_minutes": 30}).raise_for_status()
    report = eventually(lambda: (r := verify_kafka(
        settings, [EXAM.topic], only_streams={EXAM.stream_id(exam_id)})).events == 2 and r)
    assert report.holds
