"""Exam day with crashes: 200 students save answers while the command API, the relay, every
projection and the faust worker are each killed with SIGKILL and started again, and then
PostgreSQL and Kafka themselves are restarted (`soems stack down/up`). Clients retry with the
same Idempotency-Key (as the SPA's save queue does); afterwards every acknowledged save is in
the attempt that the deadline processor submitted, and nothing shows that was not
acknowledged.

No service is restarted behind the test's back: each must ride out the loss of PostgreSQL and
Kafka on its own (the check fails if one exits). It restarts the shared stack, so it runs
last (`restarts_stack`).
"""
from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from deploy.local import stack
from projections import all_projections
from security.sessions import Sessions, connect_redis
from security.tokens import issue_access_token
from tests.e2e.harness import bearer, eventually, key
from tests.e2e.test_attempts import CHOICE, ESSAY, published_exam

pytestmark = pytest.mark.restarts_stack

STUDENTS = 200
SAVE_EVERY_S = 4.0
SAVING_S = 95.0  # then the students stop; the window closes a little later
CLOSES_AFTER_S = 110.0
SETUP_S = 60.0  # at most this long from drafting the exam to the first Start
# (seconds into the saving, what): a service is killed there and started again 2 s later;
# a stack component is stopped cleanly and started again at once.
CRASHES = ((6.0, "command-api"), (12.0, "relay"),
           *((16.0 + 2 * n, f"projection.{name}") for n, name in enumerate(all_projections())),
           (34.0, "processors"), (40.0, "stack:postgres"), (55.0, "stack:kafka"))


@dataclass
class Ledger:
    acked: dict[str, dict[str, tuple[int, dict]]] = field(default_factory=dict)
    token_of: dict[str, str] = field(default_factory=dict)  # attempt -> its student's token
    saves_acked: int = 0
    retries: int = 0
    refused: list[str] = field(default_factory=list)


async def with_retries(http: httpx.AsyncClient, ledger: Ledger, method: str, url: str,
                       idempotency_key: str, body: dict | None = None) -> httpx.Response:
    """Sent until answered: a lost connection, a 5xx or a 429 is sent again with the same key."""
    wait = 0.2
    for _ in range(60):
        try:
            answer = await http.request(method, url, json=body,
                                        headers={"Idempotency-Key": idempotency_key})
            if answer.status_code < 500 and answer.status_code != 429:
                return answer
        except httpx.HTTPError:
            pass
        ledger.retries += 1
        await asyncio.sleep(wait)
        wait = min(wait * 2, 2.0)
    raise AssertionError(f"{method} {url} never answered")


async def sit(services, token: str, exam_id: str, questions: list[str], ledger: Ledger,
              saving_until: float, seed: int) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=services.command_url, headers=bearer(token),
                                 timeout=10) as http:
        await asyncio.sleep(rng.uniform(0, 3))
        started = await with_retries(http, ledger, "POST", f"/v1/exams/{exam_id}/start",
                                     str(uuid.uuid4()))
        assert started.status_code == 200, started.text
        attempt_id = started.json()["attempt_id"]
        ledger.token_of[attempt_id] = token
        acked = ledger.acked.setdefault(attempt_id, {})
        seq = 0
        while time.monotonic() < saving_until:
            await asyncio.sleep(rng.uniform(0.5, 1.5) * SAVE_EVERY_S)
            seq += 1
            question_id = questions[seq % 2]
            answer = {"option_ids": [rng.choice("abc")]} if seq % 2 == 0 else \
                {"text": f"draft {seq} of {attempt_id}"}
            saved = await with_retries(http, ledger, "PUT",
                                       f"/v1/attempts/{attempt_id}/answers/{question_id}",
                                       str(uuid.uuid4()), {"client_seq": seq, "answer": answer})
            if saved.status_code != 200:
                ledger.refused.append(saved.text)
                continue
            acked[question_id] = (seq, answer)
            ledger.saves_acked += 1


async def crashes(services, settings, began: float, outages: dict[str, float]) -> None:
    for at, name in CRASHES:
        await asyncio.sleep(max(0.0, began + at - time.monotonic()))
        if name.startswith("stack:"):
            component, stopped = name.removeprefix("stack:"), time.monotonic()
            await asyncio.to_thread(stack.down, settings, [component], True)
            await asyncio.to_thread(stack.up, settings, [component])
            outages[component] = time.monotonic() - stopped
        else:
            services.kill(name)
            await asyncio.sleep(2.0)
            services.start(name)


async def exam_day(services, settings, tokens: list[str], exam_id: str,
                   questions: list[str]) -> tuple[Ledger, dict[str, float]]:
    ledger, outages = Ledger(), {}
    began = time.monotonic()
    await asyncio.gather(crashes(services, settings, began, outages), *(
        sit(services, token, exam_id, questions, ledger, began + SAVING_S, n)
        for n, token in enumerate(tokens)))
    return ledger, outages


async def signed_in(settings, user_ids: list[str]) -> list[str]:
    """Access tokens with live sessions, as sign-in makes them (argon2 for each of 60
    students would cost the suite half a minute and prove nothing here)."""
    redis = connect_redis(settings.redis_url)
    try:
        sessions = Sessions(redis, settings.access_token_minutes * 60)
        epochs = [await sessions.epoch_of(u) for u in user_ids]
    finally:
        await redis.aclose()
    return [issue_access_token(settings, u, "student", uuid.uuid4().hex, e)[0]
            for u, e in zip(user_ids, epochs)]


def test_every_acknowledged_save_survives_crashes_and_restarts(services, admin, make_user,
                                                               settings):
    rows = "".join(f"fault-{uuid.uuid4().hex[:10]}@example.edu,Student {n},student,"
                   f"{uuid.uuid4().hex}\n" for n in range(STUDENTS))
    imported = httpx.post(f"{services.command_url}/v1/users/imports",
                          content=("email,name,role,password\n" + rows).encode(),
                          headers={**admin["headers"], **key(), "Content-Type": "text/csv"},
                          timeout=300)
    assert imported.status_code == 201, imported.text
    student_ids = imported.json()["user_ids"]
    teacher = make_user("teacher")
    now = datetime.now(timezone.utc)
    closes = now + timedelta(seconds=CLOSES_AFTER_S + SETUP_S)
    exam_id, (choice, essay) = published_exam(
        services, teacher, [{"user": {"user_id": u}} for u in student_ids], [CHOICE, ESSAY],
        closes - timedelta(minutes=4), closes, minutes=4)  # a window as long as the exam
    tokens = asyncio.run(signed_in(settings, student_ids))

    ledger, outages = asyncio.run(exam_day(services, settings, tokens, exam_id,
                                           [choice, essay]))
    exited = {name: proc.returncode for name, proc in services.procs.items()
              if proc.poll() is not None}
    assert not exited, f"services that did not ride out the restarts: {exited}: " + "".join(
        f"\n--- {name}.log ---\n" + (services.logs / f"{name}.log").read_text()[-3000:]
        for name in exited)
    assert len(ledger.acked) == STUDENTS
    assert not ledger.refused, ledger.refused[:3]
    assert all(ledger.acked.values())  # every student had something acknowledged

    # Nobody submits: the window's close does, through the restarted faust worker.
    lost, not_by_the_clock = [], []
    for attempt_id, acked in ledger.acked.items():
        def submitted():
            read = httpx.get(f"{services.query_url}/v1/attempts/{attempt_id}",
                             headers=bearer(ledger.token_of[attempt_id]))
            return read.json() if read.status_code == 200 and \
                read.json()["status"] == "submitted" else None
        attempt = eventually(submitted, timeout=90, interval=1.0)
        if attempt["submit_reason"] != "deadline":
            not_by_the_clock.append(attempt_id)
        for question_id, (seq, answer) in acked.items():
            kept = attempt["answers"].get(question_id)
            if kept is None or (kept["client_seq"], kept["answer"]) != (seq, answer):
                lost.append((attempt_id, question_id, seq, kept))
    assert not lost, f"{len(lost)} acknowledged saves missing: {lost[:3]}"
    assert not not_by_the_clock
    # While Kafka was down, its clients asked for metadata a few times a second, not in a busy
    # loop (unpaced, the relay alone logged ~25,000 failed updates in a 30 s restart).
    failed_updates = {name: (services.logs / f"{name}.log").read_text().count(
        "Unable to update metadata") for name in services.procs}
    assert max(failed_updates.values()) < 2_000, failed_updates
    print(f"{ledger.saves_acked} saves acknowledged through {len(CRASHES)} crashes and "
          f"restarts (outages: {', '.join(f'{c} {s:.1f} s' for c, s in outages.items())}), "
          f"{ledger.retries} retries; each question's last acknowledged answer kept")
