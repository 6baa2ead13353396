"""The notifier: exam events in, emails out.

Three loops in one process:
- the consumer reads the exam topic, keeps its view of each exam and queues the notices an
  event calls for, with its offsets, in one PostgreSQL transaction (a tracking record, as the
  projections keep theirs): a restart or a redelivery queues nothing twice;
- the reminder timer queues a reminder for every student of a published exam whose window
  opens within ``exam_reminder_hours`` (idempotent: one per exam and student);
- the sender claims due notices (``FOR UPDATE SKIP LOCKED``: several notifiers share the
  work), renders and sends each, and records what happened. An SMTP failure is tried again
  with back-off, up to ``notification_max_attempts``; an address the server refuses, an
  erased or disabled account, or a reminder its reader turned off is skipped with the reason.

Emails are read from the users read model when sent, never kept with the notice: erasing a
person leaves their history without an address, and no email goes to them afterwards.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta, timezone

from aiokafka import AIOKafkaConsumer
from prometheus_client import Counter

from eventlog.metrics import record_lag
from eventlog.postgres import create_pool
from eventlog.projection import DeadLetters, SeekToStored, decode_all, save_offsets
from eventlog.topics import ensure_topics
from projections.attempt_grades import ATTEMPT_GRADES
from projections.users import USERS
from schemas.events.exam import (EXAM, ExamPublished, ExamUpdated, StudentsAssigned,
                                 StudentsUnassigned)
from security.personal_data import ERASED
from settings import Settings
from stream_processors.notifications import mail, outbox
from stream_processors.notifications.notices import (Notice, NoticeKind, notices_for,
                                                     reminder_due)

log = logging.getLogger("soems.notifications")

GROUP = "notifier"
BATCH = 500
SEND_BATCH = 20
SENDERS = 4  # emails handed to the SMTP server at once
REMINDER_SCAN_SECONDS = 30.0
# Events that may bring a reminder due at once (a scan also runs every 30 s as time passes).
RESCHEDULING = (ExamPublished, ExamUpdated, StudentsAssigned, StudentsUnassigned)
# A claimed notice whose sender died is due again after this long.
STALE_CLAIM_SECONDS = 300.0


def back_off_seconds(attempt: int) -> float:
    """30 s, 1 min, 2 min, ... up to an hour between tries."""
    return min(30.0 * 2 ** max(attempt - 1, 0), 3600.0)


NOTICES = Counter("soems_notifications_total", "Notices by outcome", ["kind", "outcome"])


class Notifier:
    def __init__(self, s: Settings) -> None:
        self.settings = s
        self.wake = asyncio.Event()  # notices queued: send them now
        self.rescan = asyncio.Event()  # an exam published or moved: look for reminders now

    async def run(self, stop: asyncio.Event) -> None:
        s = self.settings
        await asyncio.to_thread(ensure_topics, s)
        pool = await create_pool(s, min_size=1, max_size=SENDERS + 2, role="projection")
        try:
            await outbox.set_up(pool)
            tasks = [asyncio.create_task(self._reminders(pool, stop)),
                     asyncio.create_task(self._sender(pool, stop))]
            try:
                await self._consume(pool, stop)
            finally:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            await pool.close()

    # --- events to notices -------------------------------------------------------------

    async def _consume(self, pool, stop: asyncio.Event) -> None:
        s = self.settings
        consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=GROUP,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    max_poll_records=BATCH)
        dead = DeadLetters(s.kafka_bootstrap, GROUP)
        consumer.subscribe([EXAM.topic],
                           listener=SeekToStored(consumer, pool, outbox.OFFSETS_NAME))
        await consumer.start()
        try:
            while not stop.is_set():
                batch = await consumer.getmany(timeout_ms=300, max_records=BATCH)
                if batch:
                    messages = [m for ms in batch.values() for m in ms]
                    positions = {tp: ms[-1].offset + 1 for tp, ms in batch.items()}
                    decoded, failed = decode_all(messages)
                    async with pool.acquire() as conn, conn.transaction():
                        queued = await apply(conn, [e for _, e in decoded], datetime.now(
                            timezone.utc) - timedelta(hours=s.notification_max_age_hours))
                        await save_offsets(conn, outbox.OFFSETS_NAME, positions)
                    if any(isinstance(e.payload, RESCHEDULING) for _, e in decoded):
                        self.rescan.set()
                    for message, error in failed:
                        await dead.park(message, error)
                    if queued:
                        self.wake.set()
                await record_lag(consumer, GROUP)
        finally:
            await consumer.stop()
            await dead.stop()

    # --- reminders ---------------------------------------------------------------------

    async def _reminders(self, pool, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                if await queue_reminders(pool, datetime.now(timezone.utc),
                                         timedelta(hours=self.settings.exam_reminder_hours)):
                    self.wake.set()
            except Exception:  # the database away: the next scan tries again
                log.exception("reminders not queued")
            self.rescan.clear()
            try:
                await asyncio.wait_for(self.rescan.wait(), timeout=REMINDER_SCAN_SECONDS)
            except asyncio.TimeoutError:
                pass

    # --- sending -----------------------------------------------------------------------

    async def _sender(self, pool, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                sent = await send_due(self.settings, pool)
            except Exception:
                log.exception("notices not sent")
                sent = 0
            if sent < SEND_BATCH:  # caught up: wait for new notices (or a retry falling due)
                self.wake.clear()
                try:
                    await asyncio.wait_for(self.wake.wait(), timeout=1.0)
                except asyncio.TimeoutError:
                    pass


async def apply(conn, events, not_before: datetime) -> int:
    """Fold a batch of exam events into the notifier's exams; queue the notices they call
    for, from events since ``not_before`` (a notifier started on a log of years past, or
    replaying it, tells nobody about exams long gone). In the caller's transaction; the
    number of notices new to the outbox."""
    exam_ids = {e.payload.exam_id for e in events}
    exams = await outbox.load_exams(conn, exam_ids)
    changed, notices = {}, []
    for event in events:
        exam_id = event.payload.exam_id
        after, more = notices_for(exams.get(exam_id), event.payload)
        if after is not None:
            exams[exam_id] = changed[exam_id] = after
        if event.envelope.occurred_at >= not_before:
            notices += more
    await outbox.save_exams(conn, changed.values())
    return await outbox.queue(conn, notices)


async def queue_reminders(pool, now: datetime, lead: timedelta) -> int:
    async with pool.acquire() as conn, conn.transaction():
        exams = await outbox.exams_opening(conn, now, now + lead)
        notices = [Notice(NoticeKind.EXAM_REMINDER, exam.exam_id, student)
                   for exam in exams if reminder_due(exam, now, lead)
                   for student in sorted(exam.assigned)]
        return await outbox.queue(conn, notices)


async def send_due(s: Settings, pool) -> int:
    """Send the notices due now (one claim); how many were claimed."""
    async with pool.acquire() as conn:
        claimed = await outbox.claim(conn, SEND_BATCH, STALE_CLAIM_SECONDS)
    if not claimed:
        return 0
    gate = asyncio.Semaphore(SENDERS)

    async def one(row) -> None:
        async with gate:
            await _send_one(s, pool, row)

    await asyncio.gather(*(one(row) for row in claimed))
    return len(claimed)


async def _send_one(s: Settings, pool, row) -> None:
    kind = NoticeKind(row["kind"])
    async with pool.acquire() as conn:
        person = await conn.fetchrow(
            f"SELECT email, name, disabled, exam_reminders FROM {USERS.qualified} "
            f"WHERE user_id = $1", row["user_id"])
        exam = (await outbox.load_exams(conn, [row["exam_id"]])).get(row["exam_id"])
        attempt = await conn.fetchval(
            f"SELECT attempt_id FROM {ATTEMPT_GRADES.qualified} WHERE exam_id = $1 AND "
            f"student_id = $2 ORDER BY opened_at DESC LIMIT 1", row["exam_id"], row["user_id"]
        ) if kind == NoticeKind.RESULTS_PUBLISHED else None
        reason = _skip_reason(kind, row["user_id"], person, exam, attempt)
        if reason == "not_known_yet":  # the users read model behind the exam topic: later
            await outbox.retry_later(conn, row["notification_id"], "account not in the read "
                                     "model yet", 5.0 * row["attempts"],
                                     give_up=row["attempts"] >= s.notification_max_attempts)
            return
        if reason:
            await outbox.skipped(conn, row["notification_id"], reason)
            NOTICES.labels(kind, "skipped").inc()
            return
    site = s.site_url
    link = f"{site}/student/attempts/{attempt}/results" if attempt else f"{site}/student"
    email = mail.render(kind, to=person["email"], name=person["name"], title=exam.title,
                        opens_at=exam.opens_at, closes_at=exam.closes_at, link=link,
                        profile_link=f"{site}/account",
                        message_id=f"<{row['notification_id']}@soems>")
    try:
        await asyncio.to_thread(mail.send, s, email)
    except Exception as failed:
        give_up = mail.permanent(failed) or row["attempts"] >= s.notification_max_attempts
        log.warning("notice %s to %s not sent (try %d): %s", row["notification_id"],
                    row["user_id"], row["attempts"], failed)
        async with pool.acquire() as conn:
            await outbox.retry_later(conn, row["notification_id"], repr(failed),
                                     back_off_seconds(row["attempts"]), give_up)
        NOTICES.labels(kind, "failed" if give_up else "retried").inc()
        return
    async with pool.acquire() as conn:
        await outbox.sent(conn, row["notification_id"], email.subject)
    NOTICES.labels(kind, "sent").inc()


def _skip_reason(kind: NoticeKind, person_id: str, person, exam, attempt) -> str | None:
    if person is None:
        return "not_known_yet"
    if person["email"] == ERASED:
        return "erased"
    if person["disabled"]:
        return "account_disabled"
    if exam is None or exam.status == "deleted":
        return "exam_deleted"
    if kind != NoticeKind.RESULTS_PUBLISHED and person_id not in exam.assigned:
        return "unassigned"
    if kind == NoticeKind.EXAM_REMINDER and not person["exam_reminders"]:
        return "reminders_off"
    if kind == NoticeKind.RESULTS_PUBLISHED and attempt is None:
        return "no_attempt"
    return None

