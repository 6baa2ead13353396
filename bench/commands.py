"""Benchmark of the command API: throughput, latency, lag to the read model, where time goes.

    .venv/bin/python bench/commands.py [--clients 32] [--commands 3000] [--json]

Needs `make run`: the command API on :8000, the relay and every projection worker. While the
load runs it scrapes each projection worker's Prometheus ``/metrics`` every half second for its
consumer lag (per group, summed over partitions); after the load it reports, per projection
(PostgreSQL and MongoDB), the largest lag seen and how long after the last answer it reached
the head (lag 0 on every partition), and the per-event lag of both exam read models
(``projected_at`` of the row or document minus the event's ``occurred_at``). CPU per process
group and per command (the whole machine's processes, /proc) come last. It makes its own admin
(``soems admin create``), teacher, student and bank question, then each client runs a closed
loop over exams: draft, update, set the questions, assign, publish; one exam in four is only
drafted, so that the lag of a first event can be read too. ``read_models.exam_catalogue`` keeps the
``projected_at`` of a row's last version only, hence the two samples: publishes (the last
event of a full exam) and drafts of the draft-only exams (their first and last event).

After the load it waits for the read model to catch up (or to stall for STALL_S: then it
counts what never arrived), joins ``eventlog.events.occurred_at`` with ``projected_at``,
reads the bench's records back from Kafka for their CreateTime, and runs small probes: the
append transaction alone (EventStore.append in-process), and Kafka produce and delivery
with the relay's producer settings on a throwaway topic. Everything it writes is real: the
log is append-only, so the exams and the probe's ``bench-<uuid>-<n>`` streams stay as drafts
of the bench teacher.
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import os
import platform
import secrets
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from uuid import uuid4

import aiohttp
import asyncpg
import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from confluent_kafka.admin import AdminClient

import pymongo

from eventlog.metrics import FIRST_PROJECTION, metrics_port, scrape
from eventlog.postgres import create_pool
from projections import all_projections
from projections.exam_catalogue import EXAM_CATALOGUE
from projections.exam_documents import EXAM_DOCUMENTS
from eventlog.store import CommandContext, PostgresEventStore
from eventlog.topics import ensure_topics
from schemas.envelope import Actor
from schemas.events.exam import EXAM, ExamDrafted
from security.sessions import Sessions, connect_redis
from settings import Settings, load_settings

RUN_LIMIT_S = 300
DRAFT_ONLY_EVERY = 4  # one exam in four is only drafted: the first-event lag sample
REQUEST_TIMEOUT_S = 30
STALL_S = 30  # the read model did not move for this long: what is missing is not coming
DRAIN_LIMIT_S = 120  # a projection not at the head this long after the load is reported as such
LAG_SAMPLE_S = 0.5
API_POOL_SIZE = 20  # the command API's pool (command_api/app.py): the append probe matches it
APPEND_PROBE_SEQUENTIAL = 200
APPEND_PROBE_PER_CLIENT = 20
PRODUCE_PROBE_MESSAGES = 300
PRODUCE_PROBE_PARTITIONS = 6
EXAM_TOPIC = EXAM.topic
KINDS = ("draft", "update", "questions", "assign", "publish")


# --- statistics ----------------------------------------------------------------------------

def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values_ms: list[float]) -> dict:
    ordered = sorted(values_ms)
    if not ordered:
        return {"count": 0}
    return {"count": len(ordered), "p50": percentile(ordered, 50),
            "p95": percentile(ordered, 95), "p99": percentile(ordered, 99),
            "max": ordered[-1]}


def with_rate(stats: dict, seconds: float) -> dict:
    return {**stats, "per_s": stats["count"] / seconds}


# --- accounts ------------------------------------------------------------------------------

async def login(http: httpx.AsyncClient, email: str, password: str) -> dict:
    answer = await http.post("/v1/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    return answer.json()


async def make_admin(http: httpx.AsyncClient, tag: str, password: str) -> dict:
    """A fresh admin, made through the CLI as an operator would, signed in."""
    admin_email = f"bench-{tag}@example.edu"
    soems_cli = Path(sys.executable).with_name("soems")
    await asyncio.to_thread(
        subprocess.run, [str(soems_cli), "admin", "create", "--email", admin_email,
                         "--name", "Bench", "--password-stdin"],
        input=password + "\n", text=True, check=True, capture_output=True)
    return await login(http, admin_email, password)


async def make_teacher(http: httpx.AsyncClient) -> tuple[str, str, str]:
    """A fresh admin creates a fresh teacher and a student to assign. Returns the teacher's
    access token and user id, and the student's id."""
    tag = secrets.token_hex(4)
    password = secrets.token_urlsafe(18)
    admin = await make_admin(http, tag, password)
    teacher_email = f"bench-teacher-{tag}@example.edu"
    created = await http.post(
        "/v1/users", headers={"Authorization": f"Bearer {admin['access_token']}",
                              "Idempotency-Key": str(uuid4())},
        json={"email": teacher_email, "name": "Bench Teacher", "password": password,
              "role": "teacher"})
    created.raise_for_status()
    student = await http.post(
        "/v1/users", headers={"Authorization": f"Bearer {admin['access_token']}",
                              "Idempotency-Key": str(uuid4())},
        json={"email": f"bench-student-{tag}@example.edu", "name": "Bench Student",
              "password": password, "role": "student"})
    student.raise_for_status()
    teacher = await login(http, teacher_email, password)
    return teacher["access_token"], teacher["user"]["user_id"], student.json()["user_id"]


async def bank_question(http: httpx.AsyncClient) -> str:
    """The question every bench exam asks (an exam is published with at least one)."""
    written = await http.post("/v1/questions", headers={"Idempotency-Key": str(uuid4())},
                              json={"question_type": "true_false", "stem": "Benchmarks lie.",
                                    "true_false": {"correct": False}})
    written.raise_for_status()
    return written.json()["question_id"]


# --- load ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Acked:
    """A command the API accepted."""

    kind: str
    exam_id: str
    version: int
    sent_at: float  # epoch seconds, to compare with the database's timestamps
    answered_at: float
    latency_ms: float  # from the monotonic clock


@dataclass
class Load:
    remaining: int  # commands not yet planned
    acked: list[Acked] = field(default_factory=list)
    failures: Counter = field(default_factory=Counter)  # (kind, status) -> count
    failure_samples: list[str] = field(default_factory=list)
    draft_only: set[str] = field(default_factory=set)
    question_id: str = ""  # the bank question every exam asks
    student_id: str = ""  # the student every exam is assigned to
    exams_planned: int = 0
    seconds: float = 0.0  # wall time of the load
    cpu_seconds: Counter = field(default_factory=Counter)  # process group -> CPU s used

    def next_plan(self) -> tuple[str, ...]:
        """The commands of the next exam, or () when the budget is spent. Asyncio runs one
        client at a time between awaits, so no lock is needed."""
        self.exams_planned += 1
        if self.remaining >= len(KINDS) and self.exams_planned % DRAFT_ONLY_EVERY:
            plan = KINDS
        else:
            plan = KINDS[:1] if self.remaining else ()
        self.remaining -= len(plan)
        return plan


def exam_body(number: int) -> dict:
    opens = datetime.now(timezone.utc) + timedelta(days=7)
    return {
        "title": f"Bench exam {number}",
        "description": "Covers chapters one to four. " * 20,
        "instructions": "Closed book; one page of notes allowed. " * 5,
        "duration_minutes": 60 + number % 60,
        "window_opens_at": opens.isoformat(),
        "window_closes_at": (opens + timedelta(days=2)).isoformat(),
    }


async def send(http: aiohttp.ClientSession, load: Load, kind: str, exam_id: str | None,
               version: int | None, body: dict | None) -> Acked | None:
    headers = {"Idempotency-Key": str(uuid4())}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    method, url = {"draft": ("POST", "/v1/exams"), "update": ("PUT", f"/v1/exams/{exam_id}"),
                   "questions": ("PUT", f"/v1/exams/{exam_id}/questions"),
                   "assign": ("POST", f"/v1/exams/{exam_id}/assign"),
                   "publish": ("POST", f"/v1/exams/{exam_id}/publish")}[kind]
    sent_at, started = time.time(), time.perf_counter()
    try:
        async with http.request(method, url, headers=headers, json=body) as answer:
            status, text = answer.status, await answer.text()
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        load.failures[(kind, type(exc).__name__)] += 1
        return None
    latency_ms = (time.perf_counter() - started) * 1000
    if status not in (200, 201):
        load.failures[(kind, status)] += 1
        if len(load.failure_samples) < 5:
            load.failure_samples.append(f"{kind} {status}: {text[:300]}")
        return None
    result = json.loads(text)
    acked = Acked(kind, result["exam_id"], result["version"], sent_at, time.time(),
                  latency_ms)
    load.acked.append(acked)
    return acked


async def client(http: aiohttp.ClientSession, load: Load) -> None:
    while plan := load.next_plan():
        number = load.exams_planned
        draft = await send(http, load, "draft", None, None, exam_body(number))
        if draft is None:
            continue
        if len(plan) == 1:
            load.draft_only.add(draft.exam_id)
            continue
        last: Acked | None = draft
        layout = {"sections": [{"section_id": "main", "title": "All", "items": [
            {"item_id": "q", "candidates": [{"question_id": load.question_id}]}]}]}
        for kind, body in (("update", exam_body(number + 1)), ("questions", layout),
                           ("assign", {"student_ids": [load.student_id]}), ("publish", None)):
            last = await send(http, load, kind, draft.exam_id, last.version, body)
            if last is None:
                break


# --- CPU accounting ------------------------------------------------------------------------

PROCESS_GROUPS = (  # first match of the command line wins
    ("command API", "command_api.app"), ("query API", "query_api.app"),
    ("relay", "eventlog.relay"), ("projections", "projections run"),
    ("notifier", "stream_processors.notifications"), ("judge", "stream_processors.judge"),
    ("stream processors", "stream_processors"), ("pytest (other sessions)", "pytest"),
    ("SMTP server (Mailpit)", "mailpit"),
    # FerretDB's process and the PostgreSQL backends serving its database (``ferretdb``)
    # before PostgreSQL: the MongoDB read models' whole cost.
    ("Kafka", "kafka.Kafka"), ("MongoDB/FerretDB", "ferretdb"), ("PostgreSQL", "postgres"),
)


def cpu_seconds_by_group() -> Counter:
    """CPU seconds (user + system) each group of processes has used so far, from /proc. A
    process whose command line names no group (a uvicorn worker, spawned by multiprocessing)
    counts for its parent's. A process that ends during the load takes its share with it: a
    lower bound."""
    ticks, mine = os.sysconf("SC_CLK_TCK"), os.getpid()
    seen: dict[int, tuple[str, int, float]] = {}  # pid -> command line, parent, CPU seconds
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seen[int(pid)] = (cmdline, int(fields[1]),
                          (int(fields[11]) + int(fields[12])) / ticks)  # ppid, utime, stime

    def group_of(pid: int) -> str | None:
        cmdline = seen[pid][0] if pid in seen else ""
        return next((name for name, needle in PROCESS_GROUPS if needle in cmdline), None)

    used: Counter = Counter()
    for pid, (_, parent, seconds) in seen.items():
        group = "bench (this script)" if pid == mine else \
            group_of(pid) or group_of(parent) or "other"
        used[group] += seconds
    return used


# --- consumer lag per projection, from the workers' /metrics ------------------------------

def projection_metrics_urls(s: Settings) -> dict[str, str]:
    return {name: f"http://127.0.0.1:{metrics_port(s.metrics_port_base, FIRST_PROJECTION + i)}"
                  f"/metrics" for i, name in enumerate(all_projections())}


def consumer_lag(url: str) -> float | None:
    """The group's lag summed over its partitions, or None when the worker does not answer
    or has not fetched yet."""
    try:
        samples = scrape(url)
    except (httpx.HTTPError, OSError):
        return None
    lags = [v for (name, _), v in samples.items() if name == "soems_consumer_lag"]
    return sum(lags) if lags else None


@dataclass
class LagWatch:
    """Samples every projection's lag from the start of the load until each is at the head."""

    urls: dict[str, str]
    peak: Counter = field(default_factory=Counter)
    at_head_at: dict[str, float] = field(default_factory=dict)  # epoch s, after the load
    load_over_at: float | None = None
    unreachable: set[str] = field(default_factory=set)

    async def run(self) -> None:
        while True:
            now = time.time()
            for name, url in self.urls.items():
                lag = await asyncio.to_thread(consumer_lag, url)
                if lag is None:
                    self.unreachable.add(name)
                    continue
                self.unreachable.discard(name)
                self.peak[name] = max(self.peak[name], lag)
                if self.load_over_at is not None and lag == 0 and name not in self.at_head_at:
                    self.at_head_at[name] = now
            if self.load_over_at is not None and (
                    len(self.at_head_at) == len(self.urls)
                    or now - self.load_over_at > DRAIN_LIMIT_S):
                return
            await asyncio.sleep(LAG_SAMPLE_S)

    def report(self) -> dict:
        # A sample taken while the last answers came back can read 0 a moment before the
        # load is over: that projection was at the head when the load ended.
        return {name: {"peak_lag_events": self.peak.get(name),
                       "at_head_s_after_load": (max(self.at_head_at[name] - self.load_over_at, 0)
                                                if name in self.at_head_at else None)}
                for name in self.urls}


# --- after the load: read model, event store, Kafka ---------------------------------------

async def wait_for_read_model(conn: asyncpg.Connection,
                              expected: dict[str, int]) -> tuple[float, int]:
    """Wait until every bench exam shows its last acknowledged version, or until the read
    model made no progress for STALL_S (events that never reach it must not hang the run).
    Returns when it last progressed (epoch seconds) and how many exams caught up."""
    caught_up, progressed_at = -1, time.time()
    next_report = time.monotonic() + 5
    while True:
        now_caught_up = await conn.fetchval(
            "SELECT count(*) FROM unnest($1::text[], $2::int[]) AS t(exam_id, version) "
            f"JOIN {EXAM_CATALOGUE.qualified} c USING (exam_id) WHERE c.version >= t.version",
            list(expected), list(expected.values()))
        if now_caught_up != caught_up:
            caught_up, progressed_at = now_caught_up, time.time()
        if caught_up == len(expected) or time.time() - progressed_at > STALL_S:
            return progressed_at, caught_up
        if time.monotonic() >= next_report:
            progress(f"read model: {caught_up} of {len(expected)} exams caught up")
            next_report += 5
        await asyncio.sleep(0.1)


async def poll_rows(s: Settings, read, done, short_of, wait_s: float, every_s: float = 0.2):
    """``read(conn)`` again and again until ``done(rows)``; the rows last read. After
    ``wait_s`` seconds, RuntimeError with ``short_of(rows)`` (what is still missing)."""
    conn = await asyncpg.connect(s.postgres_dsn)
    try:
        deadline = time.monotonic() + wait_s
        while not done(rows := await read(conn)):
            if time.monotonic() > deadline:
                raise RuntimeError(short_of(rows))
            await asyncio.sleep(every_s)
        return rows
    finally:
        await conn.close()


async def projected_rows(conn: asyncpg.Connection, samples: list[Acked]) -> dict[str, dict]:
    """Per exam: the row's projected_at and the occurred_at of the event that made it."""
    rows = await conn.fetch(
        "SELECT t.exam_id, c.projected_at, e.occurred_at "
        "FROM unnest($1::text[], $2::int[]) AS t(exam_id, version) "
        f"JOIN {EXAM_CATALOGUE.qualified} c ON c.exam_id = t.exam_id AND c.version = t.version "
        "JOIN eventlog.events e ON e.stream_id = 'exam-' || t.exam_id "
        "AND e.stream_version = t.version",
        [a.exam_id for a in samples], [a.version for a in samples])
    return {r["exam_id"]: {"projected_at": r["projected_at"].timestamp(),
                           "occurred_at": r["occurred_at"].timestamp()} for r in rows}


def projected_documents(s: Settings, samples: list[Acked]) -> dict[str, dict]:
    """Per exam: the MongoDB document's projected_at, when it holds the sample's version."""
    wanted = {a.exam_id: a.version for a in samples}
    client = pymongo.MongoClient(s.mongo_uri, tz_aware=True)
    try:
        found = {}
        for doc in client[s.mongo_db][EXAM_DOCUMENTS].find(
                {"_id": {"$in": list(wanted)}}, {"version": 1, "projected_at": 1}):
            if doc.get("version") == wanted[doc["_id"]] and "projected_at" in doc:
                found[doc["_id"]] = doc["projected_at"].timestamp()
        return found
    finally:
        client.close()


async def stored_events(conn: asyncpg.Connection, exam_ids: list[str]) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT event_id, stream_id, stream_version, occurred_at FROM eventlog.events "
        "WHERE stream_id = ANY($1::text[])", [f"exam-{e}" for e in exam_ids])


async def exam_topic_reader(s: Settings) -> tuple[AIOKafkaConsumer, dict[TopicPartition, int]]:
    """A group-less consumer of the exam topic and its end offsets now, before the load."""
    # A group-less aiokafka consumer only learns the partitions of topics it was assigned,
    # so partitions_for_topic() is None here: ask the cluster through the admin client.
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    topic = (await asyncio.to_thread(admin.list_topics, EXAM_TOPIC, timeout=10)).topics
    partitions = [TopicPartition(EXAM_TOPIC, p) for p in sorted(topic[EXAM_TOPIC].partitions)]
    consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None,
                                enable_auto_commit=False)
    await consumer.start()
    consumer.assign(partitions)
    return consumer, await consumer.end_offsets(partitions)


async def kafka_timestamps(consumer: AIOKafkaConsumer, start: dict[TopicPartition, int],
                           keys: set[bytes]) -> tuple[dict[str, float], int]:
    """Event id -> the Kafka record's CreateTime (epoch seconds) of the bench's records
    published since ``start`` (the first copy wins when the relay published one twice), and
    how many records the topic got meanwhile in all: others' traffic competes with ours."""
    end = await consumer.end_offsets(list(start))
    for tp, offset in start.items():
        consumer.seek(tp, offset)
    stamps: dict[str, float] = {}
    while [tp for tp in start if await consumer.position(tp) < end[tp]]:
        batch = await consumer.getmany(timeout_ms=500, max_records=2000)
        for records in batch.values():
            for record in records:
                if record.key not in keys:
                    continue
                if record.timestamp_type != 0:  # LogAppendTime would measure the broker
                    raise RuntimeError(f"{EXAM_TOPIC} does not keep the producer's CreateTime")
                event_id = dict(record.headers)["event_id"].decode()
                stamps.setdefault(event_id, record.timestamp / 1000)
    return stamps, sum(end[tp] - offset for tp, offset in start.items())


# --- probes --------------------------------------------------------------------------------

async def append_probe(s: Settings, teacher_id: str, clients: int) -> dict:
    """EventStore.append alone: one ExamDrafted per new stream, as a draft command appends."""
    pool = await create_pool(s, min_size=1, max_size=min(clients, API_POOL_SIZE), role="command")
    store, prefix = PostgresEventStore(pool), f"bench-{uuid4()}"
    actor = Actor(user_id=teacher_id, role="teacher")
    body = exam_body(0)
    opens = datetime.fromisoformat(body["window_opens_at"])
    numbers = itertools.count()

    async def timed_append() -> float:
        exam_id = f"{prefix}-{next(numbers)}"
        stream = EXAM.stream_id(exam_id)
        event = ExamDrafted(exam_id=exam_id, teacher_id=teacher_id, title=body["title"],
                            description=body["description"],
                            instructions=body["instructions"],
                            duration_minutes=body["duration_minutes"], window_opens_at=opens,
                            window_closes_at=opens + timedelta(days=2))
        started = time.perf_counter()
        await store.append(stream, 0, [event], CommandContext(uuid4(), actor),
                           {"exam_id": exam_id, "status": "draft", "version": 1})
        return (time.perf_counter() - started) * 1000

    async def appender(count: int) -> list[float]:
        return [await timed_append() for _ in range(count)]

    try:
        sequential = await appender(APPEND_PROBE_SEQUENTIAL)
        started = time.perf_counter()
        concurrent = [ms for task in await asyncio.gather(
            *(appender(APPEND_PROBE_PER_CLIENT) for _ in range(clients))) for ms in task]
        concurrent_s = time.perf_counter() - started
    finally:
        await pool.close()
    return {"sequential": summary(sequential),
            "concurrent": with_rate(summary(concurrent), concurrent_s)}


async def session_probe(s: Settings, samples: int = 500) -> dict:
    """What the per-request session check costs a command: the same MGET the APIs run
    (``Sessions.is_current``), sequential, from a fresh client to the stack's Redis."""
    redis = connect_redis(s.redis_url)
    sessions = Sessions(redis, s.access_token_minutes * 60)
    try:
        epoch = await sessions.epoch_of("bench-session-probe")
        timings = []
        for _ in range(samples):
            started = time.perf_counter()
            assert await sessions.is_current("bench-session-probe", "bench-session", epoch)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await redis.aclose()
    return summary(timings)


async def kafka_probe(s: Settings) -> dict:
    """Kafka alone, on a throwaway topic: produce latency with the relay's producer settings,
    and delivery to an idle aiokafka consumer (CreateTime -> received), the floor under the
    projection's share."""
    topic = f"bench.relay.{secrets.token_hex(4)}"
    await asyncio.to_thread(ensure_topics, s, {topic: (PRODUCE_PROBE_PARTITIONS, {})})
    partitions = [TopicPartition(topic, p) for p in range(PRODUCE_PROBE_PARTITIONS)]
    producer = AIOKafkaProducer(bootstrap_servers=s.kafka_bootstrap, acks="all",
                                enable_idempotence=True, linger_ms=2)
    consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=None,
                                enable_auto_commit=False)
    await producer.start()
    await consumer.start()
    delivered: list[float] = []

    async def receive() -> None:
        while len(delivered) < PRODUCE_PROBE_MESSAGES:
            batch = await consumer.getmany(timeout_ms=300)
            received = time.time()
            delivered.extend((received - r.timestamp / 1000) * 1000
                             for records in batch.values() for r in records
                             if r.key.startswith(b"probe-"))

    try:
        value = secrets.token_bytes(1024)
        for tp in partitions:  # a first send to each partition waits for its leader
            await producer.send_and_wait(topic, value, partition=tp.partition)
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        receiving = asyncio.create_task(receive())
        produced = []
        for number in range(PRODUCE_PROBE_MESSAGES):
            started = time.perf_counter()
            await producer.send_and_wait(topic, value, key=f"probe-{number}".encode())
            produced.append((time.perf_counter() - started) * 1000)
        await asyncio.wait_for(receiving, REQUEST_TIMEOUT_S)
    finally:
        await consumer.stop()
        await producer.stop()
        await asyncio.to_thread(delete_topic, s, topic)
    return {"produce": summary(produced), "deliver": summary(delivered)}


def delete_topic(s: Settings, topic: str) -> None:
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    for future in admin.delete_topics([topic], operation_timeout=15).values():
        future.result(timeout=20)


# --- the run -------------------------------------------------------------------------------

@dataclass
class Observed:
    """What the stores say about the bench's commands once the read model caught up."""

    caught_up_at: float  # epoch seconds, when the read model last progressed
    exams_caught_up: int
    exams_expected: int
    projected: dict[str, dict]  # exam id -> projected_at, occurred_at of the row's version
    documents: dict[str, float]  # exam id -> the MongoDB document's projected_at
    events: dict[tuple[str, int], tuple[str, float]]  # (stream, version) -> id, occurred_at
    created_at: dict[str, float]  # event id -> Kafka CreateTime, epoch seconds
    topic_records: int  # records on the exam topic since the load began, anyone's


def lag_samples(load: Load) -> dict[str, list[Acked]]:
    """The commands whose event is the last of its exam: only those keep a projected_at."""
    return {"publish (last event)": [a for a in load.acked if a.kind == "publish"],
            "draft-only (first event)": [a for a in load.acked
                                         if a.kind == "draft" and a.exam_id in load.draft_only]}


async def drive(api: str, token: str, clients: int, commands: int, lags: LagWatch,
                question_id: str, student_id: str) -> Load:
    """The load itself, over aiohttp: about a third of httpx's CPU per request, and the
    bench shares the two cores with everything it measures."""
    progress(f"load: {clients} clients, {commands} commands")
    load = Load(remaining=commands, question_id=question_id, student_id=student_id)
    async with aiohttp.ClientSession(
            base_url=api, headers={"Authorization": f"Bearer {token}"},
            connector=aiohttp.TCPConnector(limit=clients),
            timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as http:
        cpu_before, started = cpu_seconds_by_group(), time.perf_counter()
        await asyncio.gather(*(client(http, load) for _ in range(clients)))
    load.seconds = time.perf_counter() - started
    lags.load_over_at = time.time()
    load.cpu_seconds = cpu_seconds_by_group() - cpu_before
    if not load.acked:
        raise RuntimeError(f"no command was acknowledged: {load.failure_samples}")
    progress(f"load: {len(load.acked)} acknowledged in {load.seconds:.1f} s "
             f"({len(load.acked) / load.seconds:.0f}/s), failures: {dict(load.failures)}")
    return load


async def observe(s: Settings, load: Load, consumer: AIOKafkaConsumer,
                  kafka_start: dict[TopicPartition, int]) -> Observed:
    last_version: dict[str, int] = {}
    for a in load.acked:
        last_version[a.exam_id] = max(a.version, last_version.get(a.exam_id, 0))
    progress("waiting for the read model to catch up")
    conn = await asyncpg.connect(s.postgres_dsn)
    try:
        caught_up_at, exams_caught_up = await wait_for_read_model(conn, last_version)
        samples = [a for sample in lag_samples(load).values() for a in sample]
        projected = await projected_rows(conn, samples)
        documents = await asyncio.to_thread(projected_documents, s, samples)
        events = {(r["stream_id"], r["stream_version"]): (str(r["event_id"]),
                                                          r["occurred_at"].timestamp())
                  for r in await stored_events(conn, list(last_version))}
    finally:
        await conn.close()
    progress("reading the bench's records back from Kafka")
    created_at, topic_records = await kafka_timestamps(
        consumer, kafka_start, {f"exam-{e}".encode() for e in last_version})
    return Observed(caught_up_at, exams_caught_up, len(last_version), projected, documents,
                    events, created_at, topic_records)


async def run(s: Settings, clients: int, commands: int) -> dict:
    api = f"http://127.0.0.1:{s.command_api_port}"
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=api, timeout=REQUEST_TIMEOUT_S,
                                 limits=limits) as http:
        progress("creating the bench admin and teacher (argon2 at login: a few seconds)")
        token, teacher_id, student_id = await make_teacher(http)
        http.headers["Authorization"] = f"Bearer {token}"
        question_id = await bank_question(http)
        consumer, kafka_start = await exam_topic_reader(s)
        lags = LagWatch(projection_metrics_urls(s))
        watching = asyncio.create_task(lags.run())
        try:
            load = await drive(api, token, clients, commands, lags, question_id, student_id)
            progress("waiting for every projection to reach the head")
            await watching
            observed = await observe(s, load, consumer, kafka_start)
        finally:
            watching.cancel()
            await consumer.stop()
        if lags.unreachable:
            progress(f"no metrics from {sorted(lags.unreachable)}: are their workers running?")
    progress("probes: append transaction, Kafka produce and delivery, session check")
    appends = await append_probe(s, teacher_id, clients)
    kafka = await kafka_probe(s)
    kafka["session check"] = await session_probe(s)
    return {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "machine": machine(), "clients": clients, "commands": commands,
            "projections": lags.report(),
            **analyse(load, observed, appends, kafka, clients)}


def analyse(load: Load, seen: Observed, appends: dict, kafka: dict, clients: int) -> dict:
    event_of = {a: seen.events.get((f"exam-{a.exam_id}", a.version)) for a in load.acked}
    lag, kafka_to_projection = {}, []
    for name, sample in lag_samples(load).items():
        found = [(a, seen.projected[a.exam_id]) for a in sample if a.exam_id in seen.projected]
        lag[name] = {
            "from occurred_at": summary([(row["projected_at"] - row["occurred_at"]) * 1000
                                         for _, row in found]),
            "MongoDB document, from occurred_at": summary(
                [(seen.documents[a.exam_id] - row["occurred_at"]) * 1000
                 for a, row in found if a.exam_id in seen.documents]),
            "from HTTP answer": summary([(row["projected_at"] - a.answered_at) * 1000
                                         for a, row in found])}
        kafka_to_projection += [(row["projected_at"] - seen.created_at[event_of[a][0]]) * 1000
                                for a, row in found
                                if event_of[a] and event_of[a][0] in seen.created_at]
    outbox_to_kafka = [(seen.created_at[event_id] - occurred_at) * 1000
                       for event_id, occurred_at in seen.events.values()
                       if event_id in seen.created_at]
    stamped = [(a, event_of[a][1]) for a in load.acked if event_of[a]]
    return {
        "load_s": load.seconds,
        "acked": len(load.acked),
        "throughput_per_s": len(load.acked) / load.seconds,
        "failures": {f"{kind} {status}": n for (kind, status), n in load.failures.items()},
        "failure_samples": load.failure_samples,
        "latency_ms": {kind: with_rate(summary([a.latency_ms for a in load.acked
                                                if kind in ("all", a.kind)]), load.seconds)
                       for kind in (*KINDS, "all")},
        "read_model_caught_up_s_after_load":
            seen.caught_up_at - max(a.answered_at for a in load.acked),
        # Acknowledged, hence in the event store, but never on Kafka / in the read model.
        "events_missing_from_kafka": sum(event_id not in seen.created_at
                                         for event_id, _ in seen.events.values()),
        "exams_not_caught_up": seen.exams_expected - seen.exams_caught_up,
        "exam_topic_records": {"bench": len(seen.created_at), "all": seen.topic_records},
        "lag_ms": lag,
        "breakdown_ms": {
            "API: request sent -> occurred_at": summary(
                [(occurred_at - a.sent_at) * 1000 for a, occurred_at in stamped]),
            "API: occurred_at -> answer received": summary(
                [(a.answered_at - occurred_at) * 1000 for a, occurred_at in stamped]),
            "(a) append tx, sequential": appends["sequential"],
            f"(a) append tx, {clients} at once on {min(clients, API_POOL_SIZE)} connections":
                appends["concurrent"],
            "(b) Kafka produce acks=all, 1 KB": kafka["produce"],
            "(b) Kafka delivery to a consumer (CreateTime -> received)": kafka["deliver"],
            "(c) outbox -> Kafka (occurred_at -> CreateTime)": summary(outbox_to_kafka),
            "(d) Kafka -> projection (CreateTime -> projected_at)":
                summary(kafka_to_projection),
            "(e) session check per request (Redis MGET), sequential": kafka["session check"],
        },
        "cpu_during_load": {group: {"cpu_s": secs, "cores": secs / load.seconds,
                                    "ms_per_command": secs * 1000 / len(load.acked)}
                            for group, secs in load.cpu_seconds.most_common()},
        "cpu_ms_per_command": sum(secs for group, secs in load.cpu_seconds.items()
                                  if group != "bench (this script)") * 1000 / len(load.acked),
    }


def machine() -> dict:
    cpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    model = next((line.split(":", 1)[1].strip() for line in cpu.splitlines()
                  if line.startswith("Model name")), platform.processor())
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(memory_kb / 2**20, 1),
            "python": platform.python_version()}


# --- output --------------------------------------------------------------------------------

def progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


NAME_WIDTH = 60


def table_row(name: str, stats: dict) -> str:
    if not stats.get("count"):
        return f"  {name:<{NAME_WIDTH}} no samples"
    rate = f"  {stats['per_s']:.0f}/s" if "per_s" in stats else ""
    return (f"  {name:<{NAME_WIDTH}} {stats['count']:>6} {stats['p50']:>8.1f} "
            f"{stats['p95']:>8.1f} {stats['p99']:>8.1f} {stats['max']:>8.1f}{rate}")


def print_latencies(latency_ms: dict) -> None:
    """A result's ``latency_ms`` ({stage: summary}) as a table."""
    section("latency (ms)")
    for name, stats in latency_ms.items():
        print(table_row(name, stats))


def print_cpu_seconds(cpu_seconds: dict, available_s: float, during: str) -> None:
    """CPU seconds per process group, against the seconds the cores had."""
    total = sum(cpu_seconds.values())
    print(f"\nCPU seconds {during} ({total:.0f} s of {available_s:.0f} available)")
    for name, used in cpu_seconds.items():
        print(f"  {name:<30} {used:>8.1f}")


def run_bench(doc: str, run, print_result, arguments) -> None:
    """A benchmark's command line: ``arguments(parser)`` adds its options, ``run(settings,
    args)`` measures, and the result is printed as a table, or as JSON with --json."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    result = asyncio.run(run(load_settings(), args))
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print_result(result)


def section(title: str) -> None:
    print(f"\n{title:<{NAME_WIDTH + 2}} {'n':>6} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8}")


def print_table(r: dict) -> None:
    m = r["machine"]
    print(f"Command API benchmark, {r['date']}: {m['cpu']}, {m['cores']} cores, "
          f"{m['memory_gib']} GiB, Python {m['python']}")
    print(f"{r['clients']} clients, {r['acked']}/{r['commands']} commands acknowledged in "
          f"{r['load_s']:.1f} s: {r['throughput_per_s']:.0f} commands/s")
    if r["failures"]:
        print(f"FAILURES: {r['failures']}")
        for sample in r["failure_samples"]:
            print(f"  {sample}")
    section("Command latency (ms)")
    for kind, stats in r["latency_ms"].items():
        print(table_row(kind, stats))
    section("Command-to-read-model lag (ms)")
    for sample, lags in r["lag_ms"].items():
        for origin, stats in lags.items():
            print(table_row(f"{sample}, {origin}", stats))
    print(f"  the read model last moved {r['read_model_caught_up_s_after_load']:.2f} s after "
          f"the last answer")
    print(f"  {EXAM_TOPIC} got {r['exam_topic_records']['all']} records meanwhile, "
          f"{r['exam_topic_records']['bench']} of them the bench's")
    if r["exams_not_caught_up"] or r["events_missing_from_kafka"]:
        print(f"  LOST: {r['events_missing_from_kafka']} acknowledged events never reached "
              f"Kafka; {r['exams_not_caught_up']} exams never showed their last version")
    print("\nProjections: peak consumer lag (events) and time to the head after the load (s)")
    for name, seen in r["projections"].items():
        head = seen["at_head_s_after_load"]
        print(f"  {name:<24} peak {seen['peak_lag_events'] or 0:>8.0f}   at the head "
              f"{'NOT within %d s' % DRAIN_LIMIT_S if head is None else f'{head:.2f} s'}")
    section("Where the time goes (ms)")
    for name, stats in r["breakdown_ms"].items():
        print(table_row(name, stats))
    print(f"\nCPU during the load (cores busy, of {m['cores']}; ms of CPU per command)")
    for group, used in r["cpu_during_load"].items():
        print(f"  {group:<24} {used['cores']:>5.2f}  {used['ms_per_command']:>6.2f}")
    print(f"  {'all but the bench':<24}        {r['cpu_ms_per_command']:>6.2f} ms per command")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32,
                        help="concurrent clients, each a closed loop (default 32)")
    parser.add_argument("--commands", type=int, default=3000,
                        help="commands to send in all (default 3000)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    async def bounded() -> dict:
        async with asyncio.timeout(RUN_LIMIT_S):
            return await run(load_settings(), args.clients, args.commands)

    try:
        result = asyncio.run(bounded())
    except TimeoutError:
        sys.exit(f"error: the benchmark did not finish within {RUN_LIMIT_S} s")
    except RuntimeError as exc:
        sys.exit(f"error: {exc}")
    except subprocess.CalledProcessError as exc:
        sys.exit(f"error: soems admin create failed: {exc.stderr.strip()}")
    except (httpx.HTTPError, OSError) as exc:
        sys.exit(f"error: {exc!r}: is the stack up, with the command API on :8000?")
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
