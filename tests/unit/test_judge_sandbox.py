"""The judge's sandbox: right programs pass, wrong ones fail with the right status, and
hostile ones are contained (and the next program still runs).

Runs real bwrap sandboxes with small limits (1 s of CPU, 3 s of wall-clock time); skipped
where bubblewrap is not installed (`make test` installs it).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from stream_processors.judge import sandbox as sandbox_module
from stream_processors.judge.judging import (JudgeTest, SandboxFailure, Verdict, judge,
                                             same_output)
from stream_processors.judge.sandbox import Limits, Outcome, Sandbox, SandboxUnavailable

if shutil.which("bwrap") is None:
    pytest.skip("bubblewrap (bwrap) is not installed: `make test` installs it",
                allow_module_level=True)

LIMITS = Limits(cpu_seconds=1, wall_seconds=3, memory_mb=128, processes=8,
                output_bytes=4096, file_bytes=1024 * 1024)
SLOT = 90  # its own uid (61090) when the tests run as root
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def box() -> Sandbox:
    try:
        return Sandbox(slot=SLOT)
    except SandboxUnavailable as missing:
        pytest.skip(str(missing))


def run_python(box: Sandbox, source: str, stdin: bytes = b"", limits: Limits = LIMITS):
    with box.prepare("python", source) as program:
        return box.run(program, stdin, limits)


def still_works(box: Sandbox) -> None:
    """After a hostile program: the next one runs normally, and nothing of the last is left."""
    run = run_python(box, "print(sum(map(int, input().split())))", b"2 3\n")
    assert (run.outcome, run.stdout) == (Outcome.OK, b"5\n"), run
    if os.geteuid() == 0:
        assert slot_processes(box.uid) == 0


slot_processes = sandbox_module.processes_of


SUM_TESTS = (
    JudgeTest("s1", "1 2\n", "3\n", 1.0, True),
    JudgeTest("h1", "10 20\n", "30\n", 2.0, False),
    JudgeTest("h2", "-5 5\n", "0", 1.0, False),
)
SOURCES = {
    "python": "a, b = map(int, input().split())\nprint(a + b)\n",
    "c": '#include <stdio.h>\nint main(void) { long a, b; scanf("%ld %ld", &a, &b);\n'
         '  printf("%ld\\n", a + b); return 0; }\n',
    "cpp": "#include <iostream>\nint main() { long a, b; std::cin >> a >> b;\n"
           "  std::cout << a + b << std::endl; }\n",
}


# --- right and wrong answers ----------------------------------------------------------------

@pytest.mark.parametrize("language", ["python", "c", "cpp"])
def test_a_right_program_passes_every_test(box, language):
    verdict = judge(box, language, SOURCES[language], SUM_TESTS, LIMITS)
    assert [t.status for t in verdict.tests] == ["passed"] * 3, verdict
    assert verdict.share == 1.0
    assert verdict.compile_status == ("not_compiled" if language == "python" else "ok")


def test_a_wrong_answer_is_scored_on_the_hidden_tests_without_showing_them(box):
    source = "a, b = map(int, input().split())\nprint(a + b if a > 0 else 999)\n"
    verdict = judge(box, "python", source, SUM_TESTS, LIMITS)
    assert [t.status for t in verdict.tests] == ["passed", "passed", "wrong_answer"]
    assert verdict.share == pytest.approx(2 / 3)
    hidden = verdict.tests[2].message
    assert hidden == "wrong answer at line 1" and "0" not in hidden.replace("line 1", "")


def test_a_sample_shows_where_it_differs(box):
    verdict = judge(box, "python", "print(4)", SUM_TESTS[:1], LIMITS)
    assert verdict.tests[0].status == "wrong_answer"
    assert verdict.tests[0].message == "line 1: expected '3', got '4'"


def test_a_compile_error_fails_every_test_with_the_compilers_message(box):
    verdict = judge(box, "c", "int main(void) { return missing; }\n", SUM_TESTS, LIMITS)
    assert verdict.compile_status == "compile_error"
    assert "missing" in verdict.compile_message and "error" in verdict.compile_message
    assert {t.status for t in verdict.tests} == {"compile_error"}
    assert verdict.share == 0.0


def test_a_hidden_crash_shows_the_exception_but_not_the_input(box):
    source = "import sys\nline = sys.stdin.read()\nraise ValueError(line)\n"
    verdict = judge(box, "python", source, SUM_TESTS, LIMITS)
    assert [t.status for t in verdict.tests] == ["runtime_error"] * 3
    assert "1 2" in verdict.tests[0].message  # a sample: the student saw its input
    assert verdict.tests[1].message == "exit code 1: ValueError"


def test_the_share_counts_hidden_weights_and_falls_back_to_samples():
    def verdict(*tests):
        return Verdict("python", "not_compiled", "", tests)

    from stream_processors.judge.judging import TestVerdict
    passed = TestVerdict("a", False, 3.0, "passed", 0, 0, "")
    failed = TestVerdict("b", False, 1.0, "time_limit", 0, 0, "")
    sample = TestVerdict("c", True, 5.0, "passed", 0, 0, "")
    assert verdict(passed, failed, sample).share == 0.75
    assert verdict(sample).share == 1.0
    assert verdict().share == 0.0


@pytest.mark.parametrize("actual, expected, same", [
    (b"3\n", "3", True),
    (b"1 2  \r\n3\r\n\r\n\n", "1 2\n3\n", True),
    (b"1\n\n2\n", "1\n2\n", False),  # a blank line inside is not trailing
    (b"  3\n", "3\n", False),  # leading whitespace counts
    (b"caf\xc3\xa9\n", "café", True),
    (b"caf\xe9\n", "caf\ufffd", False),  # not UTF-8: never the same
    (b"", "", True),
    (b"", "0", False),
])
def test_same_output(actual, expected, same):
    assert same_output(actual, expected) is same


# --- hostile programs -------------------------------------------------------------------------

def test_a_python_fork_bomb_is_contained(box):
    source = ("import os\nwhile True:\n    try:\n        os.fork()\n"
              "    except OSError:\n        pass\n")
    run = run_python(box, source)
    assert run.outcome in (Outcome.TIME_LIMIT, Outcome.RUNTIME_ERROR)
    assert run.wall_ms < (LIMITS.wall_seconds + 2) * 1000
    still_works(box)


def test_a_c_fork_bomb_is_contained(box):
    with box.prepare("c", "#include <unistd.h>\nint main(void) { while (1) fork(); }\n") as p:
        assert p.ok, p.compile
        run = box.run(p, b"", LIMITS)
    assert run.outcome in (Outcome.TIME_LIMIT, Outcome.RUNTIME_ERROR)
    assert run.wall_ms < (LIMITS.wall_seconds + 2) * 1000
    still_works(box)


def test_the_process_limit_is_what_the_limits_say(box):
    source = ("import os, time\nn = 1\ntry:\n    while True:\n        if os.fork() == 0:\n"
              "            time.sleep(1)\n            os._exit(0)\n        n += 1\n"
              "except OSError:\n    print(n)\n")
    run = run_python(box, source)
    assert run.outcome == Outcome.OK and int(run.stdout) == LIMITS.processes


def test_an_endless_loop_runs_out_of_cpu(box):
    run = run_python(box, "while True:\n    pass\n")
    assert run.outcome == Outcome.TIME_LIMIT
    assert run.cpu_ms >= 900 and run.wall_ms < 2500
    still_works(box)


def test_sleeping_runs_out_of_wall_clock_time(box):
    verdict = judge(box, "python", "import time\ntime.sleep(100)\n", SUM_TESTS[:1], LIMITS)
    test = verdict.tests[0]
    assert test.status == "time_limit" and "wall-clock" in test.message
    assert 3000 <= test.wall_ms < 4500
    still_works(box)


@pytest.mark.parametrize("source", [
    "x = bytearray(10 ** 9)\n",
    "chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 6))\n",
])
def test_memory_exhaustion_is_contained(box, source):
    run = run_python(box, source)
    assert run.outcome == Outcome.MEMORY_LIMIT
    limit_kb = (LIMITS.memory_mb + sandbox_module.ADDRESS_SPACE_HEADROOM_MB) * 1024
    assert run.max_rss_kb <= limit_kb
    still_works(box)


def test_cpp_bad_alloc_is_a_memory_limit(box):
    source = ("#include <vector>\nint main() { std::vector<std::vector<char>> v;\n"
              "  while (true) v.emplace_back(1 << 20, 1); }\n")
    with box.prepare("cpp", source) as program:
        run = box.run(program, b"", LIMITS)
    assert run.outcome == Outcome.MEMORY_LIMIT


def test_printing_forever_hits_the_output_limit(box):
    run = run_python(box, "while True:\n    print('x' * 100)\n")
    assert run.outcome == Outcome.OUTPUT_LIMIT
    assert len(run.stdout) == LIMITS.output_bytes
    still_works(box)


def test_nothing_outside_tmp_is_writable(box):
    source = ("for path in ('/usr/x', '/job/x', '/job/main.py', '/x', '/dev/x', '/proc/x'):\n"
              "    try:\n        open(path, 'w').write('x')\n        print('wrote', path)\n"
              "    except OSError as e:\n        print('refused', path, e.errno)\n"
              "open('/tmp/ok', 'w').write('fine')\nprint(open('/tmp/ok').read())\n")
    run = run_python(box, source)
    assert run.outcome == Outcome.OK, run
    assert b"wrote" not in run.stdout, run.stdout
    assert run.stdout.endswith(b"fine\n")


def test_a_huge_file_in_tmp_is_capped(box):
    source = ("f = open('/tmp/big', 'wb')\nwhile True:\n    f.write(b'x' * 65536)\n")
    run = run_python(box, source)
    assert run.outcome == Outcome.RUNTIME_ERROR
    assert "File too large" in run.stderr or "No space left" in run.stderr
    still_works(box)


@pytest.mark.parametrize("address", ["127.0.0.1", "1.1.1.1"])
def test_there_is_no_network(box, address):
    source = (f"import socket\ns = socket.create_connection(('{address}', 80), timeout=1)\n"
              "print('connected')\n")
    run = run_python(box, source)
    assert run.outcome == Outcome.RUNTIME_ERROR and b"connected" not in run.stdout
    assert "PermissionError" in run.stderr  # socket() itself is refused


def test_the_hosts_files_are_not_there(box):
    paths = ["/etc/shadow", "/etc/passwd", "/root", "/home", "/var", str(REPO / ".soems"),
             str(REPO / "pyproject.toml"), str(REPO), "/work/main/.soems"]
    source = (f"import os\nfor p in {paths!r}:\n    print(p, os.path.exists(p))\n"
              "print(sorted(os.listdir('/')))\n")
    run = run_python(box, source)
    assert run.outcome == Outcome.OK, run
    lines = run.stdout.decode().splitlines()
    assert all(line.endswith(" False") for line in lines[:-1]), lines
    assert lines[-1] == str(sorted(["bin", "dev", "job", "lib", "lib64", "proc", "sbin", "tmp",
                                    "usr"]))


def test_a_c_include_of_etc_shadow_does_not_compile(box):
    verdict = judge(box, "c", '#include "/etc/shadow"\nint main(void) { return 0; }\n',
                    SUM_TESTS, LIMITS)
    assert verdict.compile_status == "compile_error"
    assert "No such file" in verdict.compile_message


def test_only_the_sandboxs_own_processes_are_visible(box):
    source = ("import os\npids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())\n"
              "print(pids, os.getpid())\n")
    run = run_python(box, source)
    pids, own = run.stdout.decode().rsplit(" ", 1)
    assert eval(pids) == [1, int(own)]  # bwrap's pid 1, and this program


def test_the_workers_environment_is_not_visible(box, monkeypatch):
    monkeypatch.setenv("SOEMS_SECRET_PROBE", "x")
    run = run_python(box, "import os\nprint(sorted(os.environ))\n")
    assert b"SOEMS" not in run.stdout
    assert run.stdout == b"['HOME', 'LANG', 'PATH', 'PWD']\n"


def test_namespaces_and_tracing_are_refused(box):
    source = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
              "print(libc.unshare(0x10000000), libc.syscall(101, 0, 0, 0, 0))\n")  # ptrace
    run = run_python(box, source)
    assert run.stdout == b"-1 -1\n", run


def test_a_program_cannot_pretend_the_sandbox_failed(box):
    run = run_python(box, "import sys\nsys.stderr.write('bwrap: fake\\n')\nsys.exit(1)\n")
    assert run.outcome == Outcome.RUNTIME_ERROR


def test_a_sandbox_failure_is_raised_not_scored(box, monkeypatch):
    monkeypatch.setattr(sandbox_module, "PYTHON", "/usr/bin/no-such-python")
    with pytest.raises(SandboxFailure):
        judge(box, "python", "print(3)", SUM_TESTS, LIMITS)
