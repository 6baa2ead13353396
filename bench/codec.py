"""Benchmark of the Avro codec (schemas/codec.py): per-op latency and throughput.

    .venv/bin/python bench/codec.py [--events 50000]

Encodes and decodes ExamDrafted events (the largest exam payload: three UUIDs and three
timestamps in envelope and payload). Latency is timed op by op; throughput is a separate
untimed pass, so the clock reads do not count against it.
"""
from __future__ import annotations

import argparse
import platform
import statistics
import time
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from schemas.codec import decode, encode
from schemas.envelope import Actor, RecordedEvent, new_envelope
from schemas.events.exam import ExamDrafted


def drafted_exams(count: int) -> list[RecordedEvent]:
    opens_at = datetime(2025, 3, 10, 9, 0, tzinfo=timezone.utc)
    teacher = Actor(user_id="teacher-42", role="teacher")
    events = []
    for number in range(count):
        payload = ExamDrafted(
            exam_id=f"exam-{number}", teacher_id="teacher-42",
            title=f"Linear algebra, midterm {number}", description="Chapters 1 to 4.",
            instructions="Closed book. One page of notes allowed.", duration_minutes=90,
            window_opens_at=opens_at, window_closes_at=opens_at + timedelta(days=2))
        envelope = new_envelope(payload, stream_id=f"exam-{number}", stream_version=1,
                                actor=teacher, command_id=uuid4())
        events.append(RecordedEvent(envelope=envelope, payload=payload))
    return events


def latencies_us(op, items) -> list[float]:
    clock = time.perf_counter_ns
    timings = []
    for item in items:
        started = clock()
        op(item)
        timings.append((clock() - started) / 1000)
    return timings


def throughput(op, items) -> float:
    started = time.perf_counter()
    for item in items:
        op(item)
    return len(items) / (time.perf_counter() - started)


def report(name: str, timings: list[float], ops_per_s: float) -> str:
    cuts = statistics.quantiles(timings, n=100)
    return (f"| {name} | {cuts[49]:.1f} | {cuts[94]:.1f} | {cuts[98]:.1f} "
            f"| {ops_per_s:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    count = parser.parse_args().events

    events = drafted_exams(count)
    messages = [encode(event) for event in events]  # also warms the catalog and caches
    assert all(decode(message) == event for message, event in zip(messages, events))

    print(f"{count:,} ExamDrafted events, {sum(map(len, messages)) / count:.0f} bytes each, "
          f"Python {platform.python_version()}")
    print("| op | p50 µs | p95 µs | p99 µs | ops/s |")
    print("|---|---|---|---|---|")
    print(report("encode", latencies_us(encode, events), throughput(encode, events)))
    print(report("decode", latencies_us(decode, messages), throughput(decode, messages)))


if __name__ == "__main__":
    main()
