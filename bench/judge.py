"""The coding judge under a burst, and whether it is fair: a big exam's submissions arrive
first, a small exam's right behind them; every program is judged through the real path
(submission, auto-grading, the judge requests topic, the judge worker's sandbox, the verdict
command, the attempt_grades read model).

    .venv/bin/python bench/judge.py [--big 800] [--small 200] [--json]

Needs `make run` (one judge worker; its concurrency is `judge_concurrency`, one runner per core
by default). Students are the exam-day bench's accounts (imported once, reused): the big
exam is assigned to the first ``--big``, the small one to the first ``--small``. Each exam has
one Python question with 10 hidden tests; every student's program is right (so each run
does all 10 tests). Preparing (Start and the saved program) is not measured.

Measured from the first submission of the burst (the big exam's, then the small exam's):
- programs judged per second, and per core;
- per exam, the wait from a submission to its verdict readable: with exams served in turn
  the small exam's programs wait about as long as their own share of the work, not behind
  all of the big exam's (first come, first served would make the small exam's median wait
  about the big exam's whole burst);
- where the time goes: the judge's own histograms (waiting for a runner, the sandbox run),
  and CPU seconds per process group.
"""
from __future__ import annotations

import asyncio
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import (cpu_seconds_by_group, machine, poll_rows,  # noqa: E402
                      print_cpu_seconds, print_latencies, progress, run_bench, summary)
from exam_day import exam_of, teacher_and_students, tokens_for  # noqa: E402
from grading import CONCURRENCY, send  # noqa: E402
from eventlog.metrics import JUDGE, metrics_port, scrape  # noqa: E402
from projections.attempt_grades import ATTEMPT_GRADES  # noqa: E402
from settings import Settings  # noqa: E402

WAIT_S = 1200  # for every program to be judged

# The sum of the numbers on each line: a small program, 10 tests of a few lines each.
QUESTION = {
    "question_type": "coding", "stem": "Print the sum of the numbers on each input line.",
    "coding": {"language": "python", "time_limit_ms": 2000, "memory_limit_mb": 128,
               "hidden_tests": [
                   {"test_id": f"t{n}", "stdin": "\n".join(
                       " ".join(str(n * k + j) for j in range(5)) for k in range(4)) + "\n",
                    "expected_stdout": "\n".join(
                        str(sum(n * k + j for j in range(5))) for k in range(4)) + "\n"}
                   for n in range(10)]}}
PROGRAM = "import sys\nfor line in sys.stdin:\n    print(sum(map(int, line.split())))\n"


async def coding_exam(command: httpx.AsyncClient, teacher: str, title: str,
                      student_ids: list[str]) -> tuple[str, str]:
    exam_id, [question_id] = await exam_of(command, teacher, student_ids, [QUESTION], title,
                                           minutes=240, points=10)
    return exam_id, question_id


async def started_with_program(http, gate, exam_id: str, question_id: str,
                               token: str) -> str:
    attempt_id = (await send(http, gate, "POST", f"/v1/exams/{exam_id}/start",
                             token))["attempt_id"]
    await send(http, gate, "PUT", f"/v1/attempts/{attempt_id}/answers/{question_id}", token,
               {"client_seq": 1, "answer": {"code": PROGRAM}})
    return attempt_id


async def judged_rows(conn, exam_ids: list[str], question_ids: list[str]) -> list:
    return await conn.fetch(
        f"SELECT g.attempt_id, g.exam_id, g.score, g.projected_at, "
        f"(m.value ->> 'graded_at')::timestamptz AS judged_at "
        f"FROM {ATTEMPT_GRADES.qualified} g, jsonb_each(g.marks) m "
        f"WHERE g.exam_id = ANY($1::text[]) AND m.key = ANY($2::text[]) "
        f"AND m.value ->> 'method' = 'judge'", exam_ids, question_ids)


def histogram(metrics: dict, name: str) -> tuple[float, float]:
    """(sum, count) of a histogram in a scrape."""
    total = sum(v for (n, _), v in metrics.items() if n == f"{name}_sum")
    count = sum(v for (n, _), v in metrics.items() if n == f"{name}_count")
    return total, count


async def run(s: Settings, big: int, small: int) -> dict:
    command = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}", timeout=120)
    try:
        teacher, student_ids = await teacher_and_students(s, command, max(big, small))
        stamp = datetime.now(timezone.utc).strftime("%H:%M:%S")
        exams = {"big": await coding_exam(command, teacher, f"Judge bench big {stamp}",
                                          student_ids[:big]),
                 "small": await coding_exam(command, teacher, f"Judge bench small {stamp}",
                                            student_ids[:small])}
    finally:
        await command.aclose()
    tokens = await tokens_for(s, student_ids)
    gate = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    judge_metrics = f"http://127.0.0.1:{metrics_port(s.metrics_port_base, JUDGE)}/metrics"
    async with aiohttp.ClientSession(f"http://127.0.0.1:{s.command_api_port}",
                                     connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        attempts = {}
        for name, count in (("big", big), ("small", small)):
            exam_id, question_id = exams[name]
            progress(f"preparing: {count} students start the {name} exam and save a program")
            attempts[name] = await asyncio.gather(*(
                started_with_program(http, gate, exam_id, question_id, tokens[sid])
                for sid in student_ids[:count]))
        progress(f"measuring: {big} submissions of the big exam, then {small} of the small")
        before = await asyncio.to_thread(scrape, judge_metrics)
        cpu_before, began = cpu_seconds_by_group(), time.time()
        submitted = {}
        for name, count in (("big", big), ("small", small)):
            answers = await asyncio.gather(*(
                send(http, gate, "POST", f"/v1/attempts/{attempt_id}/submit", tokens[sid])
                for attempt_id, sid in zip(attempts[name], student_ids[:count])))
            submitted.update({a["attempt_id"]: datetime.fromisoformat(
                a["submitted_at"]).timestamp() for a in answers})
        submits_done = time.time()
    exam_ids = [exams[n][0] for n in exams]
    question_ids = [exams[n][1] for n in exams]
    rows = await poll_rows(s, lambda conn: judged_rows(conn, exam_ids, question_ids),
                           lambda rows: len(rows) >= big + small,
                           lambda rows: f"only {len(rows)} of {big + small} programs judged",
                           WAIT_S, every_s=0.5)
    cpu = cpu_seconds_by_group() - cpu_before
    after = await asyncio.to_thread(scrape, judge_metrics)
    first = min(submitted.values())
    seconds = max(r["projected_at"].timestamp() for r in rows) - first
    by_exam = {name: [r for r in rows if r["exam_id"] == exams[name][0]] for name in exams}
    run_sum, run_count = (a - b for a, b in zip(histogram(after, "soems_judge_run_seconds"),
                                               histogram(before, "soems_judge_run_seconds")))
    wait_sum, wait_count = (a - b for a, b in zip(
        histogram(after, "soems_judge_wait_seconds"),
        histogram(before, "soems_judge_wait_seconds")))
    m = machine()
    return {
        "machine": m, "big": big, "small": small, "tests_per_program": 10,
        "submits_took_s": round(submits_done - began, 2),
        "all_judged_s": round(seconds, 2),
        "programs_per_s": round((big + small) / seconds, 2),
        "programs_per_s_per_core": round((big + small) / seconds / m["cores"], 2),
        "scores_wrong": sum(r["score"] != 10 for r in rows),
        "latency_ms": {
            f"{name} exam: submission until its verdict is readable": summary(
                [(r["projected_at"].timestamp() - submitted[r["attempt_id"]]) * 1000
                 for r in found]) for name, found in by_exam.items()},
        "judge": {"mean_wait_for_a_runner_ms": round(1000 * wait_sum / max(wait_count, 1), 1),
                  "mean_sandbox_run_ms": round(1000 * run_sum / max(run_count, 1), 1),
                  "runs": int(run_count)},
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.most_common()},
    }


def print_table(x: dict) -> None:
    m = x["machine"]
    print(f"judge: {x['big']} + {x['small']} Python programs ({x['tests_per_program']} tests "
          f"each), on {m['cpu']} ({m['cores']} cores, {m['memory_gib']} GiB)")
    print(f"submissions answered in {x['submits_took_s']} s; every verdict readable "
          f"{x['all_judged_s']} s after the first submission: {x['programs_per_s']} "
          f"programs/s ({x['programs_per_s_per_core']} per core)")
    print_latencies(x["latency_ms"])
    j = x["judge"]
    print(f"\njudge worker: {j['runs']} runs, mean wait for a runner {j['mean_wait_for_a_runner_ms']}"
          f" ms, mean sandbox run {j['mean_sandbox_run_ms']} ms")
    print(f"scores other than full marks: {x['scores_wrong']}")
    print_cpu_seconds(x["cpu_seconds"], m["cores"] * x["all_judged_s"], "while judging")

def arguments(parser) -> None:
    parser.add_argument("--big", type=int, default=800)
    parser.add_argument("--small", type=int, default=200)


if __name__ == "__main__":
    run_bench(__doc__, lambda s, args: run(s, args.big, args.small), print_table, arguments)
