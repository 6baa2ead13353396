"""PID records and logs of the local stack supervisor."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path

from deploy.local import stack
from settings import Settings


def test_a_record_is_alive_only_for_the_same_process(tmp_path):
    s = Settings(home=tmp_path)
    proc = subprocess.Popen(["sleep", "30"])
    try:
        stack._write_record(s, "redis", proc.pid)
        assert stack.running(s, "redis").pid == proc.pid
        # Same PID, different start time: a reused PID is not our component.
        (tmp_path / "run" / "redis.pid").write_text(f'{{"pid": {proc.pid}, "start_time": "1"}}')
        assert stack.running(s, "redis") is None
        assert not (tmp_path / "run" / "redis.pid").exists(), "the stale record is cleared"
    finally:
        proc.kill()
        proc.wait()


def test_a_zombie_is_not_alive(tmp_path):
    proc = subprocess.Popen(["true"])
    stat = Path(f"/proc/{proc.pid}/stat")
    deadline = time.monotonic() + 10
    while stat.read_text().rsplit(")", 1)[1].split()[0] != "Z" and time.monotonic() < deadline:
        time.sleep(0.01)  # exited but not yet reaped by us: a zombie
    assert stack._start_time(proc.pid) is None
    proc.wait()


def test_log_tail_shows_only_the_latest_start(tmp_path):
    s = Settings(home=tmp_path)
    log = stack.log_path(s, "kafka")
    log.parent.mkdir(parents=True)
    log.write_text(f"{stack.LOG_MARK}kafka at 1 ===\nold failure\n"
                   f"{stack.LOG_MARK}kafka at 2 ===\nline a\nline b\n")
    assert stack.log_tail(s, "kafka") == "line a\nline b"
    assert stack.log_tail(s, "redis") == "(no log)"
