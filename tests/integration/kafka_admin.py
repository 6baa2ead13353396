"""Small synchronous Kafka admin steps the integration tests share."""
from __future__ import annotations

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic


def admin(bootstrap: str) -> AdminClient:
    return AdminClient({"bootstrap.servers": bootstrap})


def create_topic(bootstrap: str, name: str, partitions: int, config: dict[str, str]) -> None:
    client = admin(bootstrap)  # kept referenced until the future resolves
    futures = client.create_topics(
        [NewTopic(name, num_partitions=partitions, replication_factor=1, config=config)],
        operation_timeout=15,
    )
    futures[name].result(timeout=20)


def topic_config(bootstrap: str, name: str) -> dict[str, str]:
    resource = ConfigResource(ConfigResource.Type.TOPIC, name)
    client = admin(bootstrap)
    entries = client.describe_configs([resource])[resource].result(timeout=10)
    return {key: entry.value for key, entry in entries.items()}


def high_watermarks(bootstrap: str, name: str) -> dict[int, int]:
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"watermarks-{name}",
                         "enable.auto.commit": False})
    try:
        meta = consumer.list_topics(name, timeout=10).topics[name]
        return {p: consumer.get_watermark_offsets(TopicPartition(name, p), timeout=10)[1]
                for p in meta.partitions}
    finally:
        consumer.close()
