"""`soems stack` in bad situations: clear messages, and nothing left half-running.

Each test runs its own small stack (its own SOEMS_HOME and free ports) so the shared stack the
rest of the suite uses is never disturbed.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local import stack
from settings import load_settings

SOEMS = [sys.executable, "-m", "soems.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def isolated(tmp_path):
    """Environment for a private stack: own home, own ports for postgres and redis."""
    env = {
        **os.environ,
        "SOEMS_HOME": str(tmp_path / "home"),
        "SOEMS_POSTGRES_PORT": str(free_port()),
        "SOEMS_REDIS_PORT": str(free_port()),
        "SOEMS_STACK_COMPONENTS": "redis",
    }
    yield env
    subprocess.run(SOEMS + ["stack", "down"], env=env, capture_output=True, timeout=120)


def soems(env, *args, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run(SOEMS + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout)


def settings_of(env):
    overrides = {k[len("SOEMS_"):].lower(): v for k, v in env.items()
                 if k.startswith("SOEMS_") and k != "SOEMS_HOME"}
    return load_settings(home=Path(env["SOEMS_HOME"]), **overrides)


def nothing_running(env) -> bool:
    s = settings_of(env)
    return all(stack.read_record(s, name) is None for name in s.managed_components) and \
        not any(stack.port_in_use("127.0.0.1", int(env[f"SOEMS_{n.upper()}_PORT"]))
                for n in ("postgres", "redis"))


def test_up_twice_is_idempotent_and_down_twice_is_harmless(isolated):
    first = soems(isolated, "stack", "up")
    assert first.returncode == 0, first.stderr
    pid = stack.read_record(settings_of(isolated), "redis").pid

    again = soems(isolated, "stack", "up")
    assert again.returncode == 0, again.stderr
    assert "redis: already running" in again.stdout
    assert stack.read_record(settings_of(isolated), "redis").pid == pid

    assert soems(isolated, "stack", "down").returncode == 0
    assert nothing_running(isolated)
    second_down = soems(isolated, "stack", "down")
    assert second_down.returncode == 0
    assert "Nothing is running." in second_down.stdout


def test_a_taken_port_names_the_component_and_port_and_starts_nothing(isolated):
    env = {**isolated, "SOEMS_STACK_COMPONENTS": "postgres,redis"}
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["SOEMS_REDIS_PORT"])))
        squatter.listen()
        result = soems(env, "stack", "up")
    assert result.returncode == 1
    assert f"redis: port {env['SOEMS_REDIS_PORT']} on 127.0.0.1 is already in use" in result.stderr
    assert "SOEMS_REDIS_PORT" in result.stderr
    assert nothing_running(env), "postgres must not be left running when redis cannot start"


def test_a_component_that_fails_to_start_shows_its_log_and_rolls_back(isolated):
    env = {**isolated, "SOEMS_STACK_COMPONENTS": "postgres,redis"}
    # A corrupt append-only manifest makes redis-server refuse to start.
    aof = Path(env["SOEMS_HOME"]) / "redis" / "appendonlydir"
    aof.mkdir(parents=True)
    (aof / "appendonly.aof.manifest").write_text("this is not a manifest\n")
    result = soems(env, "stack", "up")
    assert result.returncode == 1
    assert "redis failed to start" in result.stderr
    assert "Last lines of" in result.stderr and "redis.log" in result.stderr
    assert "manifest" in result.stderr.lower(), "the log lines explain why"
    assert nothing_running(env), "postgres, started first, is stopped again"


def test_invalid_settings_name_the_variable(isolated):
    result = soems({**isolated, "SOEMS_REDIS_PORT": "70000"}, "stack", "up")
    assert result.returncode == 2
    assert "SOEMS_REDIS_PORT" in result.stderr and "70000" in result.stderr


def test_unknown_component_is_refused(isolated):
    result = soems(isolated, "stack", "up", "--only", "kafka,cassandra")
    assert result.returncode == 1
    assert "unknown component(s): cassandra" in result.stderr


@pytest.mark.usefixtures("live_stack")
def test_status_json_is_one_object_with_a_protocol_check_per_component(settings):
    result = soems(os.environ, "stack", "status", "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == {"kafka", "postgres", "redis", "mongo", "s3", "smtp"}
    for name, row in report.items():
        assert row == {"up": True, "address": f"127.0.0.1:{getattr(settings, name + '_port')}"}


def test_status_reports_down_when_nothing_answers(isolated):
    env = {**isolated}
    for name in ("kafka", "mongo", "s3", "smtp"):
        env[f"SOEMS_{name.upper()}_PORT"] = str(free_port())
    result = soems(env, "stack", "status", "--json", timeout=60)
    assert result.returncode == 0
    assert all(row["up"] is False for row in json.loads(result.stdout).values())


def test_exec_stops_only_what_it_started_and_passes_the_exit_code(isolated):
    ping = "import redis, os; redis.Redis(port=int(os.environ['SOEMS_REDIS_PORT']), " \
           "password=open(os.environ['SOEMS_HOME'] + '/secrets.env').read()" \
           ".split('SOEMS_REDIS_PASSWORD=')[1].split()[0]).ping(); raise SystemExit(3)"
    result = soems(isolated, "stack", "exec", "--", sys.executable, "-c", ping)
    assert result.returncode == 3, result.stderr
    assert "Stopping what this run started: redis" in result.stdout
    assert nothing_running(isolated)

    # With redis already up, exec leaves it running.
    assert soems(isolated, "stack", "up").returncode == 0
    pid = stack.read_record(settings_of(isolated), "redis").pid
    result = soems(isolated, "stack", "exec", "--", sys.executable, "-c", ping)
    assert result.returncode == 3
    assert stack.running(settings_of(isolated), "redis").pid == pid


def test_soems_up_runs_until_interrupted_then_stops_cleanly(isolated):
    proc = subprocess.Popen(SOEMS + ["up", "--stack-only"], env=isolated, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "Press Ctrl-C to stop" in line:
                break
        assert stack.running(settings_of(isolated), "redis"), "".join(lines)
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0
    assert "redis: stopped" in rest
    assert nothing_running(isolated)
