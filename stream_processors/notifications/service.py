"""The notifier: exam events in, emails out.

Three loops in one process:
- the consumer reads the exam topic, keeps its view of each exam and queues the notices an
  event calls for, with its offsets, in one PostgreSQL transaction (a tracking record, as the
  projections keep theirs): a restart or a redelivery queues nothing twice;
- reminders go to every student of a published exam whose window opens within
  ``exam_reminder_hours`` (idempotent: one per exam and student): the consumer queues them
  for the exams an event changed, and a timer for the exams that time brings within the lead
  (each scan reads only those, never every exam);
- the sender claims due notices (``FOR UPDATE SKIP LOCKED``: several notifiers share the
  work), reads the people and exams they need in one go, renders and sends each on one of a
  few SMTP connections it keeps open, and records what happened. An SMTP failure is tried again
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
from schemas.events.exam import EXAM
from security.personal_data import ERASED
from settings import Settings
from stream_processors.notifications import mail, outbox
from stream_processors.notifications.notices import (Notice, NoticeKind, notices_for,
                                                     reminder_due)

log = logging.getLogger("soems.notifications")

GROUP = "notifier"
BATCH = 500
# A trickle of events and notices is gathered this long into one batch (emails are not in a
# hurry; a claim or a transaction per event costs more than the email).
GATHER_S = 0.25
GATHER_BYTES = 256 * 1024
SEND_BATCH = 100  # notices claimed at once (what they need is read in one go)
SENDERS = 4  # emails handed to the SMTP server at once, each on its own kept connection
# Outcomes are recorded this many emails at a time: a notifier that dies has at most these
# sent and not recorded, which go again (with the same Message-ID) once their claim is stale.
RECORD_EVERY = 20
REMINDER_SCAN_SECONDS = 30.0
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
        # Emails are not in a hurry: the broker gathers up to a quarter of a second of exam
        # events into one fetch, so a trickle of publications is one transaction, not many.
        consumer = AIOKafkaConsumer(bootstrap_servers=s.kafka_bootstrap, group_id=GROUP,
                                    enable_auto_commit=False, auto_offset_reset="earliest",
                                    max_poll_records=BATCH, fetch_min_bytes=GATHER_BYTES,
                                    fetch_max_wait_ms=int(GATHER_S * 1000))
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
                    now = datetime.now(timezone.utc)
                    async with pool.acquire() as conn, conn.transaction():
                        queued = await apply(
                            conn, [e for _, e in decoded],
                            now - timedelta(hours=s.notification_max_age_hours), now,
                            timedelta(hours=s.exam_reminder_hours))
                        await save_offsets(conn, outbox.OFFSETS_NAME, positions)
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
        """As time passes, exams come within the reminders' lead: each scan queues the
        reminders of those that came in since the one before (the first scan: of every exam
        within it). An exam published, moved or given students is looked at by the consumer,
        as its event arrives."""
        lead = timedelta(hours=self.settings.exam_reminder_hours)
        scanned_until = None
        while not stop.is_set():
            now = datetime.now(timezone.utc)
            try:
                if await queue_reminders(pool, now, lead, scanned_until):
                    self.wake.set()
                scanned_until = now
            except Exception:  # the database away: the next scan tries again
                log.exception("reminders not queued")
            try:
                await asyncio.wait_for(stop.wait(), timeout=REMINDER_SCAN_SECONDS)
            except asyncio.TimeoutError:
                pass

    # --- sending -----------------------------------------------------------------------

    async def _sender(self, pool, stop: asyncio.Event) -> None:
        postmen = Postmen(self.settings)
        try:
            while not stop.is_set():
                try:
                    sent = await send_due(self.settings, pool, postmen)
                except Exception:
                    log.exception("notices not sent")
                    sent = 0
                if sent < SEND_BATCH:  # caught up: wait for new notices (or a retry due)
                    self.wake.clear()
                    try:
                        await asyncio.wait_for(self.wake.wait(), timeout=1.0)
                    except asyncio.TimeoutError:
                        pass
                    await asyncio.sleep(GATHER_S)  # a trickle of notices: one claim, not many
        finally:
            await postmen.close()


async def apply(conn, events, not_before: datetime, now: datetime, lead: timedelta) -> int:
    """Fold a batch of exam events into the notifier's exams; queue the notices they call
    for, from events since ``not_before`` (a notifier started on a log of years past, or
    replaying it, tells nobody about exams long gone), and the reminders of the exams they
    changed that now open within ``lead``. In the caller's transaction; the number of notices
    new to the outbox."""
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
    return await outbox.queue(conn, notices + reminders(changed.values(), now, lead))


def reminders(exams, now: datetime, lead: timedelta) -> list[Notice]:
    """A reminder for every student of each of these exams whose window opens within
    ``lead`` (one per exam and student: queuing one again adds nothing)."""
    return [Notice(NoticeKind.EXAM_REMINDER, exam.exam_id, student)
            for exam in exams if reminder_due(exam, now, lead)
            for student in sorted(exam.assigned)]


async def queue_reminders(pool, now: datetime, lead: timedelta,
                          scanned_until: datetime | None) -> int:
    """The reminders of the exams that came within ``lead`` since ``scanned_until`` (None:
    of every exam within it)."""
    async with pool.acquire() as conn, conn.transaction():
        return await outbox.queue(conn, reminders(
            await outbox.exams_opening(conn, *scan_window(now, lead, scanned_until)), now,
            lead))


def scan_window(now: datetime, lead: timedelta,
                scanned_until: datetime | None) -> tuple[datetime, datetime]:
    """The openings (after, until] a reminder scan at ``now`` looks for: those that came
    within ``lead`` since the scan at ``scanned_until`` (the first: every one within it),
    never a window already open."""
    after = now if scanned_until is None else max(now, scanned_until + lead)
    return after, now + lead


class Postmen:
    """``SENDERS`` SMTP connections (``mail.Postman``), each lent to one email at a time."""

    def __init__(self, s: Settings) -> None:
        self._idle: asyncio.Queue[mail.Postman] = asyncio.Queue()
        self._all = [mail.Postman(s) for _ in range(SENDERS)]
        for postman in self._all:
            self._idle.put_nowait(postman)

    async def send(self, email: mail.Email) -> None:
        postman = await self._idle.get()
        try:
            await asyncio.to_thread(postman.send, email)
        finally:
            self._idle.put_nowait(postman)

    async def close(self) -> None:
        await asyncio.gather(*(asyncio.to_thread(p.close) for p in self._all))


async def send_due(s: Settings, pool, postmen: Postmen) -> int:
    """Send the notices due now (one claim); how many were claimed. What the emails need is
    read for the whole claim at once, and what happened is recorded ``RECORD_EVERY`` emails
    at a time."""
    async with pool.acquire() as conn:
        claimed = await outbox.claim(conn, SEND_BATCH, STALE_CLAIM_SECONDS)
        if not claimed:
            return 0
        people = {r["user_id"]: r for r in await conn.fetch(
            f"SELECT user_id, email, name, disabled, exam_reminders FROM {USERS.qualified} "
            f"WHERE user_id = ANY($1::text[])", list({r["user_id"] for r in claimed}))}
        exams = await outbox.load_exams(conn, {r["exam_id"] for r in claimed})
        results = [r for r in claimed if r["kind"] == NoticeKind.RESULTS_PUBLISHED]
        attempts = {(r["exam_id"], r["student_id"]): r["attempt_id"] for r in await conn.fetch(
            f"SELECT DISTINCT ON (exam_id, student_id) exam_id, student_id, attempt_id "
            f"FROM {ATTEMPT_GRADES.qualified} WHERE (exam_id, student_id) IN (SELECT * FROM "
            f"unnest($1::text[], $2::text[])) ORDER BY exam_id, student_id, opened_at DESC",
            [r["exam_id"] for r in results], [r["user_id"] for r in results])} \
            if results else {}
    for at in range(0, len(claimed), RECORD_EVERY):
        outcomes = Outcomes()
        failures = await asyncio.gather(*(
            _send_one(s, postmen, row, people.get(row["user_id"]), exams.get(row["exam_id"]),
                      attempts.get((row["exam_id"], row["user_id"])), outcomes)
            for row in claimed[at:at + RECORD_EVERY]), return_exceptions=True)
        for failure in failures:  # a bug, not the SMTP server: its notice goes again when
            if failure is not None:  # its claim is stale; the others are recorded below
                log.error("a notice failed", exc_info=failure)
        async with pool.acquire() as conn, conn.transaction():
            await outbox.record(conn, outcomes.sent, outcomes.skipped, outcomes.retried)
    return len(claimed)


class Outcomes:
    """What happened to each notice of a claim, recorded together afterwards."""

    def __init__(self) -> None:
        self.sent: list[tuple] = []  # (notification id, subject)
        self.skipped: list[tuple] = []  # (notification id, reason)
        self.retried: list[tuple] = []  # (notification id, error, delay s, give up)


async def _send_one(s: Settings, postmen: Postmen, row, person, exam, attempt,
                    outcomes: Outcomes) -> None:
    kind = NoticeKind(row["kind"])
    reason = _skip_reason(kind, row["user_id"], person, exam, attempt)
    if reason == "not_known_yet":  # the users read model behind the exam topic: later
        outcomes.retried.append((row["notification_id"], "account not in the read model yet",
                                 5.0 * row["attempts"],
                                 row["attempts"] >= s.notification_max_attempts))
        return
    if reason:
        outcomes.skipped.append((row["notification_id"], reason))
        NOTICES.labels(kind, "skipped").inc()
        return
    site = s.site_url
    link = f"{site}/student/attempts/{attempt}/results" if attempt else f"{site}/student"
    email = mail.render(kind, to=person["email"], name=person["name"], title=exam.title,
                        opens_at=exam.opens_at, closes_at=exam.closes_at, link=link,
                        profile_link=f"{site}/account",
                        message_id=f"<{row['notification_id']}@soems>")
    try:
        await postmen.send(email)
    except Exception as failed:
        give_up = mail.permanent(failed) or row["attempts"] >= s.notification_max_attempts
        log.warning("notice %s to %s not sent (try %d): %s", row["notification_id"],
                    row["user_id"], row["attempts"], failed)
        outcomes.retried.append((row["notification_id"], repr(failed),
                                 back_off_seconds(row["attempts"]), give_up))
        NOTICES.labels(kind, "failed" if give_up else "retried").inc()
        return
    outcomes.sent.append((row["notification_id"], email.subject))
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

