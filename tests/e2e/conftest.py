"""End-to-end fixtures: the real stack, the real services, real accounts."""
from __future__ import annotations

import subprocess
import sys
import uuid

import httpx
import pytest

from eventlog.topics import ensure_topics
from tests.e2e.harness import Services, bearer, key


_running: list[Services] = []


@pytest.fixture(scope="session")
def services(live_stack, tmp_path_factory):
    ensure_topics(live_stack)
    running = Services(tmp_path_factory.mktemp("service-logs"))
    running.start_all()
    _running.append(running)
    yield running
    _running.remove(running)
    running.stop_all()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed end-to-end test reports the tail of every service's log: CI's clone, and the
    logs with it, is gone by the time anyone reads why."""
    report = (yield).get_result()
    if report.when != "call" or not report.failed or not _running:
        return
    for log in sorted(_running[0].logs.glob("*.log")):
        tail = log.read_text(errors="replace")[-1500:]
        if tail.strip():
            report.sections.append((f"service log {log.name} (tail)", tail))


@pytest.fixture(scope="session")
def admin(services):
    email, password = f"admin-{uuid.uuid4().hex[:8]}@example.edu", uuid.uuid4().hex
    created = subprocess.run(
        [sys.executable, "-m", "soems.cli", "admin", "create", "--email", email, "--name",
         "Ada Admin", "--password-stdin"], input=password + "\n", text=True,
        capture_output=True, timeout=120)
    assert created.returncode == 0, created.stderr
    return login(services, email, password)


def login(services, email: str, password: str) -> dict:
    answer = httpx.post(f"{services.command_url}/v1/auth/login",
                        json={"email": email, "password": password}, timeout=30)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return {**body, "headers": bearer(body["access_token"]), "password": password}


@pytest.fixture(scope="session")
def make_user(services, admin):
    def make(role: str) -> dict:
        email, password = f"{role}-{uuid.uuid4().hex[:8]}@example.edu", uuid.uuid4().hex
        answer = httpx.post(f"{services.command_url}/v1/users", headers={
            **admin["headers"], **key()}, json={"email": email, "name": f"A {role}",
                                                "password": password, "role": role}, timeout=30)
        assert answer.status_code == 201, answer.text
        return login(services, email, password)
    return make


@pytest.fixture(scope="session")
def teacher(make_user):
    return make_user("teacher")


@pytest.fixture(scope="session")
def student(make_user):
    return make_user("student")
