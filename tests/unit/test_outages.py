"""Workers outlive a restart of PostgreSQL, Kafka or MongoDB; the APIs answer 503 meanwhile."""
from __future__ import annotations

import asyncio

import asyncpg
import httpx
import pytest
from aiokafka.errors import KafkaConnectionError
from fastapi import FastAPI

from eventlog import outages
from web.errors import install_error_handlers


@pytest.fixture(autouse=True)
def short_pauses(monkeypatch):
    monkeypatch.setattr(outages, "FIRST_PAUSE_S", 0.01)


def test_a_worker_starts_again_after_each_outage_and_stops_when_its_loop_returns():
    runs = []
    failures = [asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
                KafkaConnectionError("no broker"), ConnectionRefusedError(111, "refused")]

    async def loop():
        runs.append(len(runs))
        if failures:
            raise failures.pop(0)

    asyncio.run(outages.outlive_outages(loop, asyncio.Event(), "relay"))
    assert runs == [0, 1, 2, 3]


def test_a_bug_is_not_an_outage():
    async def loop():
        raise KeyError("exam_id")

    with pytest.raises(KeyError):
        asyncio.run(outages.outlive_outages(loop, asyncio.Event(), "relay"))


def test_the_relay_starts_again_after_any_error_and_logs_its_traceback(caplog):
    runs = []

    async def loop():
        runs.append(1)
        if len(runs) == 1:  # an error outside OUTAGES, from deep inside a client library
            raise TypeError("'NoneType' object is not iterable")

    asyncio.run(outages.outlive_outages(loop, asyncio.Event(), "relay", outages=(Exception,)))
    assert runs == [1, 1]
    failed = [r for r in caplog.records if r.name == "soems.outages"]
    assert failed and failed[0].exc_info and failed[0].exc_info[0] is TypeError


def test_a_stop_during_the_pause_ends_the_worker():
    runs = []

    async def main():
        stop = asyncio.Event()

        async def loop():
            runs.append(1)
            stop.set()  # SIGTERM arrived while the database was away
            raise asyncpg.exceptions.AdminShutdownError("terminating connection")

        await outages.outlive_outages(loop, stop, "projection.attempts")

    asyncio.run(main())
    assert runs == [1]


def test_a_request_that_meets_a_restarting_store_is_answered_503_with_retry_after():
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/restarting")
    async def restarting():
        raise asyncpg.exceptions.CannotConnectNowError("the database system is shutting down")

    @app.get("/bug")
    async def bug():
        raise asyncpg.InterfaceError("another operation is in progress")

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://soems") as client:
            return await client.get(path)

    answer = asyncio.run(get("/restarting"))
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    assert answer.json()["code"] == "unavailable" and answer.json()["field"] is None
    assert "Idempotency-Key" in answer.json()["detail"]
    assert asyncio.run(get("/bug")).status_code == 500  # a bug is not dressed up as an outage


def test_kafka_clients_ask_for_metadata_a_few_times_a_second_while_no_broker_answers():
    """aiokafka's own loop asks again at once: a thousand failed updates a second."""
    from aiokafka.client import AIOKafkaClient

    outages.pace_kafka_metadata_retries(0.25)
    outages.pace_kafka_metadata_retries(0.25)  # idempotent: not paced twice

    async def asks_in_one_second() -> int:
        client = AIOKafkaClient(bootstrap_servers="127.0.0.1:9")  # nothing listens there
        synchronizer = asyncio.create_task(client._md_synchronizer())
        asks, until = 0, asyncio.get_running_loop().time() + 1.0
        try:
            while asyncio.get_running_loop().time() < until:
                assert await client.force_metadata_update() is False
                asks += 1
        finally:
            synchronizer.cancel()
        return asks

    assert 2 <= asyncio.run(asks_in_one_second()) <= 5
