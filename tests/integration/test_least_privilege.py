"""Each service's PostgreSQL role can do its job and nothing more (eventlog/migrate.py): the
log cannot be changed, emptied or bypassed even by a service that is taken over."""
from __future__ import annotations

import uuid

import asyncpg
import pytest

from eventlog.postgres import create_pool
from eventlog.projection import setup_postgres_projection
from projections import exam_catalogue, users
from eventlog.store import CommandContext, PostgresEventStore
from schemas.envelope import Actor
from schemas.events.exam import EXAM, ExamDrafted

REFUSED = (asyncpg.InsufficientPrivilegeError, asyncpg.RaiseError)


@pytest.fixture
async def pools(live_stack):
    made = {role: await create_pool(live_stack, min_size=1, max_size=1, role=role)
            for role in ("command", "relay", "projection", "query")}
    yield made
    for pool in made.values():
        await pool.close()


async def refused(pool, sql: str, *args) -> bool:
    try:
        await pool.execute(sql, *args)
    except REFUSED:
        return True
    return False


async def appended_event(pool) -> tuple[str, uuid.UUID]:
    exam_id = f"privilege-{uuid.uuid4().hex[:10]}"
    recorded = await PostgresEventStore(pool).append(
        EXAM.stream_id(exam_id), 0,
        [ExamDrafted(exam_id=exam_id, teacher_id="t-1", title="Least privilege",
                     description="", instructions="", duration_minutes=30)],
        CommandContext(command_id=uuid.uuid4(), actor=Actor(user_id="t-1", role="teacher")),
        {"exam_id": exam_id})
    return EXAM.stream_id(exam_id), recorded[0].envelope.event_id


async def test_the_command_role_appends_but_cannot_change_the_log(pools, live_stack):
    command = pools["command"]
    stream_id, event_id = await appended_event(command)  # its job works
    for sql in ("UPDATE eventlog.events SET body = 'x' WHERE stream_id = $1",
                "DELETE FROM eventlog.events WHERE stream_id = $1"):
        assert await refused(command, sql, stream_id), sql
    for sql in ("TRUNCATE eventlog.events", "TRUNCATE eventlog.commands",
                "ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only",
                "DROP TRIGGER events_append_only ON eventlog.events",
                "DELETE FROM eventlog.commands",
                "CREATE TABLE eventlog.forged (x int)"):
        assert await refused(command, sql), sql


async def test_only_the_database_queues_events_for_the_relay(pools, live_stack):
    forged = ("INSERT INTO eventlog.outbox (topic, message_key, event_id, event_type, body) "
              "VALUES ('soems.exam.events', 'exam-x', gen_random_uuid(), 'ExamPublished', 'x')")
    for role in ("command", "relay", "projection", "query"):
        assert await refused(pools[role], forged), role
    # The trigger queued the appended event, in the outbox the relay reads.
    _, event_id = await appended_event(pools["command"])
    queued = await pools["relay"].fetchval(
        "SELECT topic FROM eventlog.outbox WHERE event_id = $1", event_id)
    assert queued == EXAM.topic


async def test_the_relay_reads_and_deletes_the_outbox_and_nothing_else(pools):
    relay = pools["relay"]
    assert await relay.fetchval("SELECT count(*) >= 0 FROM eventlog.outbox")
    for sql in ("SELECT 1 FROM eventlog.events LIMIT 1", "SELECT 1 FROM identity.credentials",
                "INSERT INTO eventlog.events (stream_id, stream_version, event_id, event_type, "
                "aggregate, occurred_at, command_id, body) VALUES ('s', 1, gen_random_uuid(), "
                "'T', 'exam', now(), gen_random_uuid(), 'x')"):
        assert await refused(relay, sql), sql


async def test_queries_read_the_read_models_only(pools):
    # The projection role makes its tables (as its worker does at start); queries may read
    # them, by the default privileges, and do nothing else.
    await setup_postgres_projection(pools["projection"], exam_catalogue.projection)
    await setup_postgres_projection(pools["projection"], users.projection)
    query = pools["query"]
    assert await query.fetchval("SELECT count(*) >= 0 FROM read_models.exam_catalogue")
    for sql in ("SELECT 1 FROM eventlog.events LIMIT 1", "SELECT 1 FROM identity.credentials",
                "DELETE FROM read_models.exam_catalogue",
                "UPDATE read_models.users SET role = 'admin'"):
        assert await refused(query, sql), sql


async def test_projections_own_the_read_models_but_not_the_log(pools):
    projection = pools["projection"]
    assert await projection.fetchval("SELECT count(*) >= 0 FROM eventlog.projection_offsets")
    for sql in ("SELECT 1 FROM eventlog.events LIMIT 1", "SELECT 1 FROM identity.credentials",
                "DELETE FROM eventlog.outbox"):
        assert await refused(projection, sql), sql


async def test_no_service_role_is_privileged(live_stack):
    admin = await asyncpg.connect(live_stack.postgres_dsn)
    try:
        rows = await admin.fetch(
            "SELECT rolname, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolinherit "
            "FROM pg_roles WHERE rolname LIKE 'soems\\_%'")
    finally:
        await admin.close()
    services = {r["rolname"]: r for r in rows if r["rolname"] != "soems_owner"}
    assert set(services) == {"soems_command", "soems_relay", "soems_projection", "soems_query",
                             "soems_auditor", "soems_documents"}  # the last: FerretDB's
    for name, row in services.items():
        assert not any(row[k] for k in ("rolsuper", "rolcreaterole", "rolcreatedb",
                                        "rolbypassrls", "rolinherit")), name


async def test_the_sealer_reads_events_and_writes_checkpoints_only(live_stack):
    from eventlog.audit import seal
    from eventlog.chain import signing_key

    auditor = await create_pool(live_stack, min_size=1, max_size=1, role="auditor")
    try:
        await seal(auditor, signing_key(live_stack.audit_signing_key), margin_seconds=0)
        for sql in ("DELETE FROM eventlog.checkpoints", "UPDATE eventlog.checkpoints SET root = ''",
                    "SELECT 1 FROM identity.credentials", "DELETE FROM eventlog.outbox",
                    "INSERT INTO eventlog.events (stream_id, stream_version, event_id, "
                    "event_type, aggregate, occurred_at, command_id, body) VALUES ('s', 1, "
                    "gen_random_uuid(), 'T', 'exam', now(), gen_random_uuid(), 'x')"):
            assert await refused(auditor, sql), sql
    finally:
        await auditor.close()
