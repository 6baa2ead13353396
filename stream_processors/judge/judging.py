"""Judging one coding answer against its question's tests: pure, but for the sandbox.

The program is prepared once (compiled for C and C++) and run on each test's stdin; its
stdout is compared with the expected output leniently (``same_output``): what a person would
call the same answer, not byte for byte. A compile error fails every test. The score is the
weighted share of the hidden tests passed: sample tests are the ones the student saw while
answering, and passing them proves little.

What goes back to people (``TestVerdict.message``) never carries a hidden test's expected
output, nor its input: for a hidden test a failing program's stderr is cut down to the
exception's name, since a program can print its stdin to stderr and crash on purpose.

A ``sandbox_error`` is the platform's fault, not the student's: ``judge`` raises
``SandboxFailure`` so that the caller tries again or parks the answer, never scores it 0.
"""
from __future__ import annotations

import re
import signal
from collections.abc import Sequence
from dataclasses import dataclass

from stream_processors.judge.sandbox import LANGUAGES, Limits, Outcome, Run, Sandbox

COMPILE_MESSAGE_BYTES = 2 * 1024
MESSAGE_CHARS = 300  # a test's message: a few lines for a person
STDERR_LINES = 3
SHOWN_LINE_CHARS = 60  # of a sample test's expected and actual line
_EXCEPTION_NAME = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning))\b")


class SandboxFailure(RuntimeError):
    """The sandbox itself failed (bwrap could not start the program): judge again later."""


@dataclass(frozen=True)
class JudgeTest:
    test_id: str
    stdin: str
    expected_stdout: str
    weight: float
    sample: bool


@dataclass(frozen=True)
class TestVerdict:
    test_id: str
    sample: bool
    weight: float
    status: str  # "passed", "wrong_answer", "compile_error" or a run's outcome but "ok"
    cpu_ms: int
    wall_ms: int
    message: str  # short, for people; never a hidden test's expected output


@dataclass(frozen=True)
class Verdict:
    language: str
    compile_status: str  # "ok", "compile_error" or "not_compiled" (Python)
    compile_message: str  # the start of the compiler's stderr
    tests: tuple[TestVerdict, ...]

    @property
    def share(self) -> float:
        """The weighted share of hidden tests passed, 0..1. A question with no hidden test
        (or only weightless ones) is scored on its samples, rather than always 0."""
        counted = [t for t in self.tests if not t.sample and t.weight > 0]
        if not counted:
            counted = [t for t in self.tests if t.weight > 0]
        total = sum(t.weight for t in counted)
        if total <= 0:
            return 0.0
        return sum(t.weight for t in counted if t.status == "passed") / total


def judge(sandbox: Sandbox, language: str, source: str, tests: Sequence[JudgeTest],
          limits: Limits) -> Verdict:
    """Compile ``source`` once, run it on every test, and say how each went."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; one of {', '.join(LANGUAGES)}")
    with sandbox.prepare(language, source) as program:
        compiled = program.compile
        if compiled is not None and compiled.outcome == Outcome.SANDBOX_ERROR:
            raise SandboxFailure(f"the compiler's sandbox failed: {compiled.stderr[:500]}")
        if not program.ok:
            message = _compile_message(compiled)
            return Verdict(language, "compile_error", message, tuple(
                TestVerdict(t.test_id, t.sample, t.weight, "compile_error", 0, 0,
                            "did not compile") for t in tests))
        verdicts = []
        for test in tests:
            run = sandbox.run(program, test.stdin.encode("utf-8"), limits)
            if run.outcome == Outcome.SANDBOX_ERROR:
                raise SandboxFailure(f"test {test.test_id}: {run.stderr[:500]}")
            verdicts.append(_verdict(test, run, limits))
    return Verdict(language, "not_compiled" if compiled is None else "ok",
                   "" if compiled is None else compiled.stderr[:COMPILE_MESSAGE_BYTES],
                   tuple(verdicts))


def same_output(actual: bytes, expected: str) -> bool:
    """The same answer: trailing whitespace on each line and trailing blank lines aside, CRLF
    read as LF. Output that is not UTF-8 is never the same."""
    try:
        text = actual.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _lines(text) == _lines(expected)


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _verdict(test: JudgeTest, run: Run, limits: Limits) -> TestVerdict:
    if run.outcome == Outcome.OK:
        if same_output(run.stdout, test.expected_stdout):
            status, message = "passed", ""
        else:
            status, message = "wrong_answer", _difference(run.stdout, test)
    else:
        status, message = str(run.outcome), _failure(run, test, limits)
    return TestVerdict(test.test_id, test.sample, test.weight, status, run.cpu_ms, run.wall_ms,
                       message[:MESSAGE_CHARS])


def _difference(actual: bytes, test: JudgeTest) -> str:
    """Where the output first differs; a sample's lines are shown, a hidden test's are not."""
    try:
        got = _lines(actual.decode("utf-8"))
    except UnicodeDecodeError:
        return "the output is not UTF-8 text"
    wanted = _lines(test.expected_stdout)
    line = next((n for n, (a, b) in enumerate(zip(got, wanted)) if a != b),
                min(len(got), len(wanted)))
    if not test.sample:
        return f"wrong answer at line {line + 1}"
    shown = [(lines[line][:SHOWN_LINE_CHARS] if line < len(lines) else "(nothing)")
             for lines in (wanted, got)]
    return f"line {line + 1}: expected {shown[0]!r}, got {shown[1]!r}"


def _failure(run: Run, test: JudgeTest, limits: Limits) -> str:
    match run.outcome:
        case Outcome.TIME_LIMIT:
            if run.wall_ms >= limits.wall_seconds * 1000:
                return f"exceeded {limits.wall_seconds:g} s of wall-clock time"
            return f"exceeded {limits.cpu_seconds:g} s of CPU"
        case Outcome.MEMORY_LIMIT:
            return f"exceeded {limits.memory_mb} MB of memory"
        case Outcome.OUTPUT_LIMIT:
            return f"printed more than {limits.output_bytes // 1024} KiB"
    how = (f"killed by {_signal_name(run.signal)}" if run.signal is not None
           else f"exit code {run.exit_code}")
    lines = [line for line in run.stderr.rstrip().splitlines() if line.strip()]
    if not lines:
        return how
    if test.sample:
        return f"{how}: " + "\n".join(lines[-STDERR_LINES:])
    name = _EXCEPTION_NAME.match(lines[-1].strip())
    return f"{how}: {name.group(1)}" if name else how


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _compile_message(compiled: Run | None) -> str:
    if compiled is None:
        return ""
    match compiled.outcome:
        case Outcome.TIME_LIMIT:
            prefix = "the compiler ran out of time\n"
        case Outcome.MEMORY_LIMIT:
            prefix = "the compiler ran out of memory\n"
        case _:
            prefix = ""
    return (prefix + compiled.stderr)[:COMPILE_MESSAGE_BYTES]
