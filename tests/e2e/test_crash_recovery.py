"""Kill the relay and the projection workers with SIGKILL in the middle of a burst of 1,000
commands, restart them, and every acknowledged command is in the read models exactly once."""
from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx
import pymongo

from tests.e2e.harness import WINDOW, bank_question, eventually, key, layout_of

EXAMS = 250  # each drafted, given its question and student, published: 1,000 commands
CONCURRENCY = 16
VICTIMS = ("relay", "projection.exam_catalogue", "projection.exam_documents")


async def burst(services, teacher, student_id: str, kill_after: int) -> dict[str, int]:
    """Draft and publish EXAMS exams; SIGKILL and restart the victims mid-way.
    Returns the acknowledged exams with the version of their last acknowledged command."""
    acknowledged: dict[str, int] = {}
    retried: list[str] = []
    done = 0
    killed = asyncio.Event()
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(EXAMS):
        queue.put_nowait(i)

    question_id = bank_question(services.command_url, teacher)

    async def command(http: httpx.AsyncClient, method: str, path: str, body) -> httpx.Response:
        """Send as the SPA does: a connection lost before the answer is retried with the same
        Idempotency-Key, so the command is still applied once (the versions below prove it)."""
        headers = {**teacher["headers"], **key()}
        for attempt in range(3):
            try:
                return await http.request(method, path, json=body, headers=headers)
            except (httpx.ReadError, httpx.RemoteProtocolError):
                if attempt == 2:
                    raise
                retried.append(path)
        raise AssertionError("unreachable")

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal done
        while not queue.empty():
            i = queue.get_nowait()
            drafted = await command(http, "POST", "/v1/exams",
                                    {"title": f"Burst {i}", "duration_minutes": 30, **WINDOW})
            assert drafted.status_code == 201, drafted.text
            exam_id = drafted.json()["exam_id"]
            acknowledged[exam_id] = 1
            for method, path, body in (
                    ("PUT", "questions", layout_of(question_id)),
                    ("POST", "assign", {"student_ids": [student_id]}),
                    ("POST", "publish", None)):
                answer = await command(http, method, f"/v1/exams/{exam_id}/{path}", body)
                assert answer.status_code == 200, answer.text
                acknowledged[exam_id] = answer.json()["version"]
            done += 4
            if done >= kill_after and not killed.is_set():
                killed.set()
                for victim in VICTIMS:
                    services.kill(victim)

    async def restart_later() -> None:
        await killed.wait()
        await asyncio.sleep(1.0)  # commands keep landing in the outbox meanwhile
        for victim in VICTIMS:
            services.start(victim)

    async with httpx.AsyncClient(base_url=services.command_url, timeout=60) as http:
        await asyncio.gather(restart_later(), *(client(http) for _ in range(CONCURRENCY)))
    if retried:
        print(f"{len(retried)} commands retried after a lost connection: {retried[:5]}")
    return acknowledged


async def catalogue_of(dsn: str, teacher_id: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch("SELECT exam_id, status, version FROM read_models.exam_catalogue "
                                "WHERE teacher_id = $1", teacher_id)
    finally:
        await conn.close()


def test_sigkilled_relay_and_projections_lose_and_double_nothing(services, make_user, settings):
    teacher = make_user("teacher")
    teacher_id = teacher["user"]["user_id"]
    student_id = make_user("student")["user"]["user_id"]
    started = time.monotonic()
    acknowledged = asyncio.run(burst(services, teacher, student_id, kill_after=300))
    assert len(acknowledged) == EXAMS
    assert set(acknowledged.values()) == {4}

    def catalogue_complete():
        rows = asyncio.run(catalogue_of(settings.postgres_dsn, teacher_id))
        return rows if len(rows) == EXAMS and all(r["version"] == 4 for r in rows) else None

    rows = eventually(catalogue_complete, timeout=120, interval=0.5)
    assert {r["exam_id"] for r in rows} == set(acknowledged)
    assert {r["status"] for r in rows} == {"published"}

    mongo = pymongo.MongoClient(settings.mongo_uri)
    try:
        exams = mongo[settings.mongo_db]["exams"]
        eventually(lambda: exams.count_documents({"teacher_id": teacher_id, "version": 4})
                   == EXAMS, timeout=120, interval=0.5)
        documents = list(exams.find({"teacher_id": teacher_id}, {"_id": 1, "status": 1}))
    finally:
        mongo.close()
    assert sorted(d["_id"] for d in documents) == sorted(acknowledged)
    assert {d["status"] for d in documents} == {"published"}
    print(f"1,000 commands with a crash and recovery settled in {time.monotonic() - started:.1f}s")
