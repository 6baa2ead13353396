"""A judge worker: takes judge requests from Kafka and runs the programs in the sandbox.

Every worker joins one consumer group on the judge requests topic (``JUDGE_REQUESTS``), so an
operator scales the judge by starting more workers (up to the topic's partitions), on any
host with bubblewrap. Each worker reads requests ahead into its ``FairQueue`` (exams served in
turn) and runs ``concurrency`` programs at once, one sandbox slot (its own uid) per runner.

A run that fails for a reason outside the program (the sandbox could not start, the
database is away) is tried again with back-off; after the last try, or for a request that
cannot be judged at all (its question has no tests), the request is parked in the topic's DLQ
for an operator, and the worker goes on. A student's program never stops the worker: whatever
it does is a verdict.
"""
from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, suppress
from datetime import datetime, timezone

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from prometheus_client import Counter, Gauge, Histogram

from command_api.grading.judge import judge_request
from eventlog.metrics import record_lag
from eventlog.postgres import create_pool
from eventlog.projection import DeadLetters
from eventlog.store import PostgresEventStore
from eventlog.topics import ensure_topics, judge_topics
from schemas import codec
from schemas.events.grading import JUDGE_REQUESTS, JudgeRequested
from schemas.refusals import DomainError
from security.personal_data import PersonalData
from settings import Settings
from stream_processors.judge.judging import JudgeTest, Verdict, judge
from stream_processors.judge.queue import FairQueue, Job, Offsets
from stream_processors.judge.sandbox import Limits, Sandbox

log = logging.getLogger("soems.judge")

GROUP = "soems.judge"
BACK_OFF_SECONDS = (0.5, 1, 2, 4, 8)  # then the request goes to the DLQ
COMMIT_EVERY_SECONDS = 1.0

JUDGED = Counter("soems_judge_requests_total", "Judge requests finished, by outcome",
                 ["outcome"])
WAITING = Gauge("soems_judge_waiting", "Judge requests read ahead and waiting for a runner")
WAITING_EXAMS = Gauge("soems_judge_waiting_exams", "Exams with judge requests waiting")
RUN_SECONDS = Histogram("soems_judge_run_seconds", "Sandbox time to judge one program",
                        buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
WAIT_SECONDS = Histogram("soems_judge_wait_seconds",
                         "From a program's request to the start of its run",
                         buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300))


def concurrency(s: Settings) -> int:
    return s.judge_concurrency or os.cpu_count() or 1


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, worker: "JudgeWorker") -> None:
        self.worker = worker

    async def on_partitions_revoked(self, revoked) -> None:
        await self.worker.commit()  # what is finished stays finished for the next owner
        self.worker.queue.drop(set(revoked))
        self.worker.offsets.forget(set(revoked))

    async def on_partitions_assigned(self, assigned) -> None:
        pass


class JudgeWorker:
    def __init__(self, s: Settings, runners: int | None = None) -> None:
        self.settings = s
        self.runners = runners or concurrency(s)
        self.queue = FairQueue()
        self.offsets = Offsets()
        self.consumer: AIOKafkaConsumer | None = None
        self._threads = ThreadPoolExecutor(self.runners, thread_name_prefix="judge")
        self._paused = False
        self.dead_letters: DeadLetters | None = None
        # Each runner its own sandbox slot (its own uid when root: the process limit counts
        # per uid); two workers on one host get different slots from their pids.
        base = (os.getpid() % 1000) * 64
        self._sandboxes = [Sandbox(slot=base + i) for i in range(self.runners)]

    async def run(self, stop: asyncio.Event) -> None:
        s = self.settings
        await asyncio.to_thread(ensure_topics, s, judge_topics())
        # A start that fails half-way (Kafka away) releases what it made: the outage loop
        # starts a new worker.
        async with AsyncExitStack() as cleanup:
            cleanup.callback(self._threads.shutdown, wait=False, cancel_futures=True)
            pool = await create_pool(s, min_size=1, max_size=self.runners, role="command",
                                     reset_sessions=False)
            cleanup.push_async_callback(pool.close)
            store, personal = PostgresEventStore(pool), PersonalData(pool, s.personal_data_key)
            self.dead_letters = dead_letters = DeadLetters(s.kafka_bootstrap, GROUP)
            cleanup.push_async_callback(dead_letters.stop)
            self.consumer = AIOKafkaConsumer(
                bootstrap_servers=s.kafka_bootstrap, group_id=GROUP, enable_auto_commit=False,
                auto_offset_reset="earliest", max_poll_records=500,
                # A run can take a minute; the heartbeat thread keeps the membership.
                session_timeout_ms=10_000, max_poll_interval_ms=600_000)
            self.consumer.subscribe([JUDGE_REQUESTS], listener=_Rebalance(self))
            await self.consumer.start()
            cleanup.push_async_callback(self.consumer.stop)
            tasks = [asyncio.create_task(self._runner(i, store, personal, dead_letters))
                     for i in range(self.runners)]
            tasks.append(asyncio.create_task(self._committer(stop)))
            log.info("judge worker: %d runners on %s", self.runners, JUDGE_REQUESTS)
            try:
                await self._fetch(stop)
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with suppress(asyncio.CancelledError):
                        await task
                with suppress(Exception):
                    await self.commit()

    async def _fetch(self, stop: asyncio.Event) -> None:
        bound = self.settings.judge_read_ahead
        while not stop.is_set():
            fetching = keep_fetching(len(self.queue), bound, not self._paused)
            if fetching == self._paused:  # the state changes
                if fetching:
                    self.consumer.resume(*self.consumer.assignment())
                else:
                    self.consumer.pause(*self.consumer.assignment())
                self._paused = not fetching
            batches = await self.consumer.getmany(timeout_ms=500, max_records=500)
            for tp, records in batches.items():
                for record in records:
                    await self._accept(tp, record)
            await record_lag(self.consumer, GROUP)
            WAITING.set(len(self.queue))
            WAITING_EXAMS.set(len(self.queue.exams()))

    async def _accept(self, tp: TopicPartition, record) -> None:
        self.offsets.read(tp, record.offset)
        try:
            if codec.peek_event_type(record.value) != JudgeRequested.event_type():
                self.offsets.finished(tp, record.offset)
                return
            recorded = codec.decode(record.value)
        except codec.DecodeError as undecodable:
            await self.dead_letters.park(record, undecodable)
            self.offsets.finished(tp, record.offset)
            return
        await self.queue.put(Job(recorded.payload.exam_id, tp, record.offset, recorded, record))

    async def _runner(self, index: int, store, personal, dead_letters: DeadLetters) -> None:
        sandbox = self._sandboxes[index]

        async def run(language: str, source: str, tests: list[JudgeTest],
                      limits: Limits) -> Verdict:
            loop = asyncio.get_running_loop()
            with RUN_SECONDS.time():
                return await loop.run_in_executor(
                    self._threads, judge, sandbox, language, source, tests, limits)

        while True:
            job = await self.queue.take()
            request = job.request.payload
            WAIT_SECONDS.observe(max(0.0, _age_seconds(request.requested_at)))
            outcome = await self._judge(job, store, personal, run, dead_letters)
            JUDGED.labels(outcome).inc()
            self.offsets.finished(job.partition, job.offset)

    async def _judge(self, job: Job, store, personal, run, dead_letters) -> str:
        request = job.request.payload
        for attempt, pause in enumerate((*BACK_OFF_SECONDS, None)):
            try:
                result = await judge_request(store, personal, job.request, run)
            except DomainError as refused:
                log.error("judge request %s not judged: %s", request.request_id, refused)
                await dead_letters.park(job.message, refused)
                return "parked"
            except asyncio.CancelledError:
                raise
            except Exception as failed:  # SandboxFailure, the database away: again
                if pause is None:
                    log.exception("judge request %s failed %d times", request.request_id,
                                  attempt)
                    await dead_letters.park(job.message, failed)
                    return "parked"
                log.warning("judge request %s failed (%s); again in %s s",
                            request.request_id, failed, pause)
                await asyncio.sleep(pause)
                continue
            return "judged" if result["judged"] else "skipped"
        return "parked"

    async def commit(self) -> None:
        moved = self.offsets.committable()
        if moved and self.consumer is not None:
            await self.consumer.commit(moved)
            self.offsets.committed(moved)

    async def _committer(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await asyncio.sleep(COMMIT_EVERY_SECONDS)
            try:
                await self.commit()
            except Exception as failed:  # a rebalance in progress: the next tick commits
                log.warning("judge offsets not committed: %s", failed)



def keep_fetching(waiting: int, bound: int, fetching: bool) -> bool:
    """Back-pressure with hysteresis: stop fetching at ``bound`` requests waiting, start again
    below half of it (not at every request taken: each pause and resume is a fetch lost)."""
    if fetching:
        return waiting < bound
    return waiting < bound // 2


def _age_seconds(when: datetime) -> float:
    return (datetime.now(timezone.utc) - when).total_seconds()
