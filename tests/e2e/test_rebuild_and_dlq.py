"""Rebuilt read models equal the live ones; poison messages go to the DLQ and the
projections keep going."""
from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import asyncpg
import httpx
import pymongo
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from eventlog.projection import MongoProjection
from eventlog.topics import partitions_of
from projections import all_projections
from projections.exam_documents import EXAM_DOCUMENTS
from schemas.events.exam import EXAM
from schemas.events.identity import IDENTITY
from schemas.events.question import QUESTION
from tests.e2e.harness import WINDOW, bank_question, eventually, key, make_ready

EXAM_TOPIC = EXAM.topic
MONGO_PROJECTIONS = {name for name, p in all_projections().items()
                     if isinstance(p, MongoProjection)}


async def caught_up(settings, projection: str, topics: list[str]) -> bool:
    """The projection's stored positions equal the topics' end offsets. PostgreSQL
    projections keep their positions in PostgreSQL, MongoDB ones in Kafka."""
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap)
    await consumer.start()
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        tps = [TopicPartition(t, p) for t in topics for p in partitions_of(settings, t)]
        ends = await consumer.end_offsets(tps)
        if projection in MONGO_PROJECTIONS:
            committed = {tp: await consumer_committed(settings, projection, tp) for tp in tps}
        else:
            rows = await conn.fetch("SELECT topic, partition, next_offset FROM "
                                    "eventlog.projection_offsets WHERE projection = $1",
                                    projection)
            committed = {TopicPartition(r["topic"], r["partition"]): r["next_offset"]
                         for r in rows}
        return all(committed.get(tp, 0) >= end for tp, end in ends.items())
    finally:
        await conn.close()
        await consumer.stop()


async def consumer_committed(settings, projection: str, tp: TopicPartition) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.kafka_bootstrap,
                                group_id=f"projection.{projection}", enable_auto_commit=False)
    await consumer.start()
    try:
        return await consumer.committed(tp) or 0
    finally:
        await consumer.stop()


async def table(settings, sql: str) -> list[tuple]:
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        return sorted(tuple(r) for r in await conn.fetch(sql))
    finally:
        await conn.close()


def rebuild(name: str) -> str:
    done = subprocess.run([sys.executable, "-m", "soems.cli", "projections", "rebuild", name],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def some_exams(services, teacher, student_id: str, n: int = 5) -> None:
    question_id = bank_question(services.command_url, teacher)
    for i in range(n):
        exam = httpx.post(f"{services.command_url}/v1/exams",
                          headers={**teacher["headers"], **key()},
                          json={"title": f"Rebuild {i}", "duration_minutes": 45, **WINDOW})
        assert exam.status_code == 201
        if i % 2:
            exam_id = exam.json()["exam_id"]
            make_ready(services.command_url, teacher, exam_id, question_id, [student_id])
            published = httpx.post(f"{services.command_url}/v1/exams/{exam_id}/publish",
                                   headers={**teacher["headers"], **key()})
            assert published.status_code == 200, published.text


CATALOGUE = ("SELECT exam_id, teacher_id, title, status, duration_minutes, window_opens_at, "
             "window_closes_at, created_at, updated_at, published_at, question_count, "
             "total_points, assigned, accommodations, version "
             "FROM read_models.exam_catalogue")
USERS = "SELECT user_id, email, name, role, disabled, registered_at, version FROM read_models.users"
QUESTION_BANK = ("SELECT question_id, owner_id, question_type, stem, difficulty, tags, status, "
                 "shared_with, revision, content, created_at, updated_at, version, search "
                 "FROM read_models.question_bank")
# Its narrow copy, rebuilt and swapped in with it.
QUESTION_SEARCH = ("SELECT question_id, owner_id, viewers, status, question_type, difficulty, "
                   "tags, updated_at, search FROM read_models.question_search")
SHARING_STATISTICS = ("SELECT stxnamespace::regnamespace::text FROM pg_statistic_ext "
                      "WHERE stxname = 'question_search_sharing'")
QUESTION_REVISIONS = ("SELECT revision_id, question_id, revision, content, written_at, written_by, "
                      "version FROM read_models.question_revisions")


def test_rebuilt_postgres_read_models_equal_the_live_ones(services, teacher, student, settings):
    some_exams(services, teacher, student["user"]["user_id"])
    for name, topic, sqls in (("exam_catalogue", EXAM_TOPIC, [CATALOGUE]),
                              ("users", IDENTITY.topic, [USERS]),
                              ("question_bank", QUESTION.topic, [QUESTION_BANK, QUESTION_SEARCH]),
                              ("question_revisions", QUESTION.topic, [QUESTION_REVISIONS])):
        eventually(lambda: asyncio.run(caught_up(settings, name, [topic])), timeout=60)
        live = [asyncio.run(table(settings, sql)) for sql in sqls]
        assert all(live), f"{name}: nothing to compare"
        output = rebuild(name)
        assert f"Rebuilt {name}" in output
        assert [asyncio.run(table(settings, sql)) for sql in sqls] == live
    # A table's extended statistics come along with it from the shadow schema.
    assert asyncio.run(table(settings, SHARING_STATISTICS)) == [("read_models",)]


def test_rebuilt_mongo_read_model_equals_the_live_one(services, teacher, student, settings):
    some_exams(services, teacher, student["user"]["user_id"])
    eventually(lambda: asyncio.run(caught_up(settings, "exam_documents", [EXAM_TOPIC])),
               timeout=60)
    mongo = pymongo.MongoClient(settings.mongo_uri)
    exams = mongo[settings.mongo_db][EXAM_DOCUMENTS]
    # When each document was written differs between the two, by design; the rest must not.
    documents = lambda: sorted(({k: v for k, v in d.items() if k != "projected_at"}  # noqa: E731
                                for d in exams.find()), key=lambda d: d["_id"])
    try:
        live = documents()
        rebuild("exam_documents")
        assert documents() == live
    finally:
        mongo.close()


# Every consumer of the exam topic parks what it cannot read (in whichever order they reach it).
# The notifier reads the exam topic too (stream_processors/notifications): exam events email.
EXAM_CONSUMERS = ["notifier", "projection.exam_catalogue", "projection.exam_documents",
                  "soems-processors"]


async def poison_and_read_dlq(settings, marker: bytes) -> list:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(EXAM_TOPIC, key=b"exam-poison", value=marker)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(f"{EXAM_TOPIC}.dlq", bootstrap_servers=settings.kafka_bootstrap,
                                auto_offset_reset="earliest", group_id=None)
    await consumer.start()
    found = []
    try:
        deadline = asyncio.get_running_loop().time() + 60
        while len(found) < len(EXAM_CONSUMERS) and asyncio.get_running_loop().time() < deadline:
            for messages in (await consumer.getmany(timeout_ms=500)).values():
                found += [m for m in messages if m.value == marker]
    finally:
        await consumer.stop()
    return found


def test_a_garbage_message_goes_to_the_dlq_and_projections_keep_going(services, teacher,
                                                                       settings):
    marker = b"not avro at all " + uuid.uuid4().hex.encode()
    parked = asyncio.run(poison_and_read_dlq(settings, marker))
    consumers = sorted(dict(m.headers)["consumer"].decode() for m in parked)
    assert consumers == EXAM_CONSUMERS, "every consumer of the exam topic parks it, once"
    headers = dict(parked[0].headers)
    assert b"DecodeError" in headers["error"]
    assert headers["source_topic"].decode() == EXAM_TOPIC

    title = f"After the poison {uuid.uuid4().hex[:6]}"
    exam = httpx.post(f"{services.command_url}/v1/exams", headers={**teacher["headers"], **key()},
                      json={"title": title, "duration_minutes": 30}).json()
    eventually(lambda: httpx.get(f"{services.query_url}/v1/exams/{exam['exam_id']}",
                                 headers=teacher["headers"]).status_code == 200)
    listing = httpx.get(f"{services.query_url}/v1/exams", headers=teacher["headers"],
                        params={"mine": True, "sort": "-created_at"}).json()
    assert listing["items"][0]["title"] == title
