"""Accounts and tokens through both APIs."""
from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from security.tokens import issue_access_token
from tests.e2e.conftest import login
from tests.e2e.harness import (REFRESH_REUSE_GRACE_SECONDS, bearer, eventually, key,
                               own_address)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def bad_tokens(settings, user) -> dict[str, str]:
    token = user["access_token"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    expired, _ = issue_access_token(settings, claims["sub"], claims["role"], claims["sid"],
                                    claims["sep"], now=datetime.now(timezone.utc) - timedelta(hours=1))
    return {
        "expired": expired,
        "tampered": f"{header}.{b64({**claims, 'role': 'admin'})}.{signature}",
        "alg none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64({**claims, 'role': 'admin'})}.",
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize("kind", ["expired", "tampered", "alg none", "garbage"])
def test_bad_tokens_are_refused_by_both_apis(services, settings, student, kind):
    token = bad_tokens(settings, student)[kind]
    read = httpx.get(f"{services.query_url}/v1/exams", headers=bearer(token))
    write = httpx.post(f"{services.command_url}/v1/exams", headers={**bearer(token), **key()},
                       json={"title": "x", "duration_minutes": 10})
    assert read.status_code == 401 and write.status_code == 401
    assert read.headers["www-authenticate"].startswith("Bearer")


def test_no_token_is_refused(services):
    assert httpx.get(f"{services.query_url}/v1/exams").status_code == 401
    assert httpx.get(f"{services.query_url}/v1/users").status_code == 401


def test_a_student_registers_logs_in_and_reads_their_account(services):
    address = own_address()
    email, password = f"sam-{uuid.uuid4().hex[:8]}@example.edu", "a long enough password"
    registered = httpx.post(f"{services.command_url}/v1/auth/register", headers={**key(), **address},
                            json={"email": email, "name": "Sam Student", "password": password})
    assert registered.status_code == 201, registered.text
    assert registered.json()["role"] == "student"
    again = httpx.post(f"{services.command_url}/v1/auth/register", headers={**key(), **address},
                       json={"email": email.upper(), "name": "Sam", "password": password})
    assert again.status_code == 409, "the email is taken, whatever its case"
    session = login(services, email, password)
    me = eventually(lambda: httpx.get(f"{services.query_url}/v1/auth/me",
                                      headers=session["headers"]))
    assert me.status_code == 200 and me.json()["email"] == email
    wrong = httpx.post(f"{services.command_url}/v1/auth/login",
                       json={"email": email, "password": "wrong password!"})
    assert wrong.status_code == 401


def test_weak_input_is_refused_naming_the_field(services):
    answer = httpx.post(f"{services.command_url}/v1/auth/register",
                        headers={**key(), **own_address()},
                        json={"email": "not-an-email", "name": "X", "password": "Qz7#pw"})
    assert answer.status_code == 422
    body = answer.json()
    assert {e["field"] for e in body["errors"]} == {"email", "password"}
    assert body["field"] in {"email", "password"} and body["code"]
    assert "Qz7#pw" not in answer.text  # the input (a password) is never echoed


def test_refresh_tokens_rotate_and_reuse_revokes_the_family(services, make_user):
    user = make_user("proctor")
    first = httpx.post(f"{services.command_url}/v1/auth/refresh",
                       json={"refresh_token": user["refresh_token"]})
    assert first.status_code == 200
    rotated = first.json()["refresh_token"]
    assert rotated != user["refresh_token"]
    time.sleep(REFRESH_REUSE_GRACE_SECONDS + 0.5)  # past the window for a double refresh
    # The spent token comes back: someone stole it. The whole family dies.
    reused = httpx.post(f"{services.command_url}/v1/auth/refresh",
                        json={"refresh_token": user["refresh_token"]})
    assert reused.status_code == 401 and "reused" in reused.json()["detail"]
    after = httpx.post(f"{services.command_url}/v1/auth/refresh",
                       json={"refresh_token": rotated})
    assert after.status_code == 401


def test_logout_ends_the_session(services, make_user):
    user = make_user("student")
    out = httpx.post(f"{services.command_url}/v1/auth/logout", headers=user["headers"],
                     json={"refresh_token": user["refresh_token"]})
    assert out.status_code == 204
    assert httpx.post(f"{services.command_url}/v1/auth/refresh",
                      json={"refresh_token": user["refresh_token"]}).status_code == 401


def test_only_admins_manage_users_and_disabled_accounts_cannot_sign_in(
        services, admin, make_user, teacher):
    user = make_user("student")
    user_id = user["user"]["user_id"]
    by_teacher = httpx.post(f"{services.command_url}/v1/users/{user_id}/disable",
                            headers={**teacher["headers"], **key()}, json={})
    assert by_teacher.status_code == 403
    assert httpx.get(f"{services.query_url}/v1/users", headers=teacher["headers"]).status_code \
        == 403
    disabled = httpx.post(f"{services.command_url}/v1/users/{user_id}/disable",
                          headers={**admin["headers"], **key()}, json={"reason": "left"})
    assert disabled.status_code == 200 and disabled.json()["disabled"] is True
    relogin = httpx.post(f"{services.command_url}/v1/auth/login",
                         json={"email": user["user"]["email"], "password": user["password"]})
    assert relogin.status_code == 403
    assert httpx.post(f"{services.command_url}/v1/auth/refresh",
                      json={"refresh_token": user["refresh_token"]}).status_code == 401
    promoted = httpx.put(f"{services.command_url}/v1/users/{user_id}/role",
                         headers={**admin["headers"], **key()}, json={"role": "proctor"})
    assert promoted.status_code == 200 and promoted.json()["role"] == "proctor"
    found = eventually(lambda: httpx.get(
        f"{services.query_url}/v1/users", headers=admin["headers"],
        params={"q": user["user"]["email"][:14], "role": "proctor"}).json()["items"])
    assert found[0]["disabled"] is True


def test_profile_and_password_changes(services, make_user):
    user = make_user("teacher")
    renamed = httpx.put(f"{services.command_url}/v1/auth/me",
                        headers={**user["headers"], **key()}, json={"name": "Dr. New Name"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Dr. New Name"
    wrong = httpx.put(f"{services.command_url}/v1/auth/me", headers={**user["headers"], **key()},
                      json={"current_password": "nope nope nope", "new_password": "x" * 12})
    assert wrong.status_code == 422 and wrong.json()["field"] == "current_password"
    changed = httpx.put(f"{services.command_url}/v1/auth/me",
                        headers={**user["headers"], **key()},
                        json={"current_password": user["password"],
                              "new_password": "a brand new password"})
    assert changed.status_code == 200
    login(services, user["user"]["email"], "a brand new password")
