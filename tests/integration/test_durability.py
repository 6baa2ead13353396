"""Everything written survives `soems stack down` and `soems stack up`."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import asyncpg
import pymongo
import pytest
import redis
from confluent_kafka import Consumer, Producer

from deploy.local.probes import s3_client
from security.sessions import connect_redis
from tests.integration.kafka_admin import create_topic, high_watermarks

pytestmark = [pytest.mark.restarts_stack, pytest.mark.usefixtures("live_stack")]


def soems(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "soems.cli", *args], capture_output=True,
                          text=True, timeout=300)


def write_everything(s, tag: str) -> None:
    topic = f"test.durable.{tag}"
    create_topic(s.kafka_bootstrap, topic, 3, {"retention.ms": "-1"})
    producer = Producer({"bootstrap.servers": s.kafka_bootstrap, "enable.idempotence": True,
                         "acks": "all"})
    for i in range(120):
        producer.produce(topic, key=f"attempt-{i % 7}".encode(), value=f"answer-{i}".encode())
    assert producer.flush(30) == 0

    async def postgres() -> None:
        conn = await asyncpg.connect(s.postgres_dsn)
        await conn.execute(f"CREATE TABLE durable_{tag} (id int PRIMARY KEY, answer text)")
        await conn.executemany(f"INSERT INTO durable_{tag} VALUES ($1, $2)",
                               [(i, f"answer-{i}") for i in range(100)])
        await conn.close()

    asyncio.run(postgres())
    mongo = pymongo.MongoClient(s.mongo_uri)
    mongo[s.mongo_db][f"durable_{tag}"].insert_many([{"n": i} for i in range(50)])
    mongo.close()
    r = redis.Redis.from_url(s.redis_url)
    r.mset({f"durable:{tag}:{i}": i for i in range(30)})
    r.close()
    s3_client(s).put_object(Bucket=s.s3_bucket, Key=f"durable/{tag}.bin", Body=b"evidence" * 100)


def read_everything(s, tag: str) -> None:
    topic = f"test.durable.{tag}"
    assert sum(high_watermarks(s.kafka_bootstrap, topic).values()) == 120
    consumer = Consumer({"bootstrap.servers": s.kafka_bootstrap, "group.id": f"durable-{tag}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([topic])
    values = set()
    for _ in range(200):
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            values.add(msg.value())
        if len(values) == 120:
            break
    consumer.close()
    assert values == {f"answer-{i}".encode() for i in range(120)}

    async def postgres() -> list:
        conn = await asyncpg.connect(s.postgres_dsn)
        rows = await conn.fetch(f"SELECT id, answer FROM durable_{tag} ORDER BY id")
        await conn.close()
        return rows

    assert [tuple(r) for r in asyncio.run(postgres())] == [(i, f"answer-{i}") for i in range(100)]
    mongo = pymongo.MongoClient(s.mongo_uri)
    assert sorted(d["n"] for d in mongo[s.mongo_db][f"durable_{tag}"].find()) == list(range(50))
    mongo.close()
    r = redis.Redis.from_url(s.redis_url)
    assert [int(v) for v in r.mget([f"durable:{tag}:{i}" for i in range(30)])] == list(range(30))
    r.close()
    body = s3_client(s).get_object(Bucket=s.s3_bucket, Key=f"durable/{tag}.bin")["Body"].read()
    assert body == b"evidence" * 100


def test_data_survives_a_stack_restart(settings, unique):
    write_everything(settings, unique)

    down = soems("stack", "down")
    assert down.returncode == 0, down.stderr
    status = json.loads(soems("stack", "status", "--json").stdout)
    assert not any(row["up"] for row in status.values()), status

    up = soems("stack", "up")
    assert up.returncode == 0, up.stdout + up.stderr
    read_everything(settings, unique)


def test_the_apis_redis_client_outlives_a_redis_restart(settings):
    """Sessions and throttles are checked through pooled connections: after Redis restarts,
    each would fail its next command (a 503 per connection) unless sent again."""
    async def run() -> None:
        client = connect_redis(settings.redis_url)
        try:
            await asyncio.gather(*(client.ping() for _ in range(10)))  # ten pooled connections
            for args in (("stack", "down", "--only", "redis"), ("stack", "up", "--only", "redis")):
                done = await asyncio.to_thread(soems, *args)
                assert done.returncode == 0, done.stdout + done.stderr
            assert await asyncio.gather(*(client.ping() for _ in range(10))) == [True] * 10
        finally:
            await client.aclose()

    asyncio.run(run())
