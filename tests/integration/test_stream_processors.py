"""The faust worker against the real stack: teacher exam counts survive a killed worker, a
redelivered publication counts once, and a poison message goes to the DLQ while counting goes
on."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import pytest
from confluent_kafka import Consumer, Producer, TopicPartition

from deploy.local.services import die_with_parent
from eventlog.topics import dlq_for, domain_topics, ensure_topics
from schemas import codec
from schemas.envelope import Actor, RecordedEvent, new_envelope, utcnow
from schemas.events.exam import EXAM, ExamDrafted, ExamPublished
from settings import CHECKOUT_ROOT
from stream_processors.app import APP_ID, COMPACT
from stream_processors.exam_counts import (
    EXAM_PUBLICATIONS_BY_TEACHER, TEACHER_EXAM_COUNTS)
from tests.integration.kafka_admin import high_watermarks

EXAM_EVENTS = EXAM.topic

pytestmark = [pytest.mark.usefixtures("live_stack"), pytest.mark.timeout(300)]

WAIT = 90.0  # seconds for one expected output; a restart waits out the dead worker's session,
# and a worker first recovers its table from a changelog that grows with every run on a
# long-lived stack (measured: 26 s alone, over 40 s with the whole suite on two cores)


def by_teacher(payload, teacher_id: str, exam_id: str, version: int) -> RecordedEvent:
    envelope = new_envelope(payload, f"exam-{exam_id}", version,
                            Actor(user_id=teacher_id, role="teacher"), uuid4())
    return RecordedEvent(envelope=envelope, payload=payload)


def drafted(teacher_id: str, exam_id: str) -> RecordedEvent:
    return by_teacher(ExamDrafted(exam_id=exam_id, teacher_id=teacher_id, title="Algebra",
                                  description="", instructions="", duration_minutes=60),
                      teacher_id, exam_id, 1)


def published(teacher_id: str, exam_id: str) -> RecordedEvent:
    return by_teacher(ExamPublished(exam_id=exam_id, teacher_id=teacher_id,
                                    published_at=utcnow()), teacher_id, exam_id, 2)


class ExamLog:
    """Writes to soems.exam.events as the relay does: idempotent, acks=all, keyed by stream."""

    def __init__(self, bootstrap: str):
        self.producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True,
                                  "acks": "all"})

    def append(self, key: str, value: bytes) -> tuple[int, int]:
        """Writes one message; returns its (partition, offset)."""
        delivered = []
        self.producer.produce(EXAM_EVENTS, key=key.encode(), value=value,
                              on_delivery=lambda err, msg: delivered.append((err, msg)))
        assert self.producer.flush(15) == 0
        (err, msg), = delivered
        assert err is None, err
        return msg.partition(), msg.offset()

    def publish(self, event: RecordedEvent) -> bytes:
        data = codec.encode(event)
        self.append(event.envelope.stream_id, data)
        return data


class TopicTail:
    """Reads a topic from the offsets it had when the tail was made, no consumer group."""

    def __init__(self, bootstrap: str, topic: str):
        self.consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused",
                                  "enable.auto.commit": False})
        self.consumer.assign([TopicPartition(topic, p, offset) for p, offset
                              in high_watermarks(bootstrap, topic).items()])

    def next_where(self, matches, what: str, worker: "Worker", wait: float = WAIT,
                   required: bool = True):
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            msg = self.consumer.poll(0.2)
            if msg is not None and msg.error() is None and matches(msg):
                return msg
            worker.assert_alive()
        if required:
            pytest.fail(f"no {what} within {wait:.0f}s; worker log:\n{worker.log_tail()}")
        return None

    def close(self) -> None:
        self.consumer.close()


class TeacherCounts:
    """The messages soems.analytics.teacher_exam_counts has for one teacher, in order."""

    def __init__(self, bootstrap: str, teacher_id: str):
        self.tail = TopicTail(bootstrap, TEACHER_EXAM_COUNTS)
        self.teacher_id = teacher_id

    def next(self, worker: "Worker") -> dict:
        msg = self.tail.next_where(lambda m: m.key() == self.teacher_id.encode(),
                                   f"count for {self.teacher_id}", worker)
        return json.loads(msg.value())

    def until(self, published_exams: int, worker: "Worker") -> list[dict]:
        """Every count up to the first that reaches the given number (or passes it)."""
        seen = [self.next(worker)]
        while seen[-1]["published_exams"] < published_exams:
            seen.append(self.next(worker))
        return seen

    def reach(self, previous: dict, publication: RecordedEvent, worker: "Worker") -> dict:
        """Waits for the count one above ``previous``, made by ``publication``.

        Before it may come restatements of ``previous``: a rebalance (a worker of an earlier
        run leaving the group) redelivers what was not committed yet, and a publication
        already counted is emitted again unchanged.
        """
        *restated, reached = self.until(previous["published_exams"] + 1, worker)
        assert all(count == previous for count in restated), restated
        assert reached == {"teacher_id": self.teacher_id,
                           "published_exams": previous["published_exams"] + 1,
                           "last_event_id": str(publication.envelope.event_id)}
        return reached


class Worker:
    """`python -m stream_processors worker` as a supervisor runs it, with its own data dir."""

    def __init__(self, home: Path):
        home.mkdir()
        self.log_path = home / "worker.log"
        with socket.socket() as s:  # a free port, in case a worker already holds the default
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, "SOEMS_HOME": str(home), "SOEMS_FAUST_WEB_PORT": str(port)}
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "stream_processors", "worker"], cwd=CHECKOUT_ROOT,
                env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)

    def wait_ready(self) -> None:
        """Until the worker has recovered its tables and processes its topics."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if "[^Worker]: Ready" in self.log_path.read_text(errors="replace"):
                return
            self.assert_alive()
            time.sleep(0.1)
        pytest.fail(f"the worker was not ready within {WAIT:.0f}s:\n{self.log_tail()}")

    def assert_alive(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(f"the worker exited with {self.process.returncode}:\n{self.log_tail()}")

    def log_tail(self) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-60:])

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Stops as a supervisor does, so the worker leaves its group at once."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the worker did not stop on SIGTERM:\n{self.log_tail()}")


def wait_until_committed(bootstrap: str, topics: list[str], running: Worker) -> None:
    """Until the processors' group has committed every message these topics hold now: after
    that, a new worker can only know the counts from the table's changelog."""
    written = [TopicPartition(topic, p, end) for topic in topics
               for p, end in high_watermarks(bootstrap, topic).items() if end > 0]
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": APP_ID,
                      "enable.auto.commit": False})  # reads the group's offsets, never joins
    try:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            committed = probe.committed([TopicPartition(tp.topic, tp.partition)
                                         for tp in written], timeout=10)
            if all(c.offset >= w.offset for c, w in zip(committed, written)):
                return
            running.assert_alive()
            time.sleep(0.2)
    finally:
        probe.close()
    pytest.fail(f"{APP_ID} did not commit {written} within {WAIT:.0f}s:\n{running.log_tail()}")


@contextmanager
def worker(home: Path):
    running = Worker(home)
    try:
        # Publish only to a ready worker: faust-streaming 0.11.3 skipped records already
        # waiting in a topic while it recovers its tables (faust-streaming issues 596, 606).
        running.wait_ready()
        yield running
    finally:
        running.kill()


def test_teacher_exam_counts_survive_a_killed_worker(settings, tmp_path, unique):
    bootstrap = settings.kafka_bootstrap
    # The project's topic setup makes them; a fresh broker may not have run it.
    ensure_topics(settings, {name: spec for name, spec in domain_topics().items()
                             if name in (EXAM_EVENTS, dlq_for(EXAM_EVENTS))})
    # The worker creates its output topic at start, but the tail below must exist first:
    # on a fresh broker it would otherwise follow no partition at all.
    ensure_topics(settings, {TEACHER_EXAM_COUNTS: (3, COMPACT)})
    teacher = f"teacher-{unique}"
    exams = ExamLog(bootstrap)
    counts = TeacherCounts(bootstrap, teacher)
    dlq = TopicTail(bootstrap, dlq_for(EXAM_EVENTS))
    try:
        with worker(tmp_path / "first") as first:
            exam_ids = [f"{unique}-{n}" for n in range(3)]
            for exam_id in exam_ids:
                exams.publish(drafted(teacher, exam_id))  # not a publication: ignored
            first_publications = [published(teacher, exam_id) for exam_id in exam_ids]
            first_bytes = [exams.publish(event) for event in first_publications]
            # Exams are separate streams, so their publications are counted in any order.
            seen = counts.until(3, first)
            assert sorted({c["published_exams"] for c in seen}) == [1, 2, 3]
            assert {c["last_event_id"] for c in seen} == \
                {str(e.envelope.event_id) for e in first_publications}
            three = seen[-1]

            # A poison message in the stream of the next exam: parked, and counting goes on.
            poison_key = f"exam-{unique}-3"
            poison = b"not an avro message"
            partition, offset = exams.append(poison_key, poison)
            fourth = published(teacher, f"{unique}-3")
            exams.publish(fourth)
            four = counts.reach(three, fourth, first)
            parked = dlq.next_where(lambda m: m.key() == poison_key.encode(), "parked message",
                                    first)
            headers = dict(parked.headers())
            assert parked.value() == poison
            assert headers["source_topic"] == EXAM_EVENTS.encode()
            assert (int(headers["source_partition"]), int(headers["source_offset"])) == \
                (partition, offset)
            assert b"not an Avro single-object message" in headers["error"]
            wait_until_committed(bootstrap, [EXAM_EVENTS, EXAM_PUBLICATIONS_BY_TEACHER], first)
            first.kill()

        # A new worker with an empty data dir: the table comes back from its changelog.
        with worker(tmp_path / "second") as second:
            fifth = published(teacher, f"{unique}-4")
            exams.publish(fifth)
            # 5, not 1: the count of 4 came back from the changelog, since the source
            # offsets before it were committed.
            five = counts.reach(four, fifth, second)

            # A redelivered publication restates the count and does not change it.
            exams.append(first_publications[0].envelope.stream_id, first_bytes[0])
            assert counts.next(second) == five
            sixth = published(teacher, f"{unique}-5")
            exams.publish(sixth)
            counts.reach(five, sixth, second)
            second.stop()
    finally:
        counts.tail.close()
        dlq.close()
