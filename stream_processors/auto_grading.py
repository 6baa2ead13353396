"""Auto-grading: every submitted attempt is graded against its questions' keys, with nobody
pressing a button.

The agent reads ``AttemptSubmitted`` from the attempts topic (the other events are skipped
from their fingerprint, never decoded) and runs the grading command
(``command_api.grading.auto``), which reads the attempt and its pinned question revisions
from the event store and appends to the attempt's grading stream. The command id derives from
the attempt: a redelivery after a crash grades nothing twice.

Submissions are graded a batch at a time (``grade_submitted_batch``: their streams in one
read, one key query, their grading streams in one transaction): five round trips per attempt
were the grader's bound. A batch that cannot be graded at once (one of its attempts graded
before: a redelivery) is graded one submission at a time, as is a lone submission. A failure
that may pass (the database restarting) is tried again with back-off, holding the
partition: grades come late, never lost. One that does not pass (a refusal, or still failing
after the last try) parks the submission in the topic's DLQ, from where an operator replays
it once the cause is fixed; the partition goes on.
"""
from __future__ import annotations

import asyncio
import logging

from command_api.grading.auto import grade_submitted, grade_submitted_batch
from eventlog.postgres import create_pool
from eventlog.store import PostgresEventStore
from schemas.events.attempt import ATTEMPT, AttemptSubmitted
from schemas.refusals import DomainError
from security.personal_data import PersonalData
from settings import get_settings
from stream_processors.app import app, decoded_batches, park

log = logging.getLogger("soems.stream_processors.auto_grading")
BACK_OFF_SECONDS = (0.5, 1, 2, 4, 8, 16)  # then the submission goes to the DLQ
# Submissions graded at once: grading one is a few round trips to PostgreSQL (the attempt,
# the keys, the grading stream, the append), so one at a time leaves the worker waiting.
# Order does not matter between attempts, and each attempt is graded once whatever the
# order (its command id). faust commits an offset once every message before it is done.
GRADERS = 8
# Submissions are graded a batch at a time (one read of their streams, one key query, one
# transaction for their grading streams): up to this many messages of the attempts topic, or
# what came within BATCH_WAIT_S (the wait a lone submission's grade may take more).
BATCH = 64
BATCH_WAIT_S = 0.05

submissions = app.source_topic(ATTEMPT)


class _Grader:
    """The event store and the personal-data keys, made on the first submission."""

    def __init__(self) -> None:
        self.store: PostgresEventStore | None = None
        self.personal: PersonalData | None = None
        self._making: asyncio.Lock | None = None

    async def ready(self) -> tuple[PostgresEventStore, PersonalData]:
        if self._making is None:
            self._making = asyncio.Lock()  # made in the worker's event loop
        async with self._making:  # the concurrent graders share one pool
            if self.store is None:
                s = get_settings()
                # The command API's pool settings: grading leaves no session state behind,
                # so no reset round trip on every release.
                pool = await create_pool(s, min_size=1, max_size=GRADERS, role="command",
                                         reset_sessions=False)
                self.store, self.personal = PostgresEventStore(pool), PersonalData(
                    pool, s.personal_data_key)
        return self.store, self.personal


_grader = _Grader()


@app.agent(submissions, concurrency=GRADERS)
async def grade_submissions(messages):
    async for batch in decoded_batches(messages, (AttemptSubmitted,), BATCH, BATCH_WAIT_S):
        graded: set[str] = set()
        if len(batch) > 1:
            try:
                store, personal = await _grader.ready()
                graded = set(await grade_submitted_batch(store, personal, [
                    (recorded.payload.attempt_id, recorded.envelope.event_id)
                    for _, recorded in batch]))
            except Exception as failed:  # each on its own below: retried, or parked
                log.warning("a batch of %d submissions not graded at once: %s", len(batch),
                            failed)
        for message, recorded in batch:
            if recorded.payload.attempt_id not in graded:
                await _grade_one(message, recorded)


async def _grade_one(message, recorded) -> None:
    """One submission, with back-off while the failure may pass, else to the DLQ."""
    attempt_id = recorded.payload.attempt_id
    for attempt, pause in enumerate((*BACK_OFF_SECONDS, None)):
        try:
            store, personal = await _grader.ready()
            graded = await grade_submitted(store, personal, attempt_id,
                                           caused_by=recorded.envelope.event_id)
        except DomainError as refused:
            log.error("attempt %s not graded: %s", attempt_id, refused)
            await park(message, refused)
        except Exception as failed:  # the database is away: try again, then park it
            if pause is None:
                log.exception("attempt %s: grading failed %d times", attempt_id, attempt)
                await park(message, failed)
            else:
                log.warning("attempt %s: grading failed (%s); again in %s s", attempt_id,
                            failed, pause)
                await asyncio.sleep(pause)
                continue
        else:
            log.debug("attempt %s graded: %s of %s, %d pending", attempt_id,
                      graded["score"], graded["max_score"], len(graded["pending"]))
        break
