"""The stores behind SOEMS answer as the real things do: PostgreSQL, Redis, the MongoDB
protocol (FerretDB), the S3 API (MinIO) and SMTP (Mailpit)."""
from __future__ import annotations

import smtplib
import time
from email.message import EmailMessage

import asyncpg
import httpx
import pymongo
import pytest
import redis
from pymongo.errors import DuplicateKeyError

from deploy.local.probes import s3_client

pytestmark = pytest.mark.usefixtures("live_stack")


async def test_postgres_transactions_commit_and_roll_back(settings, unique):
    conn = await asyncpg.connect(settings.postgres_dsn)
    table = f"t_{unique}"
    try:
        await conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, body jsonb NOT NULL)")
        async with conn.transaction():
            await conn.execute(f"INSERT INTO {table} VALUES (1, '{{\"a\": 1}}')")
        with pytest.raises(asyncpg.UniqueViolationError):
            async with conn.transaction():
                await conn.execute(f"INSERT INTO {table} VALUES (2, '{{}}')")
                await conn.execute(f"INSERT INTO {table} VALUES (1, '{{}}')")
        assert await conn.fetchval(f"SELECT count(*) FROM {table}") == 1
        assert await conn.fetchval("SELECT current_database()") == settings.postgres_db
    finally:
        await conn.execute(f"DROP TABLE IF EXISTS {table}")
        await conn.close()


async def test_postgres_refuses_a_wrong_password(settings):
    with pytest.raises(asyncpg.InvalidPasswordError):
        await asyncpg.connect(host=settings.postgres_host, port=settings.postgres_port,
                              user=settings.postgres_user, password="not-the-password",
                              database=settings.postgres_db)


def test_redis_set_get_and_password(settings, unique):
    client = redis.Redis.from_url(settings.redis_url)
    client.set(f"test:{unique}", "v", ex=60)
    assert client.get(f"test:{unique}") == b"v"
    assert client.incr(f"test:{unique}:n") == 1
    assert client.config_get("appendonly")["appendonly"] == "yes"
    with pytest.raises(redis.AuthenticationError):
        redis.Redis(host=settings.redis_host, port=settings.redis_port, password="wrong").ping()


@pytest.fixture
def mongo(settings):
    client = pymongo.MongoClient(settings.mongo_uri, serverSelectionTimeoutMS=5000)
    yield client[settings.mongo_db]
    client.close()


def test_mongo_insert_unique_index_and_aggregate(mongo, unique):
    exams = mongo[f"exams_{unique}"]
    exams.create_index("code", unique=True)
    exams.insert_many([
        {"code": "MATH-101", "teacher": "t1", "duration": 60},
        {"code": "MATH-102", "teacher": "t1", "duration": 90},
        {"code": "PHYS-201", "teacher": "t2", "duration": 120},
    ])
    with pytest.raises(DuplicateKeyError) as err:
        exams.insert_one({"code": "MATH-101", "teacher": "t3", "duration": 30})
    assert err.value.code == 11000
    # One accumulator per $group: FerretDB 1.x computes only the first of several
    # (FerretDB issue 4616), and implements just $sum and $count.
    minutes = list(exams.aggregate([
        {"$match": {"duration": {"$gte": 60}}},
        {"$group": {"_id": "$teacher", "minutes": {"$sum": "$duration"}}},
        {"$sort": {"_id": 1}},
    ]))
    assert minutes == [{"_id": "t1", "minutes": 150}, {"_id": "t2", "minutes": 120}]
    counts = list(exams.aggregate([{"$group": {"_id": "$teacher", "exams": {"$count": {}}}},
                                   {"$sort": {"exams": -1}}]))
    assert counts == [{"_id": "t1", "exams": 2}, {"_id": "t2", "exams": 1}]
    exams.drop()


def test_s3_put_get_and_presigned_url_over_http(settings, unique):
    s3 = s3_client(settings)
    key = f"evidence/{unique}/frame.jpg"
    body = b"\xff\xd8\xff" + bytes(range(256)) * 40
    s3.put_object(Bucket=settings.s3_bucket, Key=key, Body=body, ContentType="image/jpeg")
    assert s3.get_object(Bucket=settings.s3_bucket, Key=key)["Body"].read() == body
    url = s3.generate_presigned_url("get_object", Params={"Bucket": settings.s3_bucket,
                                                          "Key": key}, ExpiresIn=60)
    fetched = httpx.get(url, timeout=10)
    assert fetched.status_code == 200
    assert fetched.content == body
    assert fetched.headers["content-type"] == "image/jpeg"
    # Without the signature the object is private.
    assert httpx.get(url.split("?")[0], timeout=10).status_code == 403


def test_smtp_mail_is_readable_through_mailpit(settings, unique):
    subject = f"Your exam results are published [{unique}]"
    msg = EmailMessage()
    msg["From"] = "noreply@soems.test"
    msg["To"] = "student@soems.test"
    msg["Subject"] = subject
    msg.set_content("Hello, your grade for MATH-101 is available.")
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        try:
            smtp.send_message(msg)
            raise AssertionError("Mailpit accepted mail without credentials")
        except smtplib.SMTPSenderRefused as exc:
            assert exc.smtp_code == 530  # authentication required
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(msg)

    api, auth = settings.smtp_api_url, (settings.smtp_user, settings.smtp_password)
    assert httpx.get(f"{api}/api/v1/messages", timeout=5).status_code == 401  # no credentials
    found = None
    deadline = time.monotonic() + 10
    while found is None and time.monotonic() < deadline:
        listing = httpx.get(f"{api}/api/v1/search", params={"query": unique}, auth=auth,
                            timeout=5).json()
        found = next((m for m in listing["messages"] if m["Subject"] == subject), None)
        time.sleep(0.2)
    assert found is not None
    full = httpx.get(f"{api}/api/v1/message/{found['ID']}", auth=auth, timeout=5).json()
    assert full["To"][0]["Address"] == "student@soems.test"
    assert "grade for MATH-101" in full["Text"]
