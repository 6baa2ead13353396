"""Personal data that can be erased: sealed in the log, Kafka and stored outcomes; readable in
the read models while the person exists; gone everywhere, rebuilds included, once erased."""
from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid

import asyncpg
import httpx
from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition

from eventlog.projection import rebuild_postgres
from projections import users
from schemas.events.identity import IDENTITY
from tests.e2e.harness import eventually, key


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "soems.cli", *args], capture_output=True,
                          text=True, timeout=120)


async def plaintext_in_store(settings, marker: str) -> list[str]:
    """Where the marker is stored in the clear on the command side."""
    conn = await asyncpg.connect(settings.postgres_dsn)
    try:
        found = []
        for what, sql in (
                ("events", "SELECT count(*) FROM eventlog.events WHERE position($1 in body) > 0"),
                ("outcomes", "SELECT count(*) FROM eventlog.commands "
                             "WHERE outcome::text LIKE '%' || convert_from($1, 'UTF8') || '%'"),
                ("snapshots", "SELECT count(*) FROM eventlog.snapshots "
                              "WHERE position($1 in state) > 0")):
            if await conn.fetchval(sql, marker.encode()):
                found.append(what)
        return found
    finally:
        await conn.close()


def plaintext_on_kafka(settings, marker: str) -> int:
    consumer = Consumer({"bootstrap.servers": settings.kafka_bootstrap,
                         "group.id": "test-erasure", "enable.auto.commit": False})
    try:
        meta = consumer.list_topics(IDENTITY.topic, timeout=10).topics[IDENTITY.topic]
        ends = {p: consumer.get_watermark_offsets(TopicPartition(IDENTITY.topic, p),
                                                  timeout=10)[1] for p in meta.partitions}
        consumer.assign([TopicPartition(IDENTITY.topic, p, OFFSET_BEGINNING)
                         for p, end in ends.items() if end > 0])
        seen, hits, remaining = 0, 0, sum(ends.values())
        while seen < remaining:
            batch = consumer.consume(num_messages=5000, timeout=5)
            if not batch:
                break
            for m in batch:
                if m.error() is None:
                    seen += 1
                    hits += marker.encode() in (m.value() or b"")
        return hits
    finally:
        consumer.close()


def test_erasure_leaves_no_readable_trace_even_after_a_rebuild(services, settings, admin):
    marker = uuid.uuid4().hex[:10]
    email, name = f"gdpr-{marker}@example.edu", f"Person {marker}"
    made = httpx.post(f"{services.command_url}/v1/users", headers={**admin["headers"], **key()},
                      json={"email": email, "name": name, "password": uuid.uuid4().hex,
                            "role": "student"})
    assert made.status_code == 201 and made.json()["name"] == name  # the answer is readable
    user_id = made.json()["user_id"]
    disabled = httpx.post(f"{services.command_url}/v1/users/{user_id}/disable",
                          headers={**admin["headers"], **key()},
                          json={"reason": f"left in {marker}"})
    assert disabled.status_code == 200 and disabled.json()["email"] == email

    # Sealed wherever the log's data goes; readable where it is served.
    assert asyncio.run(plaintext_in_store(settings, marker)) == []
    row = eventually(lambda: httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"],
                                       params={"q": marker}).json()["items"])
    assert row[0]["email"] == email and row[0]["name"] == name
    exported = cli("gdpr", "export", user_id)
    assert exported.returncode == 0, exported.stderr
    assert email in exported.stdout and f"left in {marker}" in exported.stdout

    erased = cli("gdpr", "erase", user_id)
    assert erased.returncode == 0, erased.stderr
    assert httpx.post(f"{services.command_url}/v1/auth/login",
                      json={"email": email, "password": "anything at all"}).status_code == 401

    def shown() -> dict:
        found = httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"],
                          params={"q": "(erased)", "per_page": 100}).json()["items"]
        return next((u for u in found if u["user_id"] == user_id), None)

    assert eventually(shown)["email"] == "(erased)"
    assert asyncio.run(rebuild_postgres(settings, users.projection)) > 0
    assert shown()["name"] == "(erased)"
    assert httpx.get(f"{services.query_url}/v1/users", headers=admin["headers"],
                     params={"q": marker}).json()["total"] == 0
    after = json.loads(cli("gdpr", "export", user_id).stdout)
    assert marker not in json.dumps(after)
    assert plaintext_on_kafka(settings, marker) == 0


def test_a_refused_registration_leaves_no_key_behind(services, settings, admin):
    email = f"dup-{uuid.uuid4().hex[:8]}@example.edu"
    body = {"email": email, "name": "First", "password": uuid.uuid4().hex, "role": "student"}
    first = httpx.post(f"{services.command_url}/v1/users", headers={**admin["headers"], **key()},
                       json=body)
    assert first.status_code == 201
    second_key = key()
    again = httpx.post(f"{services.command_url}/v1/users", headers={**admin["headers"],
                                                                    **second_key}, json=body)
    assert again.status_code == 409 and again.json()["code"] == "email_taken"

    # The account the refused command would have made (ids derive from the caller's key).
    from command_api.dependencies import scoped_command_id
    from command_api.identity.accounts import _USER_IDS
    from schemas.envelope import Actor

    command_id = scoped_command_id(Actor(user_id=admin["user"]["user_id"], role="admin"),
                                   uuid.UUID(second_key["Idempotency-Key"]))
    refused_user = str(uuid.uuid5(_USER_IDS, str(command_id)))

    async def key_rows() -> int:
        conn = await asyncpg.connect(settings.postgres_dsn)
        try:
            return await conn.fetchval("SELECT count(*) FROM identity.person_keys "
                                       "WHERE user_id = $1", refused_user)
        finally:
            await conn.close()

    assert asyncio.run(key_rows()) == 0
