"""The judge's command: run one program answer against its question's tests and record the
verdict, exactly once per request.

A judge worker (``stream_processors/judge/worker.py``) calls ``judge_request`` for every
``JudgeRequested`` it takes. The program is read from the attempt's stream and opened with the
student's key; the tests from the question revision the request names. The sandbox run
itself is passed in (``run``): it is slow, CPU-bound work the worker schedules on its own
threads. The verdict's command id derives from the request: a redelivered request grades
nothing twice, and one answered or superseded already is not even run.
"""
from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime, timezone
from uuid import NAMESPACE_URL, uuid5

from command_api.grading.auto import REVISIONS, Revisions, parsed, submitted_answers
from command_api.grading.decider import JudgeVerdict, grading_decider
from command_api.handling import handle, load_state
from eventlog.store import CommandContext, EventStore
from schemas.envelope import SYSTEM, RecordedEvent
from schemas.events.attempt import ANSWER_FIELD
from schemas.events.grading import JUDGE_REPORT_FIELD, JudgeRequested
from schemas.refusals import DomainError
from security.personal_data import PersonalData
from stream_processors.judge.judging import JudgeTest, Verdict
from stream_processors.judge.sandbox import Limits

_VERDICTS = uuid5(NAMESPACE_URL, "https://soems.org/grading/judge-verdicts")

# The run's wall-clock limit: a program waiting on nothing (sleep, a blocking read) uses no
# CPU, so it is stopped by the wall clock, with room for a loaded machine's slower runs.
WALL_FACTOR, WALL_MARGIN_SECONDS = 2.0, 1.0

Run = Callable[[str, str, list[JudgeTest], Limits], Awaitable[Verdict]]


async def judge_request(store: EventStore, personal: PersonalData, recorded: RecordedEvent,
                        run: Run, revisions: Revisions = REVISIONS) -> dict:
    """Judge the program ``recorded`` (a ``JudgeRequested``) asks for; what was decided."""
    request: JudgeRequested = recorded.payload
    state, _ = await load_state(store, grading_decider, request.attempt_id)
    if state.judging.get(request.question_id) != request.request_id:
        return {"attempt_id": request.attempt_id, "question_id": request.question_id,
                "judged": False}  # answered, superseded, or graded by hand: nothing to run
    started, answers = await submitted_answers(store, request.attempt_id)
    sealed = answers.get(request.question_id)
    [opened] = await personal.reveal_fields([(started.student_id, ANSWER_FIELD, sealed)])
    source = (parsed(opened) or {}).get("code") or ""
    content = await revisions.content(store, request.question_id, request.revision)
    spec = content.coding
    if spec is None:
        raise DomainError("not_a_coding_question", f"question {request.question_id} revision "
                          f"{request.revision} has no tests to judge a program with")
    tests = [JudgeTest(t.test_id, t.stdin, t.expected_stdout, t.weight, sample=True)
             for t in spec.sample_tests]
    tests += [JudgeTest(t.test_id, t.stdin, t.expected_stdout, t.weight, sample=False)
              for t in spec.hidden_tests]
    cpu = spec.time_limit_ms / 1000
    limits = Limits(cpu_seconds=cpu, wall_seconds=cpu * WALL_FACTOR + WALL_MARGIN_SECONDS,
                    memory_mb=spec.memory_limit_mb)
    verdict = await run(spec.language, source, tests, limits)
    report = await personal.seal(started.student_id, JUDGE_REPORT_FIELD,
                                 json.dumps(report_of(verdict)))
    command = JudgeVerdict(
        attempt_id=request.attempt_id, request_id=request.request_id,
        question_id=request.question_id, revision=request.revision, share=verdict.share,
        detail=summary(verdict), judge_report=report, now=datetime.now(timezone.utc))
    ctx = CommandContext(command_id=uuid5(_VERDICTS, request.request_id), actor=SYSTEM,
                         causation_id=recorded.envelope.event_id)
    return await handle(store, grading_decider, request.attempt_id, command, ctx,
                        lambda s: {"attempt_id": request.attempt_id,
                                   "question_id": request.question_id, "judged": True,
                                   "share": verdict.share, "score": s.score})


def report_of(verdict: Verdict) -> dict:
    """The verdict as stored (sealed): every test's outcome, for the teacher; the query side
    shows a student only the sample tests' (hidden tests' inputs and outputs stay hidden)."""
    return {"language": verdict.language, "compile_status": verdict.compile_status,
            "compile_message": verdict.compile_message, "share": verdict.share,
            "tests": [asdict(t) for t in verdict.tests]}


def summary(verdict: Verdict) -> str:
    """One line for the mark's ``detail``: never a test's input or expected output."""
    if verdict.compile_status == "compile_error":
        return "did not compile"
    hidden = [t for t in verdict.tests if not t.sample]
    passed = sum(t.status == "passed" for t in hidden)
    line = f"{passed} of {len(hidden)} hidden tests passed"
    if passed and passed < len(hidden) and len({t.weight for t in hidden}) > 1:
        line += f" ({verdict.share:.0%} of the weight)"
    return line
