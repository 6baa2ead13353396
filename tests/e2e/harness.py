"""The SOEMS services as real processes for end-to-end tests, each killable and restartable."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

from deploy.local.services import die_with_parent, keep_alive

from projections import all_projections
from settings import load_settings


REFRESH_REUSE_GRACE_SECONDS = 1.0
REGISTRATIONS_PER_ADDRESS = 8


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Services:
    def __init__(self, logs: Path):
        self.logs = logs
        self.command_port, self.query_port = free_port(), free_port()
        self.env = {**os.environ, "PYTHONUNBUFFERED": "1",
                    "SOEMS_COMMAND_API_PORT": str(self.command_port),
                    "SOEMS_QUERY_API_PORT": str(self.query_port),
                    # Short, so the test of a stolen refresh token need not wait long.
                    "SOEMS_REFRESH_REUSE_GRACE_SECONDS": str(REFRESH_REUSE_GRACE_SECONDS),
                    "SOEMS_REGISTRATIONS_PER_ADDRESS_PER_HOUR": str(REGISTRATIONS_PER_ADDRESS),
                    # The faust worker's web port: a stack on this host may hold the default.
                    "SOEMS_FAUST_WEB_PORT": str(free_port())}
        py = sys.executable
        self.argv = {
            "command-api": [py, "-m", "uvicorn", "command_api.app:app", "--host", "127.0.0.1",
                            "--port", str(self.command_port), "--no-access-log",
                            *keep_alive(load_settings())],
            "query-api": [py, "-m", "uvicorn", "query_api.app:app", "--host", "127.0.0.1",
                          "--port", str(self.query_port), "--no-access-log",
                          "--ws-max-size", "65536", *keep_alive(load_settings())],
            "relay": [py, "-m", "eventlog.relay"],
            **{f"projection.{name}": [py, "-m", "projections", "run", name]
               for name in all_projections()},
            # The stream processors: exam day's clock (auto-submit) runs there.
            "processors": [py, "-m", "stream_processors", "worker"],
            # The coding judge's worker and the notifier (email through the stack's Mailpit).
            "judge": [py, "-m", "stream_processors.judge", "worker"],
            "notifier": [py, "-m", "stream_processors.notifications"],
        }
        self.procs: dict[str, subprocess.Popen] = {}

    @property
    def command_url(self) -> str:
        return f"http://127.0.0.1:{self.command_port}"

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.query_port}"

    def start(self, name: str) -> None:
        log = open(self.logs / f"{name}.log", "a")
        self.procs[name] = subprocess.Popen(self.argv[name], env=self.env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True,
                                            preexec_fn=die_with_parent)

    def start_all(self) -> None:
        for name in self.argv:
            self.start(name)
        for url in (self.command_url, self.query_url):
            self._wait_healthy(url)

    def kill(self, name: str) -> None:
        """SIGKILL: no clean shutdown, exactly what a crash looks like."""
        proc = self.procs[name]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def _wait_healthy(self, url: str, timeout: float = 60) -> None:
        if not healthy(url, timeout):
            tails = {n: (self.logs / f"{n}.log").read_text()[-2000:] for n in self.procs}
            raise RuntimeError(f"{url} did not become healthy: {tails}")


def healthy(url: str, timeout: float = 60) -> bool:
    """Whether the service at ``url`` answered its /healthz within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    return False


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def own_address() -> dict[str, str]:
    """Requests from a client address of their own (uvicorn trusts X-Forwarded-For from the
    local address the tests connect from): the throttle counts per address, and its counts
    in Redis outlive a test run."""
    return {"X-Forwarded-For": f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.1"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def eventually(check, timeout: float = 20.0, interval: float = 0.1):
    """Poll ``check`` until it returns something truthy; fail with its last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"not true within {timeout}s; last value: {last!r}")


# --- exams ready to publish: a window, at least one question, at least one student ---------

WINDOW = {"window_opens_at": "2027-03-01T09:00:00Z", "window_closes_at": "2027-03-01T12:00:00Z"}
TRUE_FALSE = {"question_type": "true_false", "stem": "An exam needs a question.",
              "true_false": {"correct": True}}


def layout_of(*question_ids: str) -> dict:
    """One section, one fixed item per question."""
    return {"sections": [{"section_id": "main", "title": "Questions", "items": [
        {"item_id": f"item-{n}", "candidates": [{"question_id": q}], "points": 1}
        for n, q in enumerate(question_ids)]}]}


def bank_question(command_url: str, teacher: dict) -> str:
    written = httpx.post(f"{command_url}/v1/questions", json=TRUE_FALSE,
                         headers={**teacher["headers"], **key()}, timeout=30)
    assert written.status_code == 201, written.text
    return written.json()["question_id"]


def make_ready(command_url: str, teacher: dict, exam_id: str, question_id: str,
               student_ids: list[str]) -> int:
    """Give a draft (with a window) its question and its students; return its version."""
    laid_out = httpx.put(f"{command_url}/v1/exams/{exam_id}/questions",
                         json=layout_of(question_id), headers={**teacher["headers"], **key()},
                         timeout=30)
    assert laid_out.status_code == 200, laid_out.text
    assigned = httpx.post(f"{command_url}/v1/exams/{exam_id}/assign",
                          json={"student_ids": student_ids},
                          headers={**teacher["headers"], **key()}, timeout=30)
    assert assigned.status_code == 200, assigned.text
    return assigned.json()["version"]
