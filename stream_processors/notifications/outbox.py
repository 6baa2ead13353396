"""The notifier's tables in PostgreSQL (schema ``read_models``, owned by the projection role,
readable by the query API).

``notifications`` is both the outbox the sender works from and the history people read: one
row per notice, from queued to sent (or skipped, or failed), with its tries and last error.
``notifier_exams`` is the notifier's view of each exam (``notices.ExamForNotices``).
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime

from eventlog.postgres import run_sql
from stream_processors.notifications.notices import ExamForNotices, Notice

SCHEMA = "read_models"
NOTIFICATIONS = f"{SCHEMA}.notifications"
NOTIFIER_EXAMS = f"{SCHEMA}.notifier_exams"
# The notifier's offsets live with the projections' (eventlog.projection_offsets).
OFFSETS_NAME = "notifier"

DDL = f"""
CREATE SCHEMA IF NOT EXISTS {SCHEMA};
CREATE TABLE IF NOT EXISTS {NOTIFIER_EXAMS} (
    exam_id   text PRIMARY KEY,
    title     text NOT NULL,
    status    text NOT NULL,
    opens_at  timestamptz,
    closes_at timestamptz,
    assigned  jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS notifier_exams_opening ON {NOTIFIER_EXAMS} (opens_at)
    WHERE status = 'published';
CREATE TABLE IF NOT EXISTS {NOTIFICATIONS} (
    notification_id uuid        PRIMARY KEY,
    user_id         text        NOT NULL,
    kind            text        NOT NULL,  -- exam_assigned, exam_reminder, results_published
    exam_id         text        NOT NULL,
    -- queued, sending (a sender holds it), sent, skipped (see reason), failed (gave up)
    status          text        NOT NULL DEFAULT 'queued',
    reason          text,
    subject         text,
    attempts        integer     NOT NULL DEFAULT 0,
    next_try_at     timestamptz NOT NULL DEFAULT now(),
    claimed_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    last_error      text
);
CREATE INDEX IF NOT EXISTS notifications_to_send ON {NOTIFICATIONS} (next_try_at)
    WHERE status IN ('queued', 'sending');
CREATE INDEX IF NOT EXISTS notifications_by_user ON {NOTIFICATIONS} (user_id, created_at DESC);
"""


async def set_up(pool) -> None:
    await run_sql(pool, DDL)


async def load_exams(conn, exam_ids: Iterable[str]) -> dict[str, ExamForNotices]:
    rows = await conn.fetch(f"SELECT * FROM {NOTIFIER_EXAMS} WHERE exam_id = ANY($1::text[])",
                            list(exam_ids))
    return {r["exam_id"]: _exam(r) for r in rows}


def _exam(r) -> ExamForNotices:
    return ExamForNotices(r["exam_id"], r["title"], r["status"], r["opens_at"], r["closes_at"],
                          frozenset(json.loads(r["assigned"])))


async def save_exams(conn, exams: Iterable[ExamForNotices]) -> None:
    exams = list(exams)
    if not exams:
        return
    await conn.executemany(
        f"INSERT INTO {NOTIFIER_EXAMS} (exam_id, title, status, opens_at, closes_at, assigned) "
        f"VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (exam_id) DO UPDATE SET "
        f"title = excluded.title, status = excluded.status, opens_at = excluded.opens_at, "
        f"closes_at = excluded.closes_at, assigned = excluded.assigned",
        [(e.exam_id, e.title, e.status, e.opens_at, e.closes_at,
          json.dumps(sorted(e.assigned))) for e in exams])


async def queue(conn, notices: Iterable[Notice]) -> int:
    """Queue the notices not queued before (by id); how many are new."""
    notices = list(notices)
    if not notices:
        return 0
    added = await conn.fetchval(
        f"WITH added AS (INSERT INTO {NOTIFICATIONS} (notification_id, user_id, kind, exam_id) "
        f"SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) "
        f"ON CONFLICT (notification_id) DO NOTHING RETURNING 1) SELECT count(*) FROM added",
        [n.notification_id for n in notices], [n.user_id for n in notices],
        [str(n.kind) for n in notices], [n.exam_id for n in notices])
    return added


async def exams_opening(conn, now: datetime, until: datetime) -> list[ExamForNotices]:
    rows = await conn.fetch(
        f"SELECT * FROM {NOTIFIER_EXAMS} WHERE status = 'published' AND opens_at > $1 "
        f"AND opens_at <= $2", now, until)
    return [_exam(r) for r in rows]


async def claim(conn, limit: int, stale_after_seconds: float) -> list:
    """Take up to ``limit`` notices due now for sending (this sender's until it reports). A
    notice held longer than ``stale_after_seconds`` by a sender that died is due again."""
    return await conn.fetch(
        f"UPDATE {NOTIFICATIONS} n SET status = 'sending', attempts = n.attempts + 1, "
        f"claimed_at = now() FROM (SELECT notification_id FROM {NOTIFICATIONS} "
        f"WHERE (status = 'queued' AND next_try_at <= now()) OR (status = 'sending' AND "
        f"claimed_at < now() - make_interval(secs => $2)) ORDER BY next_try_at LIMIT $1 "
        f"FOR UPDATE SKIP LOCKED) due WHERE n.notification_id = due.notification_id "
        f"RETURNING n.*", limit, stale_after_seconds)


async def record(conn, sent: list[tuple], skipped: list[tuple], retried: list[tuple]) -> None:
    """What happened to a claim's notices: ``sent`` (id, subject), ``skipped`` (id, reason),
    ``retried`` (id, error, delay in seconds, give up)."""
    done = [(i, "sent", subject, None) for i, subject in sent] + \
        [(i, "skipped", None, reason) for i, reason in skipped]
    if done:
        await conn.execute(
            f"UPDATE {NOTIFICATIONS} n SET status = d.status, "
            f"subject = coalesce(d.subject, n.subject), reason = coalesce(d.reason, n.reason), "
            f"sent_at = CASE WHEN d.status = 'sent' THEN now() ELSE n.sent_at END, "
            f"last_error = CASE WHEN d.status = 'sent' THEN NULL ELSE n.last_error END "
            f"FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) "
            f"AS d(notification_id, status, subject, reason) "
            f"WHERE n.notification_id = d.notification_id",
            *(list(column) for column in zip(*done)))
    if retried:
        await conn.executemany(
            f"UPDATE {NOTIFICATIONS} SET status = $2, last_error = $3, "
            f"next_try_at = now() + make_interval(secs => $4) WHERE notification_id = $1",
            [(i, "failed" if give_up else "queued", error[:2000], delay)
             for i, error, delay, give_up in retried])
