"""Small synchronous Kafka admin steps the integration tests share."""
from __future__ import annotations

import time

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def create_topic(bootstrap: str, name: str, partitions: int, config: dict[str, str]) -> None:
    """Create a topic and wait until every partition has a leader.

    CreateTopics returns before a fresh broker has finished electing leaders; a request made in
    between fails with NOT_LEADER_FOR_PARTITION.
    """
    client = admin(bootstrap)  # kept referenced until the future resolves
    futures = client.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=1, config=config)],
        operation_timeout=15,
    )
    futures[name].result(timeout=20)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        topic = client.list_topics(name, timeout=10).topics[name]
        if topic.error is None and len(topic.partitions) == partitions and \
                all(p.leader >= 0 and p.error is None for p in topic.partitions.values()):
            return
        time.sleep(0.1)
    raise TimeoutError(f"topic {name} has no leader for every partition after 20s")


def topic_config(bootstrap: str, name: str) -> dict[str, str]:
    resource = ConfigResource(ConfigResource.Type.TOPIC, name)
    client = admin(bootstrap)
    entries = client.describe_configs([resource])[resource].result(timeout=10)
    return {key: entry.value for key, entry in entries.items()}


def high_watermarks(bootstrap: str, name: str) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"watermarks-{name}",
                         "enable.auto.commit": False})
    try:
        partitions = consumer.list_topics(name, timeout=10).topics[name].partitions
        return {p: _high_watermark(consumer, name, p) for p in partitions}
    finally:
        consumer.close()


_MOVING_LEADERSHIP = {
    KafkaError.NOT_LEADER_FOR_PARTITION, KafkaError.LEADER_NOT_AVAILABLE,
    KafkaError.UNKNOWN_TOPIC_OR_PART,
}


def _high_watermark(consumer: Consumer, name: str, partition: int) -> int:
    deadline = time.monotonic() + 20
    while True:
        try:
            return consumer.get_watermark_offsets(TopicPartition(name, partition), timeout=10)[1]
        except KafkaException as exc:  # leadership still moving after a (re)start
            if exc.args[0].code() not in _MOVING_LEADERSHIP or time.monotonic() > deadline:
                raise
            time.sleep(0.2)
