"""Kafka topics are created by the project, with explicit partitions and configs.

Domain topics (one per aggregate) are kept forever: they are the log auditors replay. Each has
a ``.dlq`` companion where consumers park messages they cannot process.
"""
from __future__ import annotations

import time

from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka import KafkaError, KafkaException

from schemas.envelope import Aggregate
from settings import Settings

DOMAIN_PARTITIONS = 6
DLQ_PARTITIONS = 3
FOREVER = {"retention.ms": "-1", "retention.bytes": "-1"}


def domain_topics() -> dict[str, tuple[int, dict[str, str]]]:
    topics: dict[str, tuple[int, dict[str, str]]] = {}
    for aggregate in sorted(Aggregate.registry.values(), key=lambda a: a.name):
        topics[aggregate.topic] = (DOMAIN_PARTITIONS, FOREVER)
        topics[dlq_for(aggregate.topic)] = (DLQ_PARTITIONS, FOREVER)
    return topics


def dlq_for(topic: str) -> str:
    return f"{topic}.dlq"


# The judge's work queue (``schemas.events.grading.JUDGE_REQUESTS``): its workers share the
# requests by partition, so this many can work at once. Kept a week: the verdicts are events,
# the requests only work to do.
JUDGE_PARTITIONS = 12
JUDGE_TOPIC_CONFIG = {"retention.ms": str(7 * 24 * 3600 * 1000)}


def judge_topics() -> dict[str, tuple[int, dict[str, str]]]:
    from schemas.events.grading import JUDGE_REQUESTS
    return {JUDGE_REQUESTS: (JUDGE_PARTITIONS, JUDGE_TOPIC_CONFIG),
            dlq_for(JUDGE_REQUESTS): (DLQ_PARTITIONS, FOREVER)}


def ensure_topics(s: Settings, topics: dict[str, tuple[int, dict[str, str]]] | None = None,
                  timeout: float = 30.0) -> list[str]:
    """Create the missing topics and wait until each partition has a leader.

    Returns the names created. Existing topics are left as they are.
    """
    import schemas.events  # noqa: F401  (registers every event type, hence every aggregate)

    topics = domain_topics() if topics is None else topics
    admin = AdminClient({"bootstrap.servers": s.kafka_bootstrap})
    existing = set(admin.list_topics(timeout=10).topics)
    missing = [NewTopic(name, num_partitions=parts, replication_factor=1, config=config)
               for name, (parts, config) in topics.items() if name not in existing]
    created = []
    if missing:
        for name, future in admin.create_topics(missing, operation_timeout=15).items():
            try:
                future.result(timeout=20)
                created.append(name)
            except KafkaException as exc:  # another process created it first
                if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                    raise
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        meta = admin.list_topics(timeout=10).topics
        if all(name in meta and meta[name].error is None
               and all(p.leader >= 0 for p in meta[name].partitions.values())
               for name in topics):
            return created
        time.sleep(0.1)
    raise TimeoutError(f"topics without a leader after {timeout:.0f}s: {sorted(topics)}")


def partitions_of(s: Settings, topic: str) -> list[int]:
    """The partition numbers of an existing topic (a metadata request)."""
    meta = AdminClient({"bootstrap.servers": s.kafka_bootstrap}).list_topics(topic, timeout=10)
    found = meta.topics.get(topic)
    if found is None or found.error is not None:
        raise LookupError(f"topic {topic} does not exist")
    return sorted(found.partitions)
