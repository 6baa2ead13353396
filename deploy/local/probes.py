"""Protocol checks: a component is up only when it answers its own protocol.

Each probe returns None when the component answered, or a short reason when it did not.
A PID file says nothing about whether Kafka serves metadata or PostgreSQL accepts logins.
"""
from __future__ import annotations

import asyncio
import logging
import smtplib
from typing import Callable

from settings import Settings

PROBE_TIMEOUT = 3.0


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200]


def probe_kafka(s: Settings) -> str | None:
    """A metadata request: the broker must list itself."""
    from confluent_kafka.admin import AdminClient

    quiet = logging.getLogger("soems.probe.kafka")
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    admin = AdminClient({
        "bootstrap.servers": s.kafka_bootstrap,
        "socket.connection.setup.timeout.ms": int(PROBE_TIMEOUT * 1000),
        "logger": quiet,
    })
    try:
        metadata = admin.list_topics(timeout=PROBE_TIMEOUT)
    except Exception as exc:  # KafkaException on timeout or refusal
        return _reason(exc)
    return None if metadata.brokers else "metadata lists no broker"


def probe_postgres(s: Settings) -> str | None:
    """A login with the configured credentials and `SELECT 1`."""
    import asyncpg

    async def check() -> None:
        conn = await asyncpg.connect(
            host=s.postgres_host, port=s.postgres_port, user=s.postgres_user,
            password=s.postgres_password or None, database="postgres", timeout=PROBE_TIMEOUT,
        )
        try:
            assert await conn.fetchval("SELECT 1") == 1
        finally:
            await conn.close()

    try:
        asyncio.run(check())
    except Exception as exc:
        return _reason(exc)
    return None


def probe_redis(s: Settings) -> str | None:
    import redis

    client = redis.Redis(
        host=s.redis_host, port=s.redis_port, password=s.redis_password or None,
        socket_connect_timeout=PROBE_TIMEOUT, socket_timeout=PROBE_TIMEOUT,
    )
    try:
        return None if client.ping() else "PING got no PONG"
    except Exception as exc:
        return _reason(exc)
    finally:
        client.close()


def probe_mongo(s: Settings) -> str | None:
    import pymongo

    client = pymongo.MongoClient(
        s.mongo_uri, serverSelectionTimeoutMS=int(PROBE_TIMEOUT * 1000),
        connectTimeoutMS=int(PROBE_TIMEOUT * 1000), directConnection=True,
    )
    try:
        reply = client.admin.command("ping")
        return None if reply.get("ok") == 1 else f"ping answered {reply}"
    except Exception as exc:
        return _reason(exc)
    finally:
        client.close()


def s3_client(s: Settings):
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=s.s3_endpoint_url, region_name=s.s3_region,
        aws_access_key_id=s.s3_access_key, aws_secret_access_key=s.s3_secret_key,
        config=Config(
            connect_timeout=PROBE_TIMEOUT, read_timeout=PROBE_TIMEOUT,
            retries={"max_attempts": 1}, s3={"addressing_style": "path"},
            signature_version="s3v4",
        ),
    )


def probe_s3(s: Settings) -> str | None:
    """A signed ListBuckets request: proves the API answers and the keys are accepted."""
    try:
        s3_client(s).list_buckets()
    except Exception as exc:
        return _reason(exc)
    return None


def probe_smtp(s: Settings) -> str | None:
    try:
        with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=PROBE_TIMEOUT) as smtp:
            code, _ = smtp.ehlo("soems-probe")
            return None if code == 250 else f"EHLO answered {code}"
    except Exception as exc:
        return _reason(exc)


PROBES: dict[str, Callable[[Settings], str | None]] = {
    "kafka": probe_kafka,
    "postgres": probe_postgres,
    "redis": probe_redis,
    "mongo": probe_mongo,
    "s3": probe_s3,
    "smtp": probe_smtp,
}


def address(s: Settings, name: str) -> str:
    host = getattr(s, f"{name}_host")
    port = getattr(s, f"{name}_port")
    return f"{host}:{port}"
