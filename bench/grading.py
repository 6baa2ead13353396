"""The auto-grading benchmark: N students of one exam of 40 objective questions (single and
multiple choice, true/false, short answers) have saved every answer; then they all submit at
once, and the bench measures how fast the attempts are graded and the grades are visible.

    .venv/bin/python bench/grading.py [--students 400] [--json]

Needs `make run`. Students are the exam-day bench's accounts (bench/exam_day.py: imported
once, reused), each with their own access token. Preparing (Start and 40 saves per student,
through the command API) is not measured. Measured from the first submission's answer:

- attempts graded per second: N over the time from the first submission to the last
  attempt's grade being readable (``read_models.attempt_grades`` row written);
- per attempt, where the time goes: submission -> the grading committed in the event store
  (the relay, Kafka, the faust worker's agent, the grading command) and grading committed ->
  its row readable (the relay, Kafka, the attempt_grades projection);
- CPU seconds per process group while grading.

Every attempt's score is checked against the score the bench expects from the answers it
saved (it knows which were right).
"""
from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import (cpu_seconds_by_group, machine, poll_rows,  # noqa: E402
                      print_cpu_seconds, print_latencies, progress, run_bench, summary)
from exam_day import exam_of, teacher_and_students, tokens_for  # noqa: E402
from projections.attempt_grades import ATTEMPT_GRADES  # noqa: E402
from settings import Settings  # noqa: E402

QUESTIONS_PER_KIND = 10
CONCURRENCY = 32  # requests in flight while preparing and submitting
WAIT_S = 600  # for every attempt to be graded


def question_bank() -> list[tuple[dict, dict, dict]]:
    """(question, a right answer, a wrong answer) for 40 objective questions."""
    found = []
    for n in range(QUESTIONS_PER_KIND):
        found.append(({"question_type": "single_choice", "stem": f"Bench single {n}",
                       "choice": {"options": [{"option_id": "a", "text": "A", "correct": True},
                                              {"option_id": "b", "text": "B"},
                                              {"option_id": "c", "text": "C"}]}},
                      {"option_ids": ["a"]}, {"option_ids": ["b"]}))
        found.append(({"question_type": "multiple_choice", "stem": f"Bench multiple {n}",
                       "choice": {"scoring": "per_option", "wrong_pick_penalty": 1.0,
                                  "options": [{"option_id": "a", "text": "A", "correct": True},
                                              {"option_id": "b", "text": "B", "correct": True},
                                              {"option_id": "c", "text": "C"}]}},
                      {"option_ids": ["a", "b"]}, {"option_ids": ["c"]}))
        found.append(({"question_type": "true_false", "stem": f"Bench true {n}",
                       "true_false": {"correct": True}},
                      {"option_ids": ["true"]}, {"option_ids": ["false"]}))
        short = {"accepted": [{"text": "Jupiter"}]} if n % 2 else {
            "numeric": {"value": 3.14, "tolerance": 0.01}}
        found.append(({"question_type": "short_answer", "stem": f"Bench short {n}",
                       "short_answer": short},
                      {"text": "jupiter" if n % 2 else "3.141"}, {"text": "Mars"}))
    return found


async def published_exam(command: httpx.AsyncClient, teacher: str, student_ids: list[str],
                         bank: list[tuple[dict, dict, dict]]) -> tuple[str, list[str]]:
    return await exam_of(command, teacher, student_ids, [q for q, _, _ in bank],
                         f"Grading bench {datetime.now(timezone.utc):%H:%M:%S}", minutes=240)


async def send(http: aiohttp.ClientSession, gate: asyncio.Semaphore, method: str, path: str,
               token: str, body: dict | None = None) -> dict:
    """One command, sent again with the same key on a lost connection or a 503."""
    key = str(uuid.uuid4())
    for attempt in range(6):
        async with gate:
            try:
                async with http.request(method, path, json=body, headers={
                        "Authorization": f"Bearer {token}", "Idempotency-Key": key}) as answer:
                    if answer.status == 503 and attempt < 5:
                        raise aiohttp.ClientError("503")
                    if answer.status >= 400:
                        raise RuntimeError(f"{method} {path}: {answer.status} "
                                           f"{await answer.text()}")
                    return await answer.json()
            except aiohttp.ClientError:
                if attempt == 5:
                    raise
        await asyncio.sleep(0.2 * 2 ** attempt)
    raise AssertionError("unreachable")


async def prepare(http, gate, exam_id: str, question_ids: list[str], token: str,
                  bank, rng: random.Random) -> tuple[str, float]:
    """Start and save every answer (right or wrong at random); the attempt and the score the
    bench expects."""
    attempt_id = (await send(http, gate, "POST", f"/v1/exams/{exam_id}/start",
                             token))["attempt_id"]
    expected = 0.0
    for question_id, (_, right, wrong) in zip(question_ids, bank):
        correct = rng.random() < 0.7
        expected += 1.0 if correct else 0.0
        await send(http, gate, "PUT", f"/v1/attempts/{attempt_id}/answers/{question_id}",
                   token, {"client_seq": 1, "answer": right if correct else wrong})
    return attempt_id, expected


async def graded_rows(conn: asyncpg.Connection, exam_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"SELECT g.attempt_id, g.score, g.status, g.projected_at, e.occurred_at AS graded_at "
        f"FROM {ATTEMPT_GRADES.qualified} g JOIN eventlog.events e "
        f"ON e.stream_id = 'grading-' || g.attempt_id AND e.stream_version = 1 "
        f"WHERE g.exam_id = $1 AND g.status = 'graded'", exam_id)


def _processors() -> list[int]:
    """The faust workers' pids (the auto-grader runs there)."""
    found = subprocess.run(["pgrep", "-f", "-x", ".*python.* -m stream_processors worker"],
                           capture_output=True, text=True)
    pids = [int(p) for p in found.stdout.split()]
    if not pids:
        raise RuntimeError("no faust worker (python -m stream_processors worker) is running")
    return pids


async def run(s: Settings, count: int, backlog: bool = False) -> dict:
    bank = question_bank()
    command = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}", timeout=120)
    try:
        teacher, student_ids = await teacher_and_students(s, command, count)
        exam_id, question_ids = await published_exam(command, teacher, student_ids, bank)
    finally:
        await command.aclose()
    tokens = await tokens_for(s, student_ids)
    rng = random.Random(11)
    gate = asyncio.Semaphore(CONCURRENCY)
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(f"http://127.0.0.1:{s.command_api_port}",
                                     connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        progress(f"preparing: {count} students start and save {len(bank)} answers each")
        prepared = await asyncio.gather(*(prepare(http, gate, exam_id, question_ids,
                                                  tokens[sid], bank, rng)
                                          for sid in student_ids))
        expected = {attempt_id: score for attempt_id, score in prepared}
        progress(f"measuring: {count} students submit at once"
                 + (" (the grader paused: it meets them as a backlog)" if backlog else ""))
        graders = _processors() if backlog else []
        for pid in graders:
            os.kill(pid, signal.SIGSTOP)
        try:
            cpu_before, began = cpu_seconds_by_group(), time.time()
            submitted = await asyncio.gather(*(
                send(http, gate, "POST", f"/v1/attempts/{attempt_id}/submit", tokens[sid])
                for (attempt_id, _), sid in zip(prepared, student_ids)))
            submits_done = time.time()
            if backlog:
                await asyncio.sleep(1.0)  # the relay publishes the last submissions
                cpu_before = cpu_seconds_by_group()
        finally:
            for pid in graders:
                os.kill(pid, signal.SIGCONT)
        resumed = time.time()
    submitted_at = {a["attempt_id"]: datetime.fromisoformat(a["submitted_at"]).timestamp()
                    for a in submitted}
    rows = await poll_rows(s, lambda conn: graded_rows(conn, exam_id),
                           lambda rows: len(rows) >= count,
                           lambda rows: f"only {len(rows)} of {count} attempts graded", WAIT_S)
    cpu = cpu_seconds_by_group() - cpu_before
    first = resumed if backlog else min(submitted_at.values())
    last_visible = max(r["projected_at"].timestamp() for r in rows)
    seconds = last_visible - first
    wrong = [(r["attempt_id"], r["score"], expected[r["attempt_id"]]) for r in rows
             if abs(r["score"] - expected[r["attempt_id"]]) > 1e-9]
    return {
        "machine": machine(), "students": count, "questions": len(bank), "exam_id": exam_id,
        "backlog": backlog,
        "submits_took_s": round(submits_done - began, 2),
        "graded_visible_s": round(seconds, 2),
        "attempts_per_s": round(count / seconds, 1),
        "latency_ms": {
            "submission until its grade is readable": summary(
                [(r["projected_at"].timestamp() - submitted_at[r["attempt_id"]]) * 1000
                 for r in rows]),
            "  submission until graded in the event store (relay, Kafka, faust, command)":
                summary([(r["graded_at"].timestamp() - submitted_at[r["attempt_id"]]) * 1000
                         for r in rows]),
            "  graded until readable (relay, Kafka, attempt_grades projection)": summary(
                [(r["projected_at"] - r["graded_at"]).total_seconds() * 1000 for r in rows]),
        },
        "scores_wrong": len(wrong), "wrong_samples": wrong[:5],
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.most_common()},
    }


def print_table(x: dict) -> None:
    m = x["machine"]
    print(f"auto-grading: {x['students']} attempts of {x['questions']} objective questions, on "
          f"{m['cpu']} ({m['cores']} cores, {m['memory_gib']} GiB)")
    since = "the grader resumed" if x["backlog"] else "the first submission"
    print(f"submissions answered in {x['submits_took_s']} s; every grade readable "
          f"{x['graded_visible_s']} s after {since}: {x['attempts_per_s']} attempts/s")
    print_latencies(x["latency_ms"])
    print(f"\nscores different from the expected: {x['scores_wrong']} {x['wrong_samples']}")
    print_cpu_seconds(x["cpu_seconds"], m["cores"] * x["graded_visible_s"], "while grading")

def arguments(parser) -> None:
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--backlog", action="store_true", help=(
        "pause the faust worker (SIGSTOP) during the submissions, so the grader meets them "
        "all at once and its own rate is measured apart from the submit burst's CPU"))


if __name__ == "__main__":
    run_bench(__doc__, lambda s, args: run(s, args.students, args.backlog), print_table,
              arguments)
