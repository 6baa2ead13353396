"""Kafka as SOEMS uses it: explicit topics kept forever, idempotent keyed producers, consumer
groups that split partitions and resume from committed offsets, and compaction."""
from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from confluent_kafka import Consumer, Producer

from tests.integration.kafka_admin import create_topic, high_watermarks, topic_config

pytestmark = pytest.mark.usefixtures("live_stack")

RECORDS = 300


def keyed_records(n: int = RECORDS) -> list[tuple[bytes, bytes]]:
    # 37 distinct keys, so every partition gets some and key order matters.
    return [(f"stream-{i % 37}".encode(), f"event-{i}".encode()) for i in range(n)]


@pytest.fixture
def topic(settings, unique):
    name = f"test.kafka.{unique}"
    create_topic(settings.kafka_bootstrap, name, 3, {"retention.ms": "-1"})
    return name


def test_topic_has_three_partitions_and_infinite_retention(settings, topic):
    config = topic_config(settings.kafka_bootstrap, topic)
    assert config["retention.ms"] == "-1"
    assert len(high_watermarks(settings.kafka_bootstrap, topic)) == 3


async def test_aiokafka_idempotent_producer_writes_exactly_300(settings, topic):
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap, enable_idempotence=True, acks="all",
    )
    await producer.start()
    try:
        sent = [await producer.send(topic, value=v, key=k) for k, v in keyed_records()]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    marks = high_watermarks(settings.kafka_bootstrap, topic)
    assert sum(marks.values()) == RECORDS
    assert all(m > 0 for m in marks.values())


def test_confluent_idempotent_producer_writes_exactly_300(settings, topic):
    producer = Producer({
        "bootstrap.servers": settings.kafka_bootstrap, "enable.idempotence": True,
        "acks": "all",
    })
    errors = []
    for k, v in keyed_records():
        producer.produce(topic, value=v, key=k,
                         on_delivery=lambda err, msg: err and errors.append(err))
    assert producer.flush(30) == 0
    assert errors == []
    assert sum(high_watermarks(settings.kafka_bootstrap, topic).values()) == RECORDS


async def produce(settings, topic, records) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap,
                                enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for k, v in records:
            await producer.send(topic, value=v, key=k)
        await producer.flush()
    finally:
        await producer.stop()


def group_consumer(settings, topic, group, **extra) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic, bootstrap_servers=settings.kafka_bootstrap, group_id=group,
        auto_offset_reset="earliest", enable_auto_commit=False, **extra,
    )


async def test_two_consumers_in_one_group_split_the_partitions(settings, topic, unique):
    await produce(settings, topic, keyed_records())
    first = group_consumer(settings, topic, f"split-{unique}")
    second = group_consumer(settings, topic, f"split-{unique}")
    await first.start()
    await second.start()
    try:
        # Both poll concurrently (a member that stops polling is dropped from the group)
        # until the group has settled with every partition owned and read.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            await asyncio.gather(first.getmany(timeout_ms=200), second.getmany(timeout_ms=200))
            a = {tp.partition for tp in first.assignment()}
            b = {tp.partition for tp in second.assignment()}
            if a and b and a | b == {0, 1, 2}:
                break
    finally:
        await first.stop()
        await second.stop()
    assert a and b, "each consumer of the group owns at least one partition"
    assert a.isdisjoint(b), "no partition is owned twice"
    assert a | b == {0, 1, 2}


async def test_committed_consumer_resumes_exactly_where_it_left_off(settings, topic, unique):
    await produce(settings, topic, keyed_records())
    group = f"resume-{unique}"
    consumed: list[tuple[int, int]] = []

    # The first consumer processes exactly 100 records, commits them, and stops.
    first = group_consumer(settings, topic, group, max_poll_records=10)
    await first.start()
    committed: dict[TopicPartition, int] = {}
    try:
        while len(consumed) < 100:
            for tp, messages in (await first.getmany(timeout_ms=500)).items():
                for m in messages:
                    if len(consumed) == 100:
                        break
                    consumed.append((m.partition, m.offset))
                    committed[tp] = m.offset + 1
        await first.commit(committed)
    finally:
        await first.stop()

    # A new consumer in the same group starts at the committed offsets: no gap, no repeat.
    second = group_consumer(settings, topic, group)
    await second.start()
    first_seen: dict[int, int] = {}
    try:
        deadline = time.monotonic() + 60
        while len(consumed) < RECORDS and time.monotonic() < deadline:
            for tp, messages in (await second.getmany(timeout_ms=500)).items():
                for m in messages:
                    first_seen.setdefault(m.partition, m.offset)
                    consumed.append((m.partition, m.offset))
    finally:
        await second.stop()
    for tp, offset in committed.items():
        assert first_seen.get(tp.partition, offset) == offset
    assert len(consumed) == RECORDS
    assert len(set(consumed)) == RECORDS, "every record exactly once across the two consumers"


def read_all(settings, topic, group) -> list[tuple[bytes, bytes]]:
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    out, idle_since = [], time.monotonic()
    try:
        while time.monotonic() - idle_since < 3:
            msg = consumer.poll(0.5)
            if msg is None or msg.error():
                continue
            out.append((msg.key(), msg.value()))
            idle_since = time.monotonic()
    finally:
        consumer.close()
    return out


def test_compacted_topic_keeps_only_the_latest_value_per_key(settings, unique):
    name = f"test.compacted.{unique}"
    create_topic(settings.kafka_bootstrap, name, 1, {
        "cleanup.policy": "compact",
        # Small segments that roll quickly, so the cleaner has closed segments to compact.
        "segment.bytes": "16384",
        "segment.ms": "200",
        "min.cleanable.dirty.ratio": "0.01",
        "min.compaction.lag.ms": "0",
        "delete.retention.ms": "100",
    })
    # A batch larger than a segment is refused by the broker: keep batches small.
    producer = Producer({"bootstrap.servers": settings.kafka_bootstrap,
                         "enable.idempotence": True, "acks": "all", "batch.size": 4096})
    errors: list = []
    keys = [f"exam-{i}".encode() for i in range(10)]
    for version in range(50):
        for key in keys:
            producer.produce(name, key=key, value=f"v{version}".encode() + b"." * 200,
                             on_delivery=lambda err, msg: err and errors.append(err))
    assert producer.flush(30) == 0
    assert errors == []
    written = 50 * len(keys)
    assert sum(high_watermarks(settings.kafka_bootstrap, name).values()) == written

    deadline = time.monotonic() + 90
    records: list = []
    while time.monotonic() < deadline:
        # Keep appending to a throw-away key so the active segment rolls and the rest is
        # eligible for cleaning.
        producer.produce(name, key=b"roll", value=b"x")
        producer.flush(10)
        time.sleep(1)
        records = [(k, v) for k, v in read_all(settings, name, f"compact-{unique}-{time.time()}")
                   if k != b"roll"]
        if len(records) == len(keys):
            break
    assert len(records) < written, "the cleaner removed superseded records"
    latest = {k: v for k, v in records}
    assert sorted(latest) == sorted(keys)
    assert all(v.startswith(b"v49.") for v in latest.values())
    assert Counter(k for k, _ in records) == Counter({k: 1 for k in keys})
