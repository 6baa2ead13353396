"""What a Kafka outage costs the services that talk to it: CPU and log lines while it is down.

    .venv/bin/python bench/kafka_outage.py [--seconds 20] [--unpaced]

Stops the stack's Kafka (`soems stack down kafka`; start the stack first, `make run` stopped or
not) for ``--seconds``, then starts it again. Meanwhile one producer with the relay's settings
keeps sending as the relay would (a batch, wait for every acknowledgement, again) and one
consumer keeps polling as a projection would. Reported: this process's CPU seconds while Kafka
is down, aiokafka's failed metadata updates counted from its log, and the time from Kafka's
return to the first acknowledged send. ``--unpaced`` leaves aiokafka as it is (no
``pace_kafka_metadata_retries``): the before of the change.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import platform
import resource
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # noqa: E402

from deploy.local import stack  # noqa: E402
from eventlog.outages import pace_kafka_metadata_retries  # noqa: E402
from eventlog.topics import ensure_topics  # noqa: E402
from settings import get_settings  # noqa: E402

TOPIC = "soems.bench.outage"


class Tally(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.lines: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        self.lines[record.msg.split(" %")[0] if isinstance(record.msg, str) else "?"] += 1


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def producing(s, stop: asyncio.Event, acked: list[float]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=s.kafka_bootstrap, acks="all",
                                enable_idempotence=True, linger_ms=2)
    await producer.start()
    try:
        while not stop.is_set():
            try:
                sent = [await producer.send(TOPIC, value=b"an outbox row", key=str(n).encode())
                        for n in range(20)]
                await asyncio.gather(*sent)
                acked.append(time.monotonic())
            except Exception:  # the relay starts again after any error: so does this
                await asyncio.sleep(0.5)
            await asyncio.sleep(0.05)
    finally:
        await producer.stop()


async def consuming(s, stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(TOPIC, bootstrap_servers=s.kafka_bootstrap,
                                group_id="bench-outage", enable_auto_commit=True)
    await consumer.start()
    try:
        while not stop.is_set():
            await consumer.getmany(timeout_ms=200)
    finally:
        await consumer.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--unpaced", action="store_true")
    args = parser.parse_args()
    if not args.unpaced:
        pace_kafka_metadata_retries()
    s = get_settings()
    ensure_topics(s, {TOPIC: (3, {})})
    tally = Tally()
    kafka_log = logging.getLogger("aiokafka")  # counted, not printed
    kafka_log.setLevel(logging.WARNING)
    kafka_log.propagate = False
    kafka_log.addHandler(tally)
    stop, acked = asyncio.Event(), []
    workers = [asyncio.create_task(producing(s, stop, acked)),
               asyncio.create_task(consuming(s, stop))]
    await asyncio.sleep(3)  # both running against a live broker
    await asyncio.to_thread(stack.down, s, ["kafka"], True)
    tally.lines.clear()
    down_at, cpu_before = time.monotonic(), cpu_s()
    await asyncio.sleep(args.seconds)
    cpu_down, failed_updates = cpu_s() - cpu_before, tally.lines["Unable to update metadata from"]
    errors_down = sum(tally.lines.values())
    await asyncio.to_thread(stack.up, s, ["kafka"])
    up_at = time.monotonic()
    while not acked or acked[-1] < up_at:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*workers)
    print(f"machine: {platform.node()} {platform.processor() or platform.machine()}, "
          f"aiokafka {'unpaced' if args.unpaced else 'paced'}")
    print(f"Kafka down for {up_at - down_at:.1f} s (asleep {args.seconds:.0f} s of it)")
    print(f"CPU of one producer and one consumer while down: {cpu_down:.2f} s "
          f"({100 * cpu_down / args.seconds:.0f} % of a core)")
    print(f"failed metadata updates while down: {failed_updates:,} "
          f"({failed_updates / args.seconds:,.0f}/s); warnings and errors logged: {errors_down:,}")
    print(f"Kafka back to the first acknowledged send: {acked[-1] - up_at:.2f} s")


if __name__ == "__main__":
    asyncio.run(main())
