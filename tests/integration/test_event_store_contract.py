"""One contract, two event stores: the in-memory store and PostgreSQL keep the same promises
(idempotent commands, 409 on a stale version, outbox order, snapshots, one winner of a race).
The PostgreSQL half runs against the real local stack."""
from __future__ import annotations

import asyncio
import uuid

import pytest

from command_api.exams.decider import DraftExam, ExamContent, UpdateExam, exam_decider
from command_api.handling import Decider, ReadStates, handle, load_state
from eventlog.memory import InMemoryEventStore
from eventlog.postgres import create_pool
from eventlog.relay import RELAY_LOCK
from eventlog.store import (CommandContext, ConcurrencyError, DuplicateCommand,
                            PostgresEventStore, Snapshot)
from schemas.envelope import Actor
from schemas.refusals import Invalid
from schemas.events.exam import EXAM, ExamDrafted, ExamUpdated

TEACHER = Actor(user_id="t-contract", role="teacher")


@pytest.fixture(params=["memory", "postgres"])
async def store(request):
    if request.param == "memory":
        yield InMemoryEventStore()
        return
    settings = request.getfixturevalue("live_stack")
    pool = await create_pool(settings, min_size=1, max_size=4)  # migrated by the stack
    try:
        yield PostgresEventStore(pool)
    finally:
        await pool.close()


def ctx(command_id: uuid.UUID | None = None) -> CommandContext:
    return CommandContext(command_id=command_id or uuid.uuid4(), actor=TEACHER)


def drafted(exam_id: str, title: str = "Algebra") -> ExamDrafted:
    return ExamDrafted(exam_id=exam_id, teacher_id=TEACHER.user_id, title=title, description="",
                       instructions="", duration_minutes=60)


def updated(exam_id: str, title: str) -> ExamUpdated:
    return ExamUpdated(exam_id=exam_id, title=title, description="", instructions="",
                       duration_minutes=60)


def new_exam() -> tuple[str, str]:
    exam_id = f"contract-{uuid.uuid4().hex[:12]}"
    return exam_id, EXAM.stream_id(exam_id)


async def test_appended_events_load_back_in_order_with_their_versions(store):
    exam_id, stream = new_exam()
    await store.append(stream, 0, [drafted(exam_id)], ctx(), {"ok": 1})
    await store.append(stream, 1, [updated(exam_id, "B"), updated(exam_id, "C")], ctx(), {})
    loaded = await store.load(stream)
    assert loaded.version == 3 and loaded.snapshot is None
    assert [e.envelope.stream_version for e in loaded.events] == [1, 2, 3]
    assert [getattr(e.payload, "title") for e in loaded.events] == ["Algebra", "B", "C"]
    assert loaded.events[0].envelope.actor == TEACHER


async def test_several_streams_load_in_one_read_in_the_order_asked(store):
    (one, first), (two, second), (_, missing) = new_exam(), new_exam(), new_exam()
    await store.append(first, 0, [drafted(one, "A")], ctx(), {})
    await store.append(second, 0, [drafted(two, "B"), updated(two, "B2")], ctx(), {},
                       snapshot=Snapshot("exam:v1", 2, b'{"s": 2}'))
    loaded = await store.load_many([second, missing, first])
    assert [(s.stream_id, s.version, len(s.events)) for s in loaded] == [
        (second, 2, 2), (missing, 0, 0), (first, 1, 1)]  # whole streams: no snapshots
    assert [getattr(e.payload, "title") for e in loaded[0].events] == ["B", "B2"]


async def test_a_streams_version_is_known_without_loading_it(store):
    exam_id, stream = new_exam()
    assert await store.version_of(stream) == 0
    await store.append(stream, 0, [drafted(exam_id)], ctx(), {})
    await store.append(stream, 1, [updated(exam_id, "B"), updated(exam_id, "C")], ctx(), {},
                       snapshot=Snapshot("exam:v1", 3, b'{"s": 3}'))
    assert await store.version_of(stream) == 3


async def test_a_retried_command_returns_its_first_outcome_and_appends_nothing(store):
    exam_id, stream = new_exam()
    command_id = uuid.uuid4()
    await store.append(stream, 0, [drafted(exam_id)], ctx(command_id), {"exam_id": exam_id})
    with pytest.raises(DuplicateCommand) as dup:
        await store.append(stream, 1, [updated(exam_id, "again")], ctx(command_id), {"x": 2})
    assert dup.value.outcome == {"exam_id": exam_id}
    assert await store.outcome_of(command_id) == {"exam_id": exam_id}
    assert (await store.load(stream)).version == 1


async def test_a_load_for_a_handled_command_gives_its_outcome_and_nothing_else(store):
    exam_id, stream = new_exam()
    command_id = uuid.uuid4()
    await store.append(stream, 0, [drafted(exam_id)], ctx(command_id), {"exam_id": exam_id})
    retried = await store.load(stream, "exam:v1", command_id)
    assert retried.earlier_outcome == {"exam_id": exam_id} and retried.events == []
    fresh = await store.load(stream, "exam:v1", uuid.uuid4())
    assert fresh.earlier_outcome is None and fresh.version == 1 and len(fresh.events) == 1


async def test_a_handled_command_keeps_the_digest_of_its_request(store):
    exam_id, stream = new_exam()
    command_id, digest = uuid.uuid4(), b"\x01" * 32
    first = CommandContext(command_id=command_id, actor=TEACHER, request_digest=digest)
    await store.append(stream, 0, [drafted(exam_id)], first, {"exam_id": exam_id})
    assert (await store.load(stream, "exam:v1", command_id)).earlier_request_digest == digest
    with pytest.raises(DuplicateCommand) as dup:
        await store.append(stream, 1, [], CommandContext(command_id=command_id, actor=TEACHER,
                                                         request_digest=b"\x02" * 32), {})
    assert dup.value.request_digest == digest


async def test_the_same_key_on_another_request_is_refused_not_answered(store):
    exam_id = f"contract-{uuid.uuid4().hex[:12]}"
    command_id = uuid.uuid4()

    def attempt(title: str, digest: bytes):
        return handle(store, exam_decider, exam_id,
                      DraftExam(exam_id, TEACHER, ExamContent(title, "", "", 60, None, None)),
                      CommandContext(command_id=command_id, actor=TEACHER,
                                     request_digest=digest),
                      lambda state: {"title": state.content.title})

    assert await attempt("First", b"a" * 32) == {"title": "First", "version": 1}
    assert await attempt("First", b"a" * 32) == {"title": "First", "version": 1}
    with pytest.raises(Invalid) as refused:
        await attempt("Second", b"b" * 32)
    assert (refused.value.code, refused.value.field) == ("idempotency_key_reused",
                                                         "Idempotency-Key")


async def test_a_stale_version_is_a_conflict_and_writes_nothing(store):
    exam_id, stream = new_exam()
    await store.append(stream, 0, [drafted(exam_id)], ctx(), {})
    command_id = uuid.uuid4()
    with pytest.raises(ConcurrencyError) as conflict:
        await store.append(stream, 0, [drafted(exam_id)], ctx(command_id), {})
    assert conflict.value.kind == "conflict" and conflict.value.expected == 0
    assert await store.outcome_of(command_id) is None  # the command may be retried
    assert (await store.load(stream)).version == 1


async def test_of_two_concurrent_writers_of_one_version_exactly_one_wins(store):
    exam_id, stream = new_exam()
    await store.append(stream, 0, [drafted(exam_id)], ctx(), {})
    results = await asyncio.gather(
        *[store.append(stream, 1, [updated(exam_id, f"v{i}")], ctx(), {}) for i in range(5)],
        return_exceptions=True)
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, ConcurrencyError) for r in results if isinstance(r, Exception))
    assert (await store.load(stream)).version == 2


async def test_the_outbox_holds_every_event_in_commit_order_until_published(store):
    if isinstance(store, PostgresEventStore) and await store.pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = $1",
            RELAY_LOCK % 2**32):
        pytest.skip("a relay is running (`make run`?): it publishes the outbox as we read it")
    streams = [new_exam() for _ in range(3)]
    for exam_id, stream in streams:
        await store.append(stream, 0, [drafted(exam_id)], ctx(), {})
    exam_id, stream = streams[0]
    await store.append(stream, 1, [updated(exam_id, "B"), updated(exam_id, "C")], ctx(), {})
    ours = {s for _, s in streams}
    pending = [r for r in await store.pending_outbox(100_000) if r.key in ours]
    assert [(r.key, r.event_type) for r in pending] == [
        (streams[0][1], "ExamDrafted"), (streams[1][1], "ExamDrafted"),
        (streams[2][1], "ExamDrafted"), (stream, "ExamUpdated"), (stream, "ExamUpdated")]
    assert {r.topic for r in pending} == {EXAM.topic}
    assert pending == sorted(pending, key=lambda r: r.position)
    await store.mark_published([pending[0].position, pending[2].position])
    left = [r for r in await store.pending_outbox(100_000) if r.key in ours]
    assert [r.position for r in left] == [pending[1].position, *[r.position for r in pending[3:]]]
    await store.mark_published([r.position for r in left])


async def test_a_load_starts_at_the_snapshot_of_its_kind(store):
    exam_id, stream = new_exam()
    await store.append(stream, 0, [drafted(exam_id), updated(exam_id, "B")], ctx(), {},
                       snapshot=Snapshot("exam:v1", 2, b'{"s": 2}'))
    await store.append(stream, 2, [updated(exam_id, "C")], ctx(), {})
    loaded = await store.load(stream, "exam:v1")
    assert loaded.snapshot == Snapshot("exam:v1", 2, b'{"s": 2}')
    assert [e.envelope.stream_version for e in loaded.events] == [3] and loaded.version == 3
    other_kind = await store.load(stream, "exam:v2")
    assert other_kind.snapshot is None and len(other_kind.events) == 3
    # An older snapshot never replaces a newer one.
    await store.append(stream, 3, [updated(exam_id, "D")], ctx(), {},
                       snapshot=Snapshot("exam:v1", 1, b'{"s": 1}'))
    assert (await store.load(stream, "exam:v1")).snapshot.version == 2


async def test_a_snapshot_at_the_head_loads_with_no_events(store):
    exam_id, stream = new_exam()
    await store.append(stream, 0, [drafted(exam_id)], ctx(), {},
                       snapshot=Snapshot("exam:v1", 1, b"{}"))
    loaded = await store.load(stream, "exam:v1")
    assert loaded.version == 1 and loaded.events == [] and loaded.snapshot.version == 1


async def test_handling_with_snapshots_gives_the_state_of_a_full_fold(store):
    every_third = Decider(EXAM, exam_decider.initial, exam_decider.decide, exam_decider.evolve,
                          snapshot_every=3)
    exam_id, stream = new_exam()
    content = ExamContent("T0", "", "", 60)
    await handle(store, every_third, exam_id, DraftExam(exam_id, TEACHER, content), ctx(),
                 lambda s: {})
    for i in range(1, 11):
        outcome = await handle(
            store, every_third, exam_id,
            UpdateExam(exam_id, TEACHER, ExamContent(f"T{i}", "", "", 60 + i)), ctx(),
            lambda s: {"title": s.content.title})
        assert outcome == {"title": f"T{i}", "version": i + 1}
    loaded = await store.load(stream, every_third.snapshot_kind)
    assert loaded.snapshot is not None and loaded.snapshot.version == 9
    assert len(loaded.events) == 2
    state, version = await load_state(store, every_third, exam_id)
    full = exam_decider.fold([e.payload for e in (await store.load(stream)).events])
    assert state == full and version == 11
    assert state.content.title == "T10" and state.content.duration_minutes == 70


async def test_several_new_streams_start_as_one_command(store):
    exams = [new_exam() for _ in range(3)]
    command_id = uuid.uuid4()
    streams = [(stream, [drafted(exam_id, f"Import {i}")] + ([updated(exam_id, "B")] if i else []))
               for i, (exam_id, stream) in enumerate(exams)]
    recorded = await store.start_streams(streams, ctx(command_id), {"imported": 3})
    assert [(e.envelope.stream_id, e.envelope.stream_version) for e in recorded] == [
        (exams[0][1], 1), (exams[1][1], 1), (exams[1][1], 2), (exams[2][1], 1), (exams[2][1], 2)]
    assert [(await store.load(stream)).version for _, stream in exams] == [1, 2, 2]
    assert await store.outcome_of(command_id) == {"imported": 3}
    with pytest.raises(DuplicateCommand) as dup:  # a retry stores nothing more
        await store.start_streams(streams, ctx(command_id), {"imported": 99})
    assert dup.value.outcome == {"imported": 3}
    assert [(await store.load(stream)).version for _, stream in exams] == [1, 2, 2]


async def test_streams_started_together_may_each_name_their_own_cause(store):
    """A batch of gradings is one command; each grading's events name the submission that
    caused them (the audit follows each one back), the others the command's own cause."""
    (one, first), (two, second) = new_exam(), new_exam()
    submitted, command_cause = uuid.uuid4(), uuid.uuid4()
    context = CommandContext(command_id=uuid.uuid4(), actor=TEACHER,
                             causation_id=command_cause)
    await store.start_streams([(first, [drafted(one)]), (second, [drafted(two)])], context,
                              {}, causes={second: submitted})
    assert (await store.load(first)).events[0].envelope.causation_id == command_cause
    assert (await store.load(second)).events[0].envelope.causation_id == submitted


async def test_starting_a_stream_that_exists_writes_nothing(store):
    existing_id, existing = new_exam()
    await store.append(existing, 0, [drafted(existing_id)], ctx(), {})
    fresh_id, fresh = new_exam()
    command_id = uuid.uuid4()
    with pytest.raises(ConcurrencyError):
        await store.start_streams([(fresh, [drafted(fresh_id)]), (existing, [drafted(existing_id)])],
                                  ctx(command_id), {})
    assert (await store.load(fresh)).version == 0
    assert (await store.load(existing)).version == 1
    assert await store.outcome_of(command_id) is None


async def test_new_entities_are_created_as_one_command_and_a_retry_changes_nothing(store):
    from command_api.handling import handle_new_entities

    exams = [new_exam()[0] for _ in range(2)]
    context = ctx()
    commands = [(exam_id, DraftExam(exam_id, TEACHER, ExamContent("Imported", "", "", 30)))
                for exam_id in exams]
    outcome = {"exam_ids": exams}
    assert await handle_new_entities(store, exam_decider, commands, context, outcome) == outcome
    assert await handle_new_entities(store, exam_decider, commands, context, {"x": 1}) == outcome
    states = [await load_state(store, exam_decider, exam_id) for exam_id in exams]
    assert [(state.content.title, version) for state, version in states] == [("Imported", 1)] * 2
    refused = [(new_exam()[0], DraftExam("x", Actor(user_id="s", role="student"),
                                         ExamContent("No", "", "", 30)))]
    with pytest.raises(Exception) as refusal:
        await handle_new_entities(store, exam_decider, refused, ctx(), {})
    assert getattr(refusal.value, "code", None) == "not_a_teacher"


async def test_a_read_state_is_served_while_its_stream_is_unchanged(store):
    exams = ReadStates(exam_decider)
    exam_id, stream = new_exam()
    await store.append(stream, 0, [drafted(exam_id)], ctx(), {})
    first, version = await exams.load(store, exam_id)
    again, _ = await exams.load(store, exam_id)
    assert version == 1 and again is first  # the same state: nothing loaded or decoded
    await store.append(stream, 1, [updated(exam_id, "Geometry")], ctx(), {})
    changed, version = await exams.load(store, exam_id)
    assert version == 2 and changed.content.title == "Geometry"
    assert changed == (await load_state(store, exam_decider, exam_id))[0]
