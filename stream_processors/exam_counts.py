"""Teacher analytics: how many distinct exams each teacher has published.

The count is kept per teacher in the table ``teacher_published_exams`` (the set of exam ids, so
a redelivered ``ExamPublished`` changes nothing), and every update is emitted to the compacted
topic ``soems.analytics.teacher_exam_counts``, keyed by teacher id, as JSON
``{"teacher_id", "published_exams", "last_event_id"}``.

Exam events are keyed by exam stream, but a faust table shard is fed by the source partition
of the same number (the changelog partition is the source partition). So publications are
first re-keyed by teacher id onto an internal topic, and the table is updated from there: all
of a teacher's exams land in one shard, whichever worker holds it.

A teacher's set is split into ``BUCKETS`` table values by a hash of the exam id (key
``<teacher>|<bucket>``), each written whole to the changelog when one of its exams is added:
the count is the sum of the buckets' sizes, never stored apart, so set and count can never
disagree, and a value stays small however many exams a teacher publishes (one value per
teacher crashed the worker at 30,000 exams: a changelog message over Kafka's 1 MB limit).
Values written under the bare teacher id by the earlier layout are still read, as one more
bucket.
"""
from __future__ import annotations

import zlib

import faust

from eventlog.topics import DOMAIN_PARTITIONS
from schemas.events.exam import EXAM, ExamPublished
from stream_processors.app import APP_ID, COMPACT, app, decoded_events

TEACHER_EXAM_COUNTS = "soems.analytics.teacher_exam_counts"
EXAM_PUBLICATIONS_BY_TEACHER = f"{APP_ID}-exam-publications-by-teacher"
# Shards of the table: the partitions of the re-keyed topic that feeds it.
TEACHER_SHARDS = DOMAIN_PARTITIONS
BUCKETS = 64  # per teacher: 1,000,000 exams would make ~600 KB values


class ExamPublication(faust.Record, serializer="json"):
    """One exam publication, re-keyed by its teacher."""

    teacher_id: str
    exam_id: str
    event_id: str


class TeacherPublishedExams(faust.Record, serializer="json"):
    exam_ids: list[str]
    # The event that last added an exam to this bucket, and the teacher's count just after
    # it: the bucket with the highest rank names the count's provenance.
    last_event_id: str
    rank: int = 0


exam_events = app.source_topic(EXAM)
exam_publications_by_teacher = app.owned_topic(
    # Broker default retention: it only carries publications until they are counted.
    EXAM_PUBLICATIONS_BY_TEACHER, TEACHER_SHARDS, {},
    key_serializer="raw", value_type=ExamPublication, internal=True)
teacher_exam_counts = app.owned_topic(
    TEACHER_EXAM_COUNTS, 3, COMPACT, key_serializer="raw", value_serializer="json")

teacher_published_exams = app.Table(
    "teacher_published_exams", partitions=TEACHER_SHARDS, key_type=str,
    value_type=TeacherPublishedExams)


@app.agent(exam_events)
async def route_exam_publications(messages):
    async for recorded in decoded_events(messages, only=(ExamPublished,)):
        published = recorded.payload
        if isinstance(published, ExamPublished):
            await exam_publications_by_teacher.send(
                key=published.teacher_id,
                value=ExamPublication(teacher_id=published.teacher_id,
                                      exam_id=published.exam_id,
                                      event_id=str(recorded.envelope.event_id)))


def bucket_key(teacher_id: str, exam_id: str) -> str:
    return f"{teacher_id}|{zlib.crc32(exam_id.encode()) % BUCKETS}"


def teacher_buckets(teacher_id: str) -> dict[str, TeacherPublishedExams]:
    """A teacher's buckets by key. Read from the table's store: a read through the table only
    adds a call to faust's sensors, and these 65 reads a publication (twice, before) were
    most of this worker's CPU under bench/commands.py."""
    store = teacher_published_exams.data
    keys = [teacher_id] + [f"{teacher_id}|{b}" for b in range(BUCKETS)]  # earlier layout first
    return {key: held for key in keys if (held := store.get(key)) is not None}


@app.agent(exam_publications_by_teacher)
async def count_published_exams(publications):
    async for publication in publications:
        teacher_id, exam_id = publication.teacher_id, publication.exam_id
        buckets = teacher_buckets(teacher_id)
        counted = sum(len(b.exam_ids) for b in buckets.values())
        key = bucket_key(teacher_id, exam_id)
        # An exam can only be in its own bucket, or in the earlier layout's single value.
        if not any(exam_id in buckets[k].exam_ids for k in (key, teacher_id) if k in buckets):
            held = buckets.get(key)
            held = TeacherPublishedExams(
                exam_ids=sorted({*(held.exam_ids if held else ()), exam_id}),
                last_event_id=publication.event_id, rank=counted + 1)
            teacher_published_exams[key] = buckets[key] = held
            counted += 1
        latest = max(buckets.values(), key=lambda b: b.rank)
        # Emitted for a publication already counted too: after a crash between the table
        # update and this send, the redelivery still emits. The same state gives the same
        # message, so a duplicate is harmless on the compacted topic.
        await teacher_exam_counts.send(key=teacher_id, value={
            "teacher_id": teacher_id,
            "published_exams": counted,
            "last_event_id": latest.last_event_id})
