"""The faust App every SOEMS stream processor registers its agents and tables on.

State lives in memory and in Kafka changelog topics (``store="memory://"``): a worker that
starts, on any host and with an empty data directory, rebuilds its tables from the changelogs
before it processes anything. Processing is at-least-once, so every processor keeps its state
and output idempotent.

The app declares no topic itself (``topic_allow_declare=False``): it creates the ones it owns
(changelogs, outputs, DLQs) with the project's admin client, with explicit partitions and
configs, when the worker starts and before the consumer subscribes. (faust-streaming 0.11.3
could not create topics at all here: it sent Metadata v1 / CreateTopics v1 request structs
that aiokafka 0.14 no longer accepts and Kafka 4.0 no longer serves, KIP-896; 0.15 fixed it.)

Known hazard seen with faust-streaming 0.11.3 (upstream issues 596 and 606): when a worker
finishes recovering its tables it resumes the stream partitions before seeking them to the
committed offsets; records fetched in between can be dropped and their offsets committed as a
"gap". Not seen with 0.15.3 (its tests start workers behind a backlog of ~1,000 events);
watch for it, and move to a plain consumer that stores its offsets with its state if it shows.
"""
from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.transport.drivers import aiokafka as faust_kafka
from faust.types import EventT, StreamT

from eventlog.projection import DeadLetters
from eventlog.topics import DLQ_PARTITIONS, FOREVER, dlq_for, ensure_topics
from schemas import codec
from schemas.envelope import Aggregate, RecordedEvent
from settings import get_settings

APP_ID = "soems-processors"
# Only the supervisor of this worker cares about its web port (health, table views), so it is
# an environment variable rather than a SOEMS setting; a second worker on one host (a test
# beside a running one) needs another port. faust reads the same variable (env_prefix below).
WEB_PORT = int(os.environ.get("SOEMS_FAUST_WEB_PORT", "16066"))
COMPACT = {"cleanup.policy": "compact"}
# A worker reads its tables' changelogs whole at every start (memory store). Kafka never
# compacts the open segment, so small segments keep that read close to one value per key.
CHANGELOG = {**COMPACT, "segment.bytes": str(16 * 2**20)}

log = logging.getLogger("soems.stream_processors")

# faust's consumer asks the broker for records with aiokafka's default fetch_min_bytes=1: every
# autosave on the attempts topic ended a fetch and started the next, each crossing faust's
# consumer thread and its event loop. In a 600-student exam-day run that busy loop cost the
# worker 20 CPU seconds (and Kafka 10) to skip saves it never decodes. Waiting for 64 KiB, or
# FETCH_MAX_WAIT_MS when less comes, makes it one fetch per batch of saves. faust's own wait
# (1.5 s) held every submission that long before auto-grading saw it (measured: grades
# readable 1.7 s after a burst of submissions, p50); 250 ms is at most 4 fetches a second
# when the topics are quiet. The deadline timer does not wait on fetches at all.
FETCH_MIN_BYTES = 64 * 1024
FETCH_MAX_WAIT_MS = 250


class _BatchFetchingThread(faust_kafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        # faust has no setting for it; aiokafka hands this to its fetcher at start() (a
        # private attribute: check it when upgrading aiokafka or faust).
        consumer._fetch_min_bytes = FETCH_MIN_BYTES
        consumer._fetch_max_wait_ms = FETCH_MAX_WAIT_MS
        return consumer


class _BatchFetchingConsumer(faust_kafka.Consumer):
    def _new_consumer_thread(self) -> faust_kafka.AIOKafkaConsumerThread:
        return _BatchFetchingThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(faust_kafka.Transport):
    Consumer = _BatchFetchingConsumer


class ProcessorApp(faust.App):
    """faust.App that creates the topics it owns before its consumer subscribes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._owned_topics: dict[str, tuple[int, dict[str, str]]] = {}
        self._dead_letters: DeadLetters | None = None

    def _new_transport(self) -> faust_kafka.Transport:
        return _Transport(self.conf.broker_consumer, self)

    def source_topic(self, aggregate: Aggregate) -> faust.TopicT:
        """An aggregate's topic to read (the project's topic setup creates it) whose poison
        messages go to its DLQ, which this app creates if missing."""
        self._owned_topics[dlq_for(aggregate.topic)] = (DLQ_PARTITIONS, FOREVER)
        return self.topic(aggregate.topic, key_serializer="raw", value_serializer="raw")

    def owned_topic(self, name: str, partitions: int, config: dict[str, str],
                    **options) -> faust.TopicT:
        """A topic this app writes and creates at start with these partitions and config."""
        self._owned_topics[name] = (partitions, config)
        return self.topic(name, partitions=partitions, **options)

    def dead_letters(self) -> DeadLetters:
        """The same DLQ writer as the projections' (idempotent, acks=all, the same headers),
        on a producer of its own made on the first poison message."""
        if self._dead_letters is None:
            self._dead_letters = DeadLetters(get_settings().kafka_bootstrap, APP_ID)
        return self._dead_letters

    async def on_stop(self) -> None:
        if self._dead_letters is not None:
            await self._dead_letters.stop()
        await super().on_stop()

    async def on_first_start(self) -> None:
        # faust makes the datadir without its parents (<home>/faust may not exist yet).
        self.conf.datadir.parent.mkdir(parents=True, exist_ok=True)
        await super().on_first_start()
        topics = dict(self._owned_topics)
        for table in self.tables.values():
            topics[table.changelog_topic.get_topic_name()] = (table.partitions, CHANGELOG)
        created = await asyncio.to_thread(ensure_topics, get_settings(), topics)
        if created:
            log.info("created topics %s", ", ".join(sorted(created)))


def _create_app() -> ProcessorApp:
    settings = get_settings()
    return ProcessorApp(
        APP_ID,
        broker=f"kafka://{settings.kafka_bootstrap}",
        store="memory://",
        datadir=str(settings.home / "faust" / APP_ID),
        web_bind="127.0.0.1",
        web_host="127.0.0.1",
        web_port=WEB_PORT,
        topic_replication_factor=1,
        topic_allow_declare=False,  # see the module docstring; ProcessorApp creates them
        # The leader-election topic only serves app.timer(on_leader=True); none is used, and
        # faust could not create it (topic_allow_declare is off).
        topic_disable_leader=True,
        # acks=all. faust-streaming turns on producer idempotence only inside exactly-once
        # transactions; at-least-once outputs here are idempotent by construction instead.
        producer_acks=-1,
        # Batch what the processors emit (re-keyed publications, counts) for 10 ms rather
        # than a produce request per message: measured as faust's largest CPU cost.
        producer_linger=0.01,
        consumer_auto_offset_reset="earliest",
        # A worker that dies without leaving its group holds its partitions until its session
        # expires; faust's default (60 s) would stall a restarted worker that long.
        broker_session_timeout=10.0,
        key_serializer="raw",
        value_serializer="raw",
        # faust lets environment variables override any setting (WEB_PORT, BROKER_URL,
        # TIMEZONE, ...); only SOEMS_FAUST_<SETTING> ones should reach this worker.
        env_prefix="SOEMS_FAUST",
    )


app = _create_app()
# Prometheus metrics (events, lag, commit latency per topic) at /metrics on the worker's web
# port, from faust's own sensor.
setup_prometheus_sensors(app, name_prefix="soems_processors")


async def decoded_events(stream: StreamT,
                         only: tuple[type, ...] = ()) -> AsyncIterator[RecordedEvent]:
    """The events of a stream of Avro messages (``only`` these types, when given: the others
    are skipped from the message's schema fingerprint alone, never decoded).

    A message that does not decode is parked in ``<topic>.dlq`` with the same key, the
    original bytes and headers saying why and where it came from; the stream goes on.
    """
    async for _, recorded in decoded_messages(stream, only):
        yield recorded


async def decoded_messages(stream: StreamT, only: tuple[type, ...] = ()
                           ) -> AsyncIterator[tuple[EventT, RecordedEvent]]:
    """As ``decoded_events``, with each event's message (for an agent that may park it)."""
    wanted = {cls.event_type() for cls in only}
    async for event in stream.events():
        try:
            if wanted and codec.peek_event_type(event.value) not in wanted:
                continue
            recorded = codec.decode(event.value)
        except codec.DecodeError as exc:
            await park(event, exc)
            continue
        yield event, recorded


async def decoded_batches(stream: StreamT, only: tuple[type, ...], max_: int, within: float
                          ) -> AsyncIterator[list[tuple[EventT, RecordedEvent]]]:
    """As ``decoded_messages``, a batch at a time: up to ``max_`` messages, or what came
    within ``within`` seconds (the ones of ``only`` types kept). The batch's offsets are
    committed once the consumer asks for the next batch: process it before."""
    wanted = {cls.event_type() for cls in only}
    async for events in stream.take_events(max_, within=within):
        batch = []
        for event in events:
            try:
                if codec.peek_event_type(event.value) not in wanted:
                    continue
                batch.append((event, codec.decode(event.value)))
            except codec.DecodeError as exc:
                await park(event, exc)
        if batch:
            yield batch


async def park(event: EventT, error: Exception) -> None:
    # Awaited until written: the message is acknowledged (its offset committed) after this.
    await app.dead_letters().park(event.message, error)
