"""Benchmark of the question bank: CSV imports from upload to searchable, then search with
100,000 questions in the bank.

    .venv/bin/python bench/question_bank.py [--questions 100000] [--batch 10000] [--searches 400]
    .venv/bin/python bench/question_bank.py --search-only   # the last run's bank, searched again

Needs `make run` (the command and query APIs, the relay, the question_bank projection). A
fresh teacher (made by a fresh admin through the CLI) imports ``--questions`` questions as
CSV files of ``--batch`` rows (single choice, short answer and numeric in turn, each with a
batch word and tags), one import at a time. For each import it prints the seconds and rows
per second of every stage a teacher waits on:

* parse: reading the CSV and checking every row (``parse_csv`` in-process, the same code the
  import route runs in a worker thread);
* preview: ``POST /v1/questions/imports/preview`` (upload, parse, check, the report);
* import: ``POST /v1/questions/imports`` until its answer (parse again, decide, one statement
  that stores every question with its outbox rows);
* searchable: from the import's answer until the bank search finds every row (relay to
  Kafka, the question_bank projection's bulk writes);
* upload to searchable: the import's request until every row is found.

Then it searches the teacher's bank (``--searches`` requests, one at a time over one kept-alive
connection with the standard library's HTTP client, then 8 at once with httpx for throughput) with a mix a teacher types: one or two words, a word plus a type, a tag plus
a difficulty, no words (newest first), and deep pages; p50/p95/p99 per kind, and, for one query
of each kind, PostgreSQL's own time for the page and the count (``EXPLAIN ANALYZE``) so the
HTTP and Python share shows apart. Everything it writes is real and stays in the bank of its
own teacher.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import http.client
import io
import json
import platform
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from uuid import uuid4

import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import percentile  # noqa: E402
from command_api.questions.interchange.csv_format import parse_csv  # noqa: E402
from projections.question_bank import QUESTION_SEARCH  # noqa: E402
from settings import load_settings  # noqa: E402

WORDS = ("algebra", "geometry", "photosynthesis", "mitochondria", "electrolysis", "sonnet",
         "revolution", "derivative", "integral", "probability", "enzyme", "tectonic",
         "metaphor", "equilibrium", "polynomial", "isotope", "democracy", "ecosystem")


def csv_batch(batch: int, rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["type", "stem", "difficulty", "tags", "topic", "options", "correct",
                     "accepted_answers", "numeric_value", "numeric_tolerance"])
    for n in range(rows):
        kind = n % 3
        a, b = WORDS[n % len(WORDS)], WORDS[(n * 7 + batch) % len(WORDS)]
        writer.writerow([
            ["single_choice", "short_answer", "short_answer"][kind],
            f"batch{batch} question {n}: how does {a} relate to {b}?",
            ("easy", "medium", "hard")[n % 3], f"{a}|set{n % 50}", b,
            f"{a} first|{b} first|neither" if kind == 0 else "", "B" if kind == 0 else "",
            f"{a}|{b}" if kind == 1 else "", "2.5" if kind == 2 else "",
            "0.1" if kind == 2 else ""])
    return out.getvalue().encode()


TEACHER_FILE = Path(__file__).resolve().parents[1] / ".soems" / "bench-bank-teacher.json"


async def sign_in(http: httpx.AsyncClient, email: str, password: str) -> str:
    answer = await http.post("/v1/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    return answer.json()["access_token"]


async def make_teacher(http: httpx.AsyncClient) -> str:
    """A fresh teacher (saved in TEACHER_FILE for ``--search-only``); their access token."""
    tag, password = secrets.token_hex(4), secrets.token_urlsafe(18)
    admin_email = f"bench-bank-{tag}@example.edu"
    await asyncio.to_thread(
        subprocess.run, [str(Path(sys.executable).with_name("soems")), "admin", "create",
                         "--email", admin_email, "--name", "Bench", "--password-stdin"],
        input=password + "\n", text=True, check=True, capture_output=True)
    admin = (await http.post("/v1/auth/login", json={"email": admin_email,
                                                     "password": password})).json()
    email = f"bench-bank-teacher-{tag}@example.edu"
    made = await http.post("/v1/users", json={"email": email, "name": "Bench Bank",
                                              "password": password, "role": "teacher"},
                           headers={"Authorization": f"Bearer {admin['access_token']}",
                                    "Idempotency-Key": str(uuid4())})
    made.raise_for_status()
    TEACHER_FILE.write_text(json.dumps({"email": email, "password": password}))
    return await sign_in(http, email, password)


async def found(query: httpx.AsyncClient, word: str) -> int:
    answer = await query.get("/v1/questions", params={"q": word, "per_page": 1})
    return answer.json()["total"] if answer.status_code == 200 else -1


async def import_all(command: httpx.AsyncClient, query: httpx.AsyncClient, total: int,
                     batch: int) -> list[dict]:
    stages = []
    for number in range(total // batch):
        data = csv_batch(number, batch)
        started = time.perf_counter()
        parsed = parse_csv(data)
        parse_s = time.perf_counter() - started
        assert len(parsed.valid) == batch, parsed.errors[:3]
        started = time.perf_counter()
        preview = await command.post("/v1/questions/imports/preview", content=data,
                                     headers={"Content-Type": "text/csv"})
        preview_s = time.perf_counter() - started
        preview.raise_for_status()
        started = time.perf_counter()
        imported = await command.post("/v1/questions/imports", content=data,
                                      headers={"Content-Type": "text/csv",
                                               "Idempotency-Key": str(uuid4())})
        answered = time.perf_counter()
        imported.raise_for_status()
        while await found(query, f"batch{number}") < batch:
            await asyncio.sleep(0.1)
        searchable = time.perf_counter()
        stage = {"rows": batch, "parse": parse_s, "preview": preview_s,
                 "import": answered - started, "searchable": searchable - answered,
                 "upload to searchable": searchable - started}
        stages.append(stage)
        print(f"  import {number + 1}: " + ", ".join(
            f"{k} {v:.2f} s ({batch / v:,.0f} rows/s)" for k, v in stage.items()
            if k != "rows"), flush=True)
    return stages


SEARCHES = {
    "one word": lambda n: {"q": WORDS[n % len(WORDS)]},
    "two words": lambda n: {"q": f"{WORDS[n % len(WORDS)]} {WORDS[(n + 5) % len(WORDS)]}"},
    "word + type": lambda n: {"q": WORDS[n % len(WORDS)], "type": "single_choice"},
    "tag + difficulty": lambda n: {"tag": WORDS[n % len(WORDS)], "difficulty": "hard"},
    "newest first": lambda n: {},
    "word, page 20": lambda n: {"q": WORDS[n % len(WORDS)], "page": 20},
    "sorted by difficulty": lambda n: {"q": WORDS[n % len(WORDS)], "sort": "difficulty"},
}


def search_latencies(port: int, token: str, searches: int) -> dict[str, list[float]]:
    """Each search's latency, one at a time, over one kept-alive connection with the standard
    library's client: httpx adds 3-5 ms of its own Python work to every request on this box
    (measured against the same search), which a teacher's browser does not."""
    timings: dict[str, list[float]] = {kind: [] for kind in SEARCHES}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        for n in range(searches):
            kind = list(SEARCHES)[n % len(SEARCHES)]
            target = "/v1/questions?" + urllib.parse.urlencode(SEARCHES[kind](n), doseq=True)
            started = time.perf_counter()
            connection.request("GET", target, headers=headers)
            answer = connection.getresponse()
            answer.read()
            timings[kind].append((time.perf_counter() - started) * 1000)
            if answer.status != 200:
                raise RuntimeError(f"{target}: {answer.status}")
    finally:
        connection.close()
    return timings


async def throughput(query: httpx.AsyncClient, searches: int, clients: int = 8) -> float:
    queue = list(range(searches))

    async def client():
        while queue:
            n = queue.pop()
            kind = list(SEARCHES)[n % len(SEARCHES)]
            (await query.get("/v1/questions", params=SEARCHES[kind](n))).raise_for_status()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return searches / (time.perf_counter() - started)


async def database_share(s) -> dict[str, tuple[float, float]]:
    """PostgreSQL's own execution time (ms) of the page and the count, per kind of search,
    on the search copy, as an admin's search plans them (the teacher's adds the owner
    condition)."""
    conn = await asyncpg.connect(s.postgres_dsn)
    shares = {}
    try:
        for kind, params in (("one word", {"q": "algebra"}), ("newest first", {}),
                             ("tag + difficulty", {"tag": "algebra", "difficulty": "hard"})):
            where, args = ["status = 'active'"], []
            if "q" in params:
                args.append(params["q"])
                where.append(f"search @@ websearch_to_tsquery('english', ${len(args)})")
            if "tag" in params:
                args.append(json.dumps([params["tag"]]))
                where.append(f"tags @> ${len(args)}::jsonb")
                args.append(params["difficulty"])
                where.append(f"difficulty = ${len(args)}")
            condition = " AND ".join(where)
            order = ("ts_rank(search, websearch_to_tsquery('english', $1)) DESC, "
                     "updated_at DESC" if "q" in params else "updated_at DESC")
            times = []
            for sql in (f"SELECT question_id FROM {QUESTION_SEARCH.qualified} WHERE {condition} "
                        f"ORDER BY {order} LIMIT 20",
                        f"SELECT count(*) FROM (SELECT 1 FROM {QUESTION_SEARCH.qualified} "
                        f"WHERE {condition} LIMIT 10001) c"):
                plan = await conn.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *args)
                times.append(json.loads(plan)[0]["Execution Time"])
            shares[kind] = (times[0], times[1])
    finally:
        await conn.close()
    return shares


def row(name: str, values: list[float]) -> str:
    ordered = sorted(values)
    return (f"  {name:<24} {len(ordered):>5} {percentile(ordered, 50):>8.1f} "
            f"{percentile(ordered, 95):>8.1f} {percentile(ordered, 99):>8.1f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--searches", type=int, default=420)
    parser.add_argument("--search-only", action="store_true",
                        help="no import: search the bank of the last run's teacher again "
                        "(after a change to the search, with the same questions)")
    args = parser.parse_args()
    s = load_settings()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, "
          f"{__import__('os').cpu_count()} cores")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}",
                                 timeout=600) as command, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.query_api_port}",
                              timeout=60) as query:
        if args.search_only:
            saved = json.loads(TEACHER_FILE.read_text())
            token = await sign_in(command, saved["email"], saved["password"])
        else:
            token = await make_teacher(command)
        command.headers["Authorization"] = query.headers["Authorization"] = f"Bearer {token}"
        if not args.search_only:
            print(f"importing {args.questions:,} questions, {args.batch:,} rows a file")
            stages = await import_all(command, query, args.questions, args.batch)
            print("\nImport stage (median over the files)   seconds   rows/s")
            for stage in ("parse", "preview", "import", "searchable", "upload to searchable"):
                values = sorted(st[stage] for st in stages)
                median = values[len(values) // 2]
                print(f"  {stage:<36} {median:>7.2f} {args.batch / median:>8,.0f}")
        bank = "the last run's bank" if args.search_only else f"{args.questions:,} questions"
        print(f"\nSearch, {bank} in the teacher's bank (ms)"
              f"{'n':>9} {'p50':>8} {'p95':>8} {'p99':>8}")
        timings = await asyncio.to_thread(search_latencies, s.query_api_port, token,
                                          args.searches)
        for kind, values in timings.items():
            print(row(kind, values))
        print(row("all", [v for values in timings.values() for v in values]))
        print(f"  throughput, 8 at once: {await throughput(query, args.searches):,.0f} "
              f"searches/s")
        print("\nPostgreSQL's own time (ms, EXPLAIN ANALYZE)      page    count")
        for kind, (page, count) in (await database_share(s)).items():
            print(f"  {kind:<44} {page:>6.1f} {count:>8.1f}")


if __name__ == "__main__":
    asyncio.run(main())
