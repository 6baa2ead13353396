"""Metrics of SOEMS's background processes: the outbox relay, projections, stream processors.

Each worker is its own process with its own registry, served by ``serve_metrics`` on
127.0.0.1 (the APIs serve theirs at ``GET /metrics`` instead). Ports are slots counted from
``settings.metrics_port_base`` (9400), so every worker of a machine has a fixed address:

    slot 0            the relay                     metrics_port(base, RELAY)
    slots 1..49       projections, in the order of  metrics_port(base, FIRST_PROJECTION
                      ``projections.all_projections()``          + index)
    slots 50..        stream processors, in the     metrics_port(base, FIRST_PROCESSOR
                      order they are listed                      + index)
    slot 90           the first judge worker        metrics_port(base, JUDGE)
    slot 91           the first notifier            metrics_port(base, NOTIFIER)

Consumer lag is what the benchmark and the alerts read: per group and partition, the messages
the broker holds that the group has not yet taken (``record_lag``), read back with ``scrape``.
"""
from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import IllegalStateError
from prometheus_client import Counter, Gauge, Histogram, start_http_server
from prometheus_client.parser import text_string_to_metric_families

RELAY, FIRST_PROJECTION, FIRST_PROCESSOR, JUDGE, NOTIFIER = 0, 1, 50, 90, 91
BATCH_BUCKETS = (1, 2, 5, 10, 25, 50, 100, 250, 500, 1000)  # the workers fetch up to 500

OUTBOX_DEPTH = Gauge("soems_outbox_depth",
                     "Outbox rows not yet published to Kafka (an upper bound: position span)")
RELAY_PUBLISH_SECONDS = Histogram(
    "soems_relay_publish_seconds", "From the outbox row's creation to Kafka's acknowledgement",
    buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60))
RELAY_BATCH_SIZE = Histogram("soems_relay_batch_size", "Outbox rows published per batch",
                             buckets=BATCH_BUCKETS)
EVENTS_PUBLISHED = Counter("soems_events_published_total", "Events the relay published",
                           ["topic"])

CONSUMER_LAG = Gauge("soems_consumer_lag", "Messages on the broker the group has not yet taken",
                     ["group", "topic", "partition"])
CONSUMER_POSITION = Gauge("soems_consumer_position", "Offset of the next message the group takes",
                          ["group", "topic", "partition"])
DLQ_MESSAGES = Counter("soems_dlq_messages_total", "Messages parked in a dead-letter topic",
                       ["consumer", "topic"])

PROJECTION_BATCH_SIZE = Histogram("soems_projection_batch_size", "Messages per projection batch",
                                  ["projection"], buckets=BATCH_BUCKETS)
PROJECTION_APPLY_SECONDS = Histogram(
    "soems_projection_apply_seconds", "Time to apply and checkpoint one batch", ["projection"],
    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
PROJECTION_EVENTS = Counter("soems_projection_events_total", "Events applied to a read model",
                            ["projection"])
OUTAGES_OUTLIVED = Counter("soems_outages_outlived_total",
                           "Times a worker lost PostgreSQL, Kafka or MongoDB and started again",
                           ["worker"])


COMMANDS = Counter("soems_commands_total", "Commands handled, by aggregate and outcome",
                   ["aggregate", "outcome"])
OUTCOMES = frozenset({"accepted", "duplicate", "refused", "conflict"})


def count_command(aggregate: str, outcome: str) -> None:
    """Count one command: accepted, duplicate (a retried Idempotency-Key), refused (a domain
    rule said no) or conflict (a stale If-Match)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown command outcome {outcome!r}; expected one of {sorted(OUTCOMES)}")
    COMMANDS.labels(aggregate, outcome).inc()


def metrics_port(base: int, service_index: int) -> int:
    """The metrics port of the worker in slot ``service_index`` (see the module docstring)."""
    port = base + service_index
    if service_index < 0 or not 1 <= port <= 65535:
        raise ValueError(f"no metrics port for slot {service_index} from base {base}")
    return port


def serve_metrics(port: int) -> None:
    """Serve this process's metrics at http://127.0.0.1:port/metrics from a daemon thread."""
    start_http_server(port, addr="127.0.0.1")


# Partitions whose lag each group reported, so a rebalance can withdraw the ones it lost:
# a stale gauge would show another member's partition as frozen at its old lag.
_reported: dict[str, set[TopicPartition]] = {}


async def record_lag(consumer: AIOKafkaConsumer, group: str) -> None:
    """Set lag = highwater - position for every partition assigned to ``consumer``.

    Costs no request: both numbers are the consumer's own, refreshed by each fetch. Call it
    after every batch, empty ones included, so a caught-up consumer shows 0.
    """
    assigned = consumer.assignment()
    previous = _reported.get(group, set())
    for tp in previous - assigned:
        for gauge in (CONSUMER_LAG, CONSUMER_POSITION):
            try:
                gauge.remove(group, tp.topic, str(tp.partition))
            except KeyError:
                pass
    fresh = set()
    for tp in assigned:
        try:
            highwater = consumer.highwater(tp)
            if highwater is None:  # nothing fetched yet: lag unknown, which is not 0
                continue
            position = await consumer.position(tp)
        except (IllegalStateError, AssertionError, KeyError):  # revoked while we looked
            continue
        labels = (group, tp.topic, str(tp.partition))
        CONSUMER_LAG.labels(*labels).set(max(highwater - position, 0))
        CONSUMER_POSITION.labels(*labels).set(position)
        fresh.add(tp)
    _reported[group] = (previous & assigned) | fresh


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    """Read a /metrics page: {(sample name, frozenset of (label, value)): value}.

    For example ``scrape("http://127.0.0.1:9401/metrics")[("soems_consumer_lag",
    frozenset({("group", "projection.users"), ("topic", "soems.identity.events"),
    ("partition", "0")}))]``.
    """
    import httpx  # here, not at the top: only the benchmark and tests scrape, and httpx
    # costs every service and replay worker ~0.15 s of start-up (python -X importtime)

    response = httpx.get(url, timeout=5.0)
    response.raise_for_status()
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples}
