"""The exam-day benchmark: N students press Start within the same 10 seconds, keep their exam
page open (the live channel, the fallback reads), save an answer every 10 s for M minutes
(some of them go offline for a while and replay their saves in order, with their original
Idempotency-Keys), then submit. A teacher watches the exam's progress page meanwhile.

    .venv/bin/python bench/exam_day.py [--students 1000] [--minutes 3] [--json]

Needs `make run`. Every student is a real account (made once by an admin's CSV import, then
reused by later runs: argon2 makes 1,000 accounts take minutes) with its own access token and
its own HTTP connections, straight to the command API (:8000) and the query API (:8001): the
gateway's per-address rate limits are for browsers, and every bench client has one address.
The tokens are signed here with the stack's secret and registered as sessions in Redis, as
sign-in does (sign-in itself, argon2, is not what exam day waits on).

It reports what each student waits on: Start (the command), Start until the questions show
(the attempt read model), each save's receipt, each read of the page, the submit; errors; the
acknowledged saves missing from the submitted attempts (must be 0); the lag of every read
model (consumer lag from the workers' /metrics during and after the load; and per save, from
its receipt to the live channel's "changed" for its version, which the attempts projection
sends in the transaction that writes the row); the teacher's progress reads; and CPU seconds
per process group.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import aiohttp
import asyncpg
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import commands  # noqa: E402
from commands import (LagWatch, cpu_seconds_by_group, login, machine,  # noqa: E402
                      make_admin, print_latencies, projection_metrics_urls, progress, summary,
                      with_rate)
from projections.users import USERS  # noqa: E402
from security.sessions import Sessions, connect_redis  # noqa: E402
from security.tokens import issue_access_token  # noqa: E402
from settings import Settings, load_settings  # noqa: E402

# Each sample scrapes every worker's /metrics: every 2 s keeps the bench's own CPU (it shares
# the two cores with what it measures) for the students.
commands.LAG_SAMPLE_S = 2.0
START_SPREAD_S = 10.0  # everyone presses Start within these seconds
SAVE_EVERY_S = 10.0
READ_EVERY_S = 30.0  # the exam page's fallback read while its live channel is open
PROGRESS_EVERY_S = 5.0  # the teacher's progress page
OFFLINE_SHARE = 0.05  # students who lose their connection once ...
OFFLINE_S = (20.0, 45.0)  # ... for this long
RETRY_S = (0.2, 3.0)  # a failed request is sent again (same key) after 0.2 s, doubling to 3 s
REQUEST_TIMEOUT_S = 30
PAGE_WAIT_S = 30  # Start until the attempt is readable: past this it counts as an error
# More command API processes (--command-ports 8000,8010), students spread over them: what a
# second process buys (start it by hand: `uvicorn command_api.app:app --port 8010`).
COMMAND_PORTS: list[int] = []
WATCHED_READ_MODELS = ("attempts",)  # the users' and exams' are written before the load
FOLLOW_S = 0.7  # the SPA reads a just-started attempt again at most this long after a miss,
FIRST_FOLLOW_S = 0.1  # and at least this long: as long as it has waited (app/follow.ts)
VERIFY_WAIT_S = 120
IMPORT_ROWS = 2000  # the import's limit per file
EMAIL = "bench-examday-{:05d}@example.edu"
ESSAY_WORDS = ("gravity", "orbit", "mass", "ellipse", "force", "inertia", "sun", "planet")


# --- accounts, exam ------------------------------------------------------------------------

async def students(s: Settings, command: httpx.AsyncClient, admin_token: str,
                   count: int) -> list[str]:
    """The ids of bench students 0..count-1, importing the ones that do not exist yet."""
    emails = [EMAIL.format(i) for i in range(count)]
    conn = await asyncpg.connect(s.postgres_dsn)
    try:
        async def known() -> dict[str, str]:
            rows = await conn.fetch(f"SELECT email, user_id FROM {USERS.qualified} "
                                    f"WHERE email = ANY($1::text[])", emails)
            return {r["email"]: r["user_id"] for r in rows}
        found = await known()
        missing = [(n, e) for n, e in enumerate(emails) if e not in found]
        if missing:
            progress(f"importing {len(missing)} student accounts (argon2: a few minutes, once)")
        for at in range(0, len(missing), IMPORT_ROWS):
            rows = "".join(f"{e},Bench student {n},student,{uuid.uuid4().hex}\n"
                           for n, e in missing[at:at + IMPORT_ROWS])
            made = await command.post(
                "/v1/users/imports", params={"only_valid": "true"},
                content=("email,name,role,password\n" + rows).encode(),
                headers={"Authorization": f"Bearer {admin_token}", "Content-Type": "text/csv",
                         "Idempotency-Key": str(uuid.uuid4())}, timeout=1800)
            made.raise_for_status()
        deadline = time.monotonic() + 120
        while len(found := await known()) < count:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(found)} of {count} students in the read model")
            await asyncio.sleep(0.5)
        return [found[e] for e in emails]
    finally:
        await conn.close()


async def teacher_and_students(s: Settings, command: httpx.AsyncClient,
                               count: int) -> tuple[str, list[str]]:
    """A fresh admin makes a fresh teacher; the bench students 0..count-1: (the teacher's
    access token, the students' ids)."""
    progress("accounts: an admin, a teacher, the students")
    admin = (await make_admin(command, uuid.uuid4().hex[:8], uuid.uuid4().hex))["access_token"]
    return await make_teacher_of(command, admin), await students(s, command, admin, count)


async def make_teacher_of(command: httpx.AsyncClient, admin_token: str) -> str:
    password, email = uuid.uuid4().hex, f"bench-teacher-{uuid.uuid4().hex[:8]}@example.edu"
    made = await command.post("/v1/users", headers={
        "Authorization": f"Bearer {admin_token}", "Idempotency-Key": str(uuid.uuid4())},
        json={"email": email, "name": "Bench Teacher", "password": password, "role": "teacher"})
    made.raise_for_status()
    return (await login(command, email, password))["access_token"]


QUESTIONS = (
    {"question_type": "single_choice", "stem": "Which planet is closest to the Sun?",
     "choice": {"options": [{"option_id": "mercury", "text": "Mercury", "correct": True},
                            {"option_id": "venus", "text": "Venus"},
                            {"option_id": "mars", "text": "Mars"}]}},
    {"question_type": "long_answer", "stem": "Why do planets orbit the Sun?",
     "long_answer": {"model_answer": "Gravity", "max_words": 2000}},
    {"question_type": "short_answer", "stem": "Name the largest planet.",
     "short_answer": {"accepted": [{"text": "Jupiter"}]}},
)


def poster(command: httpx.AsyncClient, token: str):
    """Send one command as ``token``'s holder (a fresh Idempotency-Key); raise on a refusal."""
    async def post(method: str, path: str, body: dict | None) -> dict:
        answer = await command.request(method, path, json=body, headers={
            "Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())})
        if answer.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json()
    return post


async def published_exam(command: httpx.AsyncClient, teacher: str,
                         student_ids: list[str]) -> tuple[str, list[str]]:
    now = datetime.now(timezone.utc)
    return await exam_of(command, teacher, student_ids, list(QUESTIONS),
                         f"Exam day bench {now:%H:%M:%S}", minutes=120)


async def exam_of(command: httpx.AsyncClient, teacher: str, student_ids: list[str],
                  questions: list[dict], title: str, minutes: int,
                  points: float = 1) -> tuple[str, list[str]]:
    """A published exam open now (for 4 hours) of these new bank questions, ``points`` each,
    assigned to the students: (its id, the question ids)."""
    post = poster(command, teacher)
    question_ids = [(await post("POST", "/v1/questions", q))["question_id"] for q in questions]
    now = datetime.now(timezone.utc)
    exam_id = (await post("POST", "/v1/exams", {
        "title": title, "duration_minutes": minutes,
        "window_opens_at": (now - timedelta(minutes=1)).isoformat(),
        "window_closes_at": (now + timedelta(hours=4)).isoformat()}))["exam_id"]
    await post("PUT", f"/v1/exams/{exam_id}/questions", {"sections": [{
        "section_id": "main", "title": "Questions", "items": [
            {"item_id": f"i{n}", "points": points, "candidates": [{"question_id": q}]}
            for n, q in enumerate(question_ids)]}]})
    for at in range(0, len(student_ids), 5000):
        await post("POST", f"/v1/exams/{exam_id}/assign",
                   {"student_ids": student_ids[at:at + 5000]})
    await post("POST", f"/v1/exams/{exam_id}/publish", None)
    return exam_id, question_ids


async def tokens_for(s: Settings, student_ids: list[str]) -> dict[str, str]:
    """An access token per student, with a session Redis knows (what sign-in makes)."""
    redis = connect_redis(s.redis_url)
    sessions = Sessions(redis, s.access_token_minutes * 60)
    try:
        epochs = await asyncio.gather(*(sessions.epoch_of(u) for u in student_ids))
    finally:
        await redis.aclose()
    return {u: issue_access_token(s, u, "student", uuid.uuid4().hex, epoch)[0]
            for u, epoch in zip(student_ids, epochs)}


# --- one student ------------------------------------------------------------------------------

@dataclass
class Acked:
    client_seq: int
    answer: dict


@dataclass
class Results:
    started: float = 0.0
    start_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)  # Start pressed until the questions show
    started_at: list[float] = field(default_factory=list)  # when Start was answered, epoch s
    save_ms: list[float] = field(default_factory=list)
    save_sent_at: list[float] = field(default_factory=list)  # epoch s, as save_ms
    replay_ms: list[float] = field(default_factory=list)  # saves sent after coming back online
    read_ms: list[float] = field(default_factory=list)
    submit_ms: list[float] = field(default_factory=list)
    progress_ms: list[float] = field(default_factory=list)
    live_lag_ms: list[float] = field(default_factory=list)  # receipt until "changed"
    retries: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    acked: dict[str, dict[str, Acked]] = field(default_factory=dict)  # attempt -> q -> last
    attempts: dict[str, str] = field(default_factory=dict)  # student -> attempt
    live_open: int = 0
    went_offline: int = 0

    def error(self, kind: str, detail: str) -> None:
        self.errors[kind] += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(f"{kind}: {detail[:300]}")


class Gone(Exception):
    """A request that kept failing past its deadline."""


async def send(http: aiohttp.ClientSession, r: Results, kind: str, method: str, path: str,
               body: dict | None = None, key: str | None = None,
               until: float | None = None) -> tuple[dict, float]:
    """One request as the SPA sends it: retried with the same Idempotency-Key on a network
    error, a 5xx or a 429, until it is answered; the time is from the first try."""
    headers = {"Idempotency-Key": key} if key else {}
    began, wait = time.perf_counter(), RETRY_S[0]
    until = until or time.monotonic() + 120
    while True:
        try:
            async with http.request(method, path, json=body, headers=headers) as answer:
                text = await answer.text()
                if answer.status < 300:
                    return json.loads(text), (time.perf_counter() - began) * 1000
                if answer.status < 500 and answer.status != 429:
                    raise Gone(f"{method} {path}: {answer.status} {text}")
                r.retries[f"{kind} ({answer.status})"] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            r.retries[f"{kind} ({type(exc).__name__})"] += 1
        if time.monotonic() > until:
            raise Gone(f"{method} {path}: still failing")
        await asyncio.sleep(wait)
        wait = min(wait * 2, RETRY_S[1])


def answer_for(question_type: str, seq: int, rng: random.Random) -> dict:
    if question_type == "single_choice":
        return {"option_ids": [rng.choice(("mercury", "venus", "mars"))]}
    if question_type == "long_answer":  # an essay that grows with every save
        return {"text": " ".join(rng.choice(ESSAY_WORDS) for _ in range(8 * seq))}
    return {"text": rng.choice(("Jupiter", "jupiter", "Saturn"))}


async def live_channel(s: Settings, token: str, attempt_id: str, r: Results,
                       sent_at: dict[int, float], stop: asyncio.Event) -> None:
    """The exam page's WebSocket: the lag from each save's receipt to its "changed"."""
    url = f"ws://127.0.0.1:{s.query_api_port}/v1/attempts/{attempt_id}/live"
    try:
        async with aiohttp.ClientSession() as ws_http, ws_http.ws_connect(url) as ws:
            await ws.send_str(json.dumps({"token": token}))
            r.live_open += 1
            # The student closes the page: the socket is closed under the loop.
            closing = asyncio.create_task(stop.wait())
            closing.add_done_callback(lambda _: asyncio.ensure_future(ws.close()))
            while True:
                message = await ws.receive()
                if message.type != aiohttp.WSMsgType.TEXT:
                    if not stop.is_set():
                        r.error("live channel closed", f"{message.type} {message.data}")
                    return
                told = json.loads(message.data)
                if told["type"] == "changed" and told["version"] in sent_at:
                    r.live_lag_ms.append(max(0.0, (time.monotonic()
                                                   - sent_at.pop(told["version"])) * 1000))
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        r.error("live channel", repr(exc))


async def student(s: Settings, student_id: str, token: str, exam_id: str,
                  questions: list[dict], r: Results, minutes: float, offline: bool,
                  seed: int) -> None:
    rng = random.Random(seed)
    auth = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    command_port = COMMAND_PORTS[seed % len(COMMAND_PORTS)] if COMMAND_PORTS else \
        s.command_api_port
    async with aiohttp.ClientSession(f"http://127.0.0.1:{command_port}", headers=auth,
                                     timeout=timeout) as command, \
            aiohttp.ClientSession(f"http://127.0.0.1:{s.query_api_port}", headers=auth,
                                  timeout=timeout) as query:
        await asyncio.sleep(rng.uniform(0, START_SPREAD_S))
        pressed = time.perf_counter()
        try:
            started, ms = await send(command, r, "start", "POST", f"/v1/exams/{exam_id}/start",
                                     key=str(uuid.uuid4()))
        except Gone as exc:
            r.error("start", str(exc))
            return
        r.start_ms.append(ms)
        r.started_at.append(time.time())
        attempt_id = started["attempt_id"]
        r.attempts[student_id] = attempt_id
        # The page: read until the attempt shows (the read model a moment behind).
        opened, page_by = time.perf_counter(), time.monotonic() + PAGE_WAIT_S
        while True:
            async with query.get(f"/v1/attempts/{attempt_id}") as shown:
                await shown.read()
                if shown.status == 200:
                    break
            if time.monotonic() > page_by:
                r.error("page", f"attempt {attempt_id} not readable after {PAGE_WAIT_S} s")
                return
            await asyncio.sleep(min(FOLLOW_S, max(FIRST_FOLLOW_S,
                                                  time.perf_counter() - opened)))
        r.page_ms.append((time.perf_counter() - pressed) * 1000)

        sent_at: dict[int, float] = {}  # receipt version -> when its receipt came
        stop = asyncio.Event()
        live = asyncio.create_task(live_channel(s, token, attempt_id, r, sent_at, stop))
        acked = r.acked.setdefault(attempt_id, {})
        seqs: Counter = Counter()
        queued: list[tuple[str, int, dict, str]] = []  # offline: (question, seq, answer, key)
        offline_from = offline_until = None
        if offline:
            offline_from = time.monotonic() + rng.uniform(0.2, 0.6) * minutes * 60
            offline_until = offline_from + rng.uniform(*OFFLINE_S)
            r.went_offline += 1
        ends = time.monotonic() + minutes * 60
        next_read = time.monotonic() + rng.uniform(0, READ_EVERY_S)
        await asyncio.sleep(rng.uniform(0, SAVE_EVERY_S))

        async def deliver(question_id: str, seq: int, answer: dict, key: str,
                          into: list[float]) -> None:
            sent = time.time()
            receipt, ms = await send(command, r, "save", "PUT",
                                     f"/v1/attempts/{attempt_id}/answers/{question_id}",
                                     {"client_seq": seq, "answer": answer}, key)
            into.append(ms)
            if into is r.save_ms:
                r.save_sent_at.append(sent)
            sent_at[receipt["version"]] = time.monotonic()
            if not receipt.get("superseded") and (
                    question_id not in acked or acked[question_id].client_seq < seq):
                acked[question_id] = Acked(seq, answer)

        try:
            while time.monotonic() < ends:
                q = questions[rng.randrange(len(questions))]
                seqs[q["question_id"]] += 1
                seq = seqs[q["question_id"]]
                save = (q["question_id"], seq, answer_for(q["question_type"], seq, rng),
                        str(uuid.uuid4()))
                now = time.monotonic()
                if offline_from is not None and offline_from <= now < offline_until:
                    queued.append(save)  # kept (IndexedDB in the SPA) until back online
                else:
                    for earlier in queued:  # back: replayed in order, with their own keys
                        await deliver(*earlier, r.replay_ms)
                    queued.clear()
                    await deliver(*save, r.save_ms)
                if time.monotonic() >= next_read:
                    _, ms = await send(query, r, "read", "GET", f"/v1/attempts/{attempt_id}")
                    r.read_ms.append(ms)
                    next_read += READ_EVERY_S
                await asyncio.sleep(SAVE_EVERY_S)
            for earlier in queued:
                await deliver(*earlier, r.replay_ms)
            _, ms = await send(command, r, "submit", "POST",
                               f"/v1/attempts/{attempt_id}/submit", key=str(uuid.uuid4()))
            r.submit_ms.append(ms)
        except Gone as exc:
            r.error("save or submit", str(exc))
        finally:
            await asyncio.sleep(1.0)  # the last receipts' "changed"
            stop.set()
            await live


async def teacher_watches(s: Settings, token: str, exam_id: str, r: Results,
                          stop: asyncio.Event) -> list[dict]:
    """The teacher's progress page, read every 5 s: its latency and what it counted."""
    seen = []
    async with aiohttp.ClientSession(f"http://127.0.0.1:{s.query_api_port}",
                                     headers={"Authorization": f"Bearer {token}"}) as query:
        while not stop.is_set():
            try:
                body, ms = await send(query, r, "progress", "GET",
                                      f"/v1/exams/{exam_id}/progress",
                                      until=time.monotonic() + 30)
            except Gone as exc:
                r.error("progress", str(exc))
            else:
                r.progress_ms.append(ms)
                seen.append({k: body[k] for k in ("in_progress", "submitted", "not_started")})
            try:
                await asyncio.wait_for(stop.wait(), PROGRESS_EVERY_S)
            except asyncio.TimeoutError:
                pass
    return seen


# --- after: every acknowledged save is in the submitted attempt --------------------------------

async def verify(s: Settings, tokens: dict[str, str], r: Results) -> dict:
    """Reads each submitted attempt as its student does and compares every question's last
    acknowledged save with what the attempt holds."""
    missing, unsubmitted, wrong = 0, 0, []
    gate = asyncio.Semaphore(32)
    waited_until = time.monotonic() + VERIFY_WAIT_S

    async def one(student_id: str, attempt_id: str) -> None:
        nonlocal missing, unsubmitted
        async with gate, aiohttp.ClientSession(
                f"http://127.0.0.1:{s.query_api_port}",
                headers={"Authorization": f"Bearer {tokens[student_id]}"}) as query:
            while True:
                async with query.get(f"/v1/attempts/{attempt_id}") as answer:
                    body = await answer.json()
                if body.get("status") == "submitted" or time.monotonic() > waited_until:
                    break
                await asyncio.sleep(0.5)
        if body.get("status") != "submitted":
            unsubmitted += 1
        for question_id, last in r.acked.get(attempt_id, {}).items():
            kept = body.get("answers", {}).get(question_id)
            if kept is None or kept["client_seq"] != last.client_seq or \
                    kept["answer"] != last.answer:
                missing += 1
                if len(wrong) < 5:
                    wrong.append({"attempt": attempt_id, "question": question_id,
                                  "acked_seq": last.client_seq,
                                  "kept_seq": kept and kept["client_seq"]})
    began = time.monotonic()
    await asyncio.gather(*(one(st, a) for st, a in r.attempts.items()))
    return {"acknowledged_saves_missing": missing, "not_submitted": unsubmitted,
            "samples": wrong, "checked_attempts": len(r.attempts),
            "checked_s": round(time.monotonic() - began, 1)}


# --- the run -----------------------------------------------------------------------------------

async def run(s: Settings, count: int, minutes: float) -> dict:
    command = httpx.AsyncClient(base_url=f"http://127.0.0.1:{s.command_api_port}", timeout=60)
    try:
        teacher, student_ids = await teacher_and_students(s, command, count)
        exam_id, question_ids = await published_exam(command, teacher, student_ids)
    finally:
        await command.aclose()
    questions = [{"question_id": q, "question_type": d["question_type"]}
                 for q, d in zip(question_ids, QUESTIONS)]
    tokens = await tokens_for(s, student_ids)
    rng = random.Random(7)
    offline = set(rng.sample(student_ids, int(count * OFFLINE_SHARE)))
    r = Results()
    # Only the read models this load writes: each scrape parses a worker's whole /metrics,
    # which cost the bench a quarter of its CPU when it watched all eight.
    lags = LagWatch({name: url for name, url in projection_metrics_urls(s).items()
                     if name in WATCHED_READ_MODELS})
    watching = asyncio.create_task(lags.run())
    stop_teacher = asyncio.Event()
    teacher_task = asyncio.create_task(teacher_watches(s, teacher, exam_id, r, stop_teacher))
    progress(f"load: {count} students start within {START_SPREAD_S:.0f} s, save every "
             f"{SAVE_EVERY_S:.0f} s for {minutes} min, {len(offline)} go offline once")
    cpu_before, began = cpu_seconds_by_group(), time.perf_counter()
    await asyncio.gather(*(student(s, sid, tokens[sid], exam_id, questions, r, minutes,
                                   sid in offline, n) for n, sid in enumerate(student_ids)))
    seconds = time.perf_counter() - began
    cpu = cpu_seconds_by_group() - cpu_before
    lags.load_over_at = time.time()
    stop_teacher.set()
    progress_seen = await teacher_task
    progress("load over: waiting for every read model to reach the head")
    await watching
    progress("checking every acknowledged save against the submitted attempts")
    checked = await verify(s, tokens, r)
    first_start = min(r.started_at) if r.started_at else 0.0
    # Saves sent before the last Start was answered share the two cores with the Start burst.
    last_start = max(r.started_at) if r.started_at else 0.0
    during = [ms for ms, at in zip(r.save_ms, r.save_sent_at) if at <= last_start]
    after = [ms for ms, at in zip(r.save_ms, r.save_sent_at) if at > last_start]
    return {
        "machine": machine(), "students": count, "minutes": minutes,
        "seconds": round(seconds, 1), "exam_id": exam_id,
        "latency_ms": {
            "start (command)": summary(r.start_ms),
            "start until the questions show": summary(r.page_ms),
            "autosave receipt": with_rate(summary(r.save_ms), seconds),
            "  sent during the Start burst": summary(during),
            "  sent after it": summary(after),
            "autosave replayed after offline": summary(r.replay_ms),
            "exam page read (fallback)": summary(r.read_ms),
            "submit": summary(r.submit_ms),
            "teacher progress page": summary(r.progress_ms),
            "save receipt until live 'changed' (attempts read model)":
                summary(r.live_lag_ms),
        },
        "starts_within_s": round(max(r.started_at) - first_start, 1) if r.started_at else None,
        "errors": dict(r.errors), "error_samples": r.error_samples,
        "retries": dict(r.retries), "live_channels_opened": r.live_open,
        "went_offline": r.went_offline, "verification": checked,
        "read_model_lag": lags.report(),
        "teacher_saw_last": progress_seen[-1] if progress_seen else None,
        "cpu_seconds": {k: round(v, 1) for k, v in cpu.most_common()},
    }


def print_table(x: dict) -> None:
    m = x["machine"]
    print(f"exam day: {x['students']} students, {x['minutes']} min of saves, "
          f"{x['seconds']} s in all, on {m['cpu']} ({m['cores']} cores, {m['memory_gib']} GiB)")
    print_latencies(x["latency_ms"])
    print(f"\nstarts answered within {x['starts_within_s']} s of the first")
    v = x["verification"]
    print(f"acknowledged saves missing from the submitted attempts: "
          f"{v['acknowledged_saves_missing']} (attempts checked {v['checked_attempts']}, "
          f"not submitted {v['not_submitted']})")
    print(f"errors: {x['errors'] or 0}; retries: {x['retries'] or 0}")
    for sample in x["error_samples"]:
        print(f"  {sample}")
    print(f"live channels opened: {x['live_channels_opened']}; went offline: {x['went_offline']}")
    print(f"teacher's last progress read: {x['teacher_saw_last']}")
    print("\nread models: peak consumer lag (events) and seconds after the load to the head")
    for name, lag in x["read_model_lag"].items():
        print(f"  {name:<30} peak {lag['peak_lag_events']}  at head "
              f"{lag['at_head_s_after_load']} s after")
    total = sum(x["cpu_seconds"].values())
    print(f"\nCPU seconds during the load ({total:.0f} s of {2 * x['seconds']:.0f} available)")
    for name, used in x["cpu_seconds"].items():
        print(f"  {name:<30} {used:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=3.0,
                        help="minutes of saves (every 10 s) between Start and submit")
    parser.add_argument("--command-ports", default="",
                        help="command API ports to spread the students over (default: the one "
                             "the stack runs)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    COMMAND_PORTS[:] = [int(p) for p in args.command_ports.split(",") if p]
    s = load_settings()
    if args.minutes * 60 + 120 > s.access_token_minutes * 60:
        sys.exit(f"error: the tokens last {s.access_token_minutes} min; run at most "
                 f"{s.access_token_minutes - 2} min of saves")
    try:
        result = asyncio.run(run(s, args.students, args.minutes))
    except (httpx.HTTPError, OSError) as exc:
        sys.exit(f"error: {exc!r}: is the stack up (`make run`)?")
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
