"""Workers outlive their infrastructure: when PostgreSQL, Kafka or MongoDB goes away (a restart,
a failover, a network blip), a worker starts its loop again from scratch after a growing pause
instead of exiting.

Starting again is safe because every worker keeps its place outside itself: a projection's
offsets are committed with its rows (or after its writes), the relay deletes outbox rows only
after Kafka acknowledged them and takes its advisory lock again. A process supervisor
(`soems up`, systemd, Kubernetes) still restarts a worker that dies of anything else.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import asyncpg
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import KafkaError
from confluent_kafka import KafkaException
from pymongo.errors import ConnectionFailure, OperationFailure
from redis.exceptions import ConnectionError as RedisConnectionError

from eventlog import metrics

# Errors that say "the infrastructure is away", not "this worker is wrong". An operator's
# intervention (57P: shutting down, cannot connect now) and a closed connection (asyncpg's
# InterfaceError) are what a PostgreSQL restart looks like from a client; FerretDB answers
# OperationFailure while its own PostgreSQL is away. A deadlock or serialization failure
# (class 40) rolled the transaction back whole: trying again is the cure.
TRANSIENT = asyncpg.exceptions.TransactionRollbackError
OUTAGES = (OSError, asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
           asyncpg.InterfaceError, TRANSIENT, KafkaError, KafkaException, ConnectionFailure,
           OperationFailure)
# What a request meets while a store restarts: the APIs answer 503 with Retry-After (the SPA's
# save queue and any client retry with the same Idempotency-Key), never a bare 500. Narrower
# than OUTAGES: an InterfaceError may be a bug, and a bug must stay a 500.
UNAVAILABLE = (ConnectionError, asyncpg.PostgresConnectionError, TRANSIENT,
               asyncpg.exceptions.AdminShutdownError, asyncpg.exceptions.CrashShutdownError,
               asyncpg.exceptions.CannotConnectNowError, RedisConnectionError, ConnectionFailure)
FIRST_PAUSE_S = 0.5
LONGEST_PAUSE_S = 10.0
HEALTHY_AFTER_S = 30.0  # a loop that ran this long before failing starts again quickly

log = logging.getLogger("soems.outages")


async def outlive_outages(loop: Callable[[], Awaitable[None]], stop: asyncio.Event,
                          worker: str,
                          outages: tuple[type[BaseException], ...] = OUTAGES) -> None:
    """Run ``loop`` until it returns (it returns when ``stop`` is set); after an outage (one of
    ``outages``), run it again from scratch."""
    pause = FIRST_PAUSE_S
    while not stop.is_set():
        began = time.monotonic()
        try:
            await loop()
            return
        except outages as exc:
            metrics.OUTAGES_OUTLIVED.labels(worker).inc()
            if time.monotonic() - began > HEALTHY_AFTER_S:
                pause = FIRST_PAUSE_S
            if isinstance(exc, OUTAGES):
                log.warning("%s lost its infrastructure (%s: %s); starting again in %.1f s",
                            worker, type(exc).__name__, exc, pause)
            else:  # not a known outage: the traceback says what the client library met
                log.exception("%s failed; starting again in %.1f s", worker, pause)
        try:
            await asyncio.wait_for(stop.wait(), pause)
        except TimeoutError:
            pass
        pause = min(pause * 2, LONGEST_PAUSE_S)


# aiokafka (0.14) asks for metadata again the moment an update reached no broker: while Kafka
# is down its producer's sender and faust's consumer loop on a refused connection about a
# thousand times a second, each time logging two errors (measured in the fault test: 24,570
# failed updates in the relay and 13,280 in the faust worker during a 30 s restart), and burn
# the CPU the command API needs to keep taking saves into the outbox meanwhile.
METADATA_RETRY_PAUSE_S = 0.25


def pace_kafka_metadata_retries(pause_s: float = METADATA_RETRY_PAUSE_S) -> None:
    """Make every aiokafka client of this process (faust's too) wait ``pause_s`` after a
    metadata update that reached no broker before anyone may ask again. Idempotent."""
    original = AIOKafkaClient._metadata_update
    if getattr(original, "paced", False):
        return

    async def paced(self, cluster_metadata, topics):
        updated = await original(self, cluster_metadata, topics)
        if not updated:  # no broker answered: the waiters see it after the pause
            await asyncio.sleep(pause_s)
        return updated

    paced.paced = True  # type: ignore[attr-defined]
    AIOKafkaClient._metadata_update = paced  # type: ignore[method-assign]


def run_worker(name: str, metrics_slot: int,
               loop: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """A background worker's ``main``: log to stderr, serve metrics at its slot (the first
    such worker on a host does), and run ``loop(stop)`` through outages until SIGTERM or
    SIGINT sets ``stop``."""
    import signal

    from eventlog.metrics import metrics_port, serve_metrics
    from settings import get_settings

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    pace_kafka_metadata_retries()
    try:
        serve_metrics(metrics_port(get_settings().metrics_port_base, metrics_slot))
    except OSError as exc:  # a second worker of this kind on this host: the first serves it
        log.warning("%s: no metrics endpoint: %s", name, exc)

    async def runner() -> None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        await outlive_outages(lambda: loop(stop), stop, name)

    asyncio.run(runner())
