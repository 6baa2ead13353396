"""The analytics benchmark: an exam of N graded attempts (10 choice questions each); how long
from a grade to the item statistics that include it, and what one read of the analytics costs.

    .venv/bin/python bench/analytics.py [--students 1000] [--json]

Needs `make run`. Students are the exam-day bench's accounts (imported once, reused). Preparing
(Start, 10 saves and the submission per student, and auto-grading) is not measured. Then:

- reading `GET /v1/analytics/exams/{id}` (every figure, item statistics and the distractor
  analysis, which opens every choice answer with its student's key): latency over repeated
  reads, and where its time goes (the SQL read of the grades and answers, opening the
  answers, the statistics): the query API's own functions for each step, run and timed in
  this process against the same read models;
- from a teacher's grade (`PUT /v1/attempts/{id}/grades/{question}`, answered) to the first
  analytics read that counts it (polled every 20 ms): the relay, Kafka, the attempt_grades
  projection, then one read. Target: 2 s.
"""
from __future__ import annotations

import asyncio
import json
import random
import statistics
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

from commands import (machine, poll_rows, print_latencies, progress, run_bench,  # noqa: E402
                      summary)
from exam_day import exam_of, teacher_and_students, tokens_for  # noqa: E402
from grading import CONCURRENCY, send  # noqa: E402
from projections.attempt_grades import ATTEMPT_GRADES  # noqa: E402
from query_api.analytics import exam_grades_and_times, opened_picks  # noqa: E402
from query_api.statistics import (Graded, exam_statistics, item_statistics,  # noqa: E402
                                  option_statistics)
from security.personal_data import PersonalData  # noqa: E402
from settings import Settings  # noqa: E402

QUESTIONS = 10
READS = 30
GRADES = 20
WAIT_S = 900


def choice_question(n: int) -> dict:
    return {"question_type": "single_choice", "stem": f"Analytics bench question {n}",
            "choice": {"options": [{"option_id": o, "text": o.upper(), "correct": o == "a"}
                                   for o in "abcd"]}}


async def prepared_exam(s: Settings, count: int) -> tuple[str, str, list[str], list[str]]:
    """A published exam of 10 choice questions whose ``count`` students have all submitted
    (abler students pick the right option more often); (exam, teacher token, question ids,
    attempt ids) once every attempt is graded."""
    command = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}", timeout=120)
    try:
        teacher, student_ids = await teacher_and_students(s, command, count)
        exam_id, question_ids = await exam_of(
            command, teacher, student_ids, [choice_question(n) for n in range(QUESTIONS)],
            f"Analytics bench {datetime.now(timezone.utc):%H:%M:%S}", minutes=60)
    finally:
        await command.aclose()
    tokens = await tokens_for(s, student_ids)
    rng = random.Random(5)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def take(http, student_id: str) -> str:
        token = tokens[student_id]
        ability = rng.random()
        attempt_id = (await send(http, gate, "POST", f"/v1/exams/{exam_id}/start",
                                 token))["attempt_id"]
        for question_id in question_ids:
            pick = "a" if rng.random() < 0.3 + 0.6 * ability else rng.choice("bcd")
            await send(http, gate, "PUT", f"/v1/attempts/{attempt_id}/answers/{question_id}",
                       token, {"client_seq": 1, "answer": {"option_ids": [pick]}})
        await send(http, gate, "POST", f"/v1/attempts/{attempt_id}/submit", token)
        return attempt_id

    progress(f"preparing: {count} students take the exam (10 saves each) and submit")
    async with aiohttp.ClientSession(f"http://127.0.0.1:{s.command_api_port}",
                                     connector=aiohttp.TCPConnector(limit=CONCURRENCY),
                                     timeout=aiohttp.ClientTimeout(total=120)) as http:
        attempts = await asyncio.gather(*(take(http, sid) for sid in student_ids))
    await poll_rows(s, lambda conn: conn.fetchval(
        f"SELECT count(*) FROM {ATTEMPT_GRADES.qualified} WHERE exam_id = $1 AND "
        f"status = 'graded'", exam_id), lambda graded: graded >= count,
        lambda graded: "the attempts were not all graded in time", WAIT_S,
        every_s=0.5)
    return exam_id, teacher, question_ids, attempts


async def run(s: Settings, count: int) -> dict:
    exam_id, teacher, question_ids, attempts = await prepared_exam(s, count)
    headers = {"Authorization": f"Bearer {teacher}"}
    query = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.query_api_port}", timeout=60,
                              headers=headers)
    command = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}",
                                timeout=60, headers=headers)
    path = f"/v1/analytics/exams/{exam_id}"
    try:
        progress(f"measuring: {READS} reads of the analytics of {count} attempts")
        reads = []
        for _ in range(READS):
            began = time.perf_counter()
            answer = await query.get(path)
            answer.raise_for_status()
            reads.append((time.perf_counter() - began) * 1000)
        body = answer.json()
        assert body["graded"] == count, body["graded"]
        progress(f"measuring: {GRADES} grades by hand, each until the analytics count it")
        rng = random.Random(9)
        lags = []
        for n in range(GRADES):
            attempt_id, question_id = rng.choice(attempts), question_ids[n % QUESTIONS]
            before = (await query.get(path)).json()
            facility = {q["question_id"]: q["facility"] for q in before["questions"]}
            # Half a point more or less than it had: the facility must move.
            mark = (await query.get(f"/v1/attempts/{attempt_id}/grades")).json()
            points = {m["question_id"]: m["points"] for m in mark["marks"]}[question_id]
            new = 0.5 if points != 0.5 else 0.0
            began = time.perf_counter()
            graded = await command.put(
                f"/v1/attempts/{attempt_id}/grades/{question_id}", json={"points": new},
                headers={"Idempotency-Key": str(uuid.uuid4())})
            graded.raise_for_status()
            while True:
                found = (await query.get(path)).json()
                now = {q["question_id"]: q["facility"] for q in found["questions"]}
                if abs(now[question_id] - facility[question_id]) > 1e-12:
                    break
                if time.perf_counter() - began > 30:
                    raise RuntimeError("a grade did not reach the analytics in 30 s")
                await asyncio.sleep(0.02)
            lags.append((time.perf_counter() - began) * 1000)
    finally:
        await query.aclose()
        await command.aclose()
    steps = await where_the_time_goes(s, exam_id, question_ids)
    return {"machine": machine(), "attempts": count, "questions": QUESTIONS,
            "steps_ms": steps,
            "options_analysed": sum(len(q["options"] or []) for q in body["questions"]),
            "latency_ms": {
                "GET analytics (every figure, items, distractors)": summary(reads),
                "a grade until the analytics count it (PUT answered -> read)": summary(lags)},
            "mean_read_ms": round(statistics.fmean(reads), 1)}


async def where_the_time_goes(s: Settings, exam_id: str, question_ids: list[str]) -> dict:
    """The read's own steps, run here as the query API runs them, each timed (median of 10):
    the snapshot of grades and answers, opening the choice answers, the statistics."""
    pool = await asyncpg.create_pool(s.postgres_dsn, min_size=1, max_size=2)
    personal = PersonalData(pool, s.personal_data_key)
    timings: dict[str, list[float]] = {}

    def timed(name: str, began: float) -> None:
        timings.setdefault(name, []).append((time.perf_counter() - began) * 1000)
    try:
        for _ in range(10):
            personal = PersonalData(pool, s.personal_data_key)  # no keys kept between reads
            began = time.perf_counter()
            grades, _times = await exam_grades_and_times(pool, exam_id)
            timed("read grades and answers (one snapshot)", began)
            finished = [r for r in grades if r["status"] == "graded"]
            began = time.perf_counter()
            picks = await opened_picks(personal, finished, question_ids)
            timed("open the choice answers (keys, AES-GCM)", began)
            began = time.perf_counter()
            graded = [Graded(r["score"], r["max_score"], {
                q: (m["points"], m["max_points"]) for q, m in json.loads(r["marks"]).items()},
                picked) for r, picked in zip(finished, picks)]
            exam_statistics(graded, 50)
            item_statistics(graded, question_ids)
            for q in question_ids:
                option_statistics(graded, q, list("abcd"), {"a"})
            timed("statistics (exam, items, options)", began)
    finally:
        await pool.close()
    return {name: round(statistics.median(values), 1) for name, values in timings.items()}


def print_table(x: dict) -> None:
    m = x["machine"]
    print(f"analytics: an exam of {x['attempts']} graded attempts, {x['questions']} choice "
          f"questions ({x['options_analysed']} options analysed), on {m['cpu']} "
          f"({m['cores']} cores, {m['memory_gib']} GiB)")
    print_latencies(x["latency_ms"])
    print("\nwhere a read's time goes (median ms, the same steps run in the bench's process)")
    for name, ms in x["steps_ms"].items():
        print(f"  {name:<45} {ms:>8.1f}")


def arguments(parser) -> None:
    parser.add_argument("--students", type=int, default=1000)


if __name__ == "__main__":
    run_bench(__doc__, lambda s, args: run(s, args.students), print_table, arguments)
