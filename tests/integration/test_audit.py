"""The tamper-evident log: links computed by PostgreSQL, checked by `soems audit verify` in the
store and on Kafka; a changed, a removed and a forged event are each found.

Tampering never touches the shared log: the store tests copy the test's own streams into a
scratch schema (with its own checkpoints) and tamper with the copy; the Kafka tests write
their own throwaway topics.
"""
from __future__ import annotations

import secrets
import subprocess
import sys
import uuid

import pytest
from confluent_kafka import Producer

from eventlog.audit import seal, verify_kafka, verify_store
from eventlog.chain import CHAIN_HEADER, VERSION_HEADER, link, signing_key
from eventlog.postgres import create_pool
from eventlog.store import CommandContext, PostgresEventStore
from eventlog.topics import ensure_topics
from schemas.envelope import Actor
from schemas.events.exam import EXAM, ExamDrafted, ExamUpdated

TEACHER = Actor(user_id="t-audit", role="teacher")
KEY = signing_key(secrets.token_urlsafe(32))


@pytest.fixture
async def admin_pool(live_stack):
    pool = await create_pool(live_stack, min_size=1, max_size=2)
    yield pool
    await pool.close()


async def three_streams(live_stack) -> list[str]:
    """Three exam streams of 3 events each, appended as the command API does."""
    pool = await create_pool(live_stack, min_size=1, max_size=1, role="command")
    store, streams = PostgresEventStore(pool), []
    try:
        for _ in range(3):
            exam_id = f"audit-{uuid.uuid4().hex[:10]}"
            stream = EXAM.stream_id(exam_id)
            events = [ExamDrafted(exam_id=exam_id, teacher_id=TEACHER.user_id, title="Audit",
                                  description="", instructions="", duration_minutes=30)]
            events += [ExamUpdated(exam_id=exam_id, title=f"Audit {n}", description="",
                                   instructions="", duration_minutes=30) for n in (2, 3)]
            for version, event in enumerate(events):
                await store.append(stream, version, [event],
                                   CommandContext(command_id=uuid.uuid4(), actor=TEACHER), {})
            streams.append(stream)
    finally:
        await pool.close()
    return streams


@pytest.fixture
async def scratch(admin_pool, live_stack):
    """A copy of three fresh streams, with checkpoints of its own, to tamper with."""
    streams = await three_streams(live_stack)
    schema = f"audit_{uuid.uuid4().hex[:8]}"
    await admin_pool.execute(
        f"CREATE SCHEMA {schema}; "
        f"CREATE TABLE {schema}.events AS SELECT * FROM eventlog.events "
        f"WHERE stream_id = ANY('{{{','.join(streams)}}}'::text[]); "
        f"CREATE TABLE {schema}.checkpoints (LIKE eventlog.checkpoints INCLUDING ALL)")
    yield schema, streams
    await admin_pool.execute(f"DROP SCHEMA {schema} CASCADE")


async def test_postgres_links_each_event_as_the_auditor_computes_it(admin_pool, live_stack):
    stream = (await three_streams(live_stack))[0]
    rows = await admin_pool.fetch("SELECT stream_version, body, chain_hash FROM eventlog.events "
                                  "WHERE stream_id = $1 ORDER BY stream_version", stream)
    previous = None
    for row in rows:
        previous = link(previous, stream, row["stream_version"], bytes(row["body"]))
        assert bytes(row["chain_hash"]) == previous
    queued = await admin_pool.fetch("SELECT chain_hash FROM eventlog.outbox "
                                    "WHERE message_key = $1 ORDER BY position", stream)
    assert not queued or [bytes(q["chain_hash"]) for q in queued] == \
        [bytes(r["chain_hash"]) for r in rows][-len(queued):]


async def test_an_untouched_log_verifies_with_its_checkpoints(admin_pool, scratch):
    schema, _ = scratch
    tables = {"table": f"{schema}.events", "checkpoint_table": f"{schema}.checkpoints"}
    assert await seal(admin_pool, KEY, 0, **tables) is not None
    report = await verify_store(admin_pool, **tables)
    assert report.holds and report.events == 9 and report.checkpoints == 1


@pytest.mark.parametrize("tamper,found_at,why", [
    ("UPDATE {events} SET body = body || '\\x00'::bytea", 2, "changed"),
    ("DELETE FROM {events}", 3, "missing"),
])
async def test_a_changed_or_removed_event_is_found(admin_pool, scratch, tamper, found_at, why):
    schema, streams = scratch
    await admin_pool.execute(tamper.format(events=f"{schema}.events") +
                             " WHERE stream_id = $1 AND stream_version = 2", streams[1])
    report = await verify_store(admin_pool, table=f"{schema}.events",
                                checkpoint_table=f"{schema}.checkpoints")
    assert not report.holds
    assert f"stream {streams[1]} version {found_at}" in report.first_break.where
    assert why in report.first_break.why


async def test_removing_the_last_event_of_a_stream_breaks_the_checkpoint(admin_pool, scratch):
    schema, streams = scratch
    tables = {"table": f"{schema}.events", "checkpoint_table": f"{schema}.checkpoints"}
    await seal(admin_pool, KEY, 0, **tables)
    await admin_pool.execute(f"DELETE FROM {schema}.events WHERE stream_id = $1 "
                             f"AND stream_version = 3", streams[2])
    report = await verify_store(admin_pool, **tables)
    assert "checkpoint" in report.first_break.where


async def test_a_forged_checkpoint_is_found(admin_pool, scratch):
    schema, _ = scratch
    tables = {"table": f"{schema}.events", "checkpoint_table": f"{schema}.checkpoints"}
    await seal(admin_pool, KEY, 0, **tables)
    other = signing_key(secrets.token_urlsafe(32))
    report = await verify_store(admin_pool, other.public_key().public_bytes_raw(), **tables)
    assert "signature" in report.first_break.why


def publish(settings, topic: str, stream: str, bodies: list[bytes],
            drop: int | None = None, change: int | None = None) -> None:
    ensure_topics(settings, {topic: (1, {})})
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap})
    previous = None
    for version, body in enumerate(bodies, start=1):
        previous = link(previous, stream, version, body)
        if version == drop:
            continue
        sent = body + b"!" if version == change else body
        producer.produce(topic, key=stream.encode(), value=sent,
                         headers=[(CHAIN_HEADER, previous),
                                  (VERSION_HEADER, str(version).encode())])
    producer.flush(10)


@pytest.mark.parametrize("tamper,why", [({}, None), ({"change": 2}, "changed"),
                                        ({"drop": 2}, "missing")])
def test_kafka_messages_are_checked_from_their_headers(live_stack, tamper, why):
    topic, stream = f"audit.test.{uuid.uuid4().hex[:8]}", f"exam-{uuid.uuid4().hex[:8]}"
    publish(live_stack, topic, stream, [b"first", b"second", b"third"], **tamper)
    report = verify_kafka(live_stack, [topic])
    if why is None:
        assert report.holds and report.events == 3
    else:
        assert why in report.first_break.why and "offset 1" in report.first_break.where


def test_the_cli_verifies_the_store(live_stack):
    done = subprocess.run([sys.executable, "-m", "soems.cli", "audit", "verify"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "every link holds" in done.stdout


async def test_an_exported_bundle_verifies_offline_and_tampering_is_found(admin_pool, scratch,
                                                                         tmp_path):
    from eventlog.bundle import export, verify_bundle
    from eventlog.chain import public_key_bytes

    schema, streams = scratch
    tables = {"table": f"{schema}.events", "checkpoint_table": f"{schema}.checkpoints"}
    await seal(admin_pool, KEY, 0, **tables)
    positions = await admin_pool.fetch(f"SELECT global_position FROM {schema}.events "
                                       f"ORDER BY global_position")
    bundle = tmp_path / "audit.jsonl"
    events, checkpoints = await export(admin_pool, KEY, positions[3]["global_position"],
                                       positions[-1]["global_position"], bundle, **tables)
    assert (events, checkpoints) == (9, 1)  # widened back to the start: no checkpoint before
    public = public_key_bytes(KEY)
    assert verify_bundle(bundle, public).holds
    assert "signature" in verify_bundle(bundle, other_key_public()).first_break.why
    # An auditor who is handed a doctored bundle sees it.
    lines = bundle.read_text().splitlines(keepends=True)
    doctored = tmp_path / "doctored.jsonl"
    doctored.write_text("".join(lines[:5] + lines[6:]))
    assert not verify_bundle(doctored, public).holds


def other_key_public() -> bytes:
    return signing_key(secrets.token_urlsafe(32)).public_key().public_bytes_raw()
