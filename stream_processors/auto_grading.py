"""Auto-grading: every submitted attempt is graded against its questions' keys, with nobody
pressing a button.

The agent reads ``AttemptSubmitted`` from the attempts topic (the other events are skipped
from their fingerprint, never decoded) and runs the grading command
(``command_api.grading.auto``), which reads the attempt and its pinned question revisions
from the event store and appends to the attempt's grading stream. The command id derives from
the attempt: a redelivery after a crash grades nothing twice.

A failure that may pass (the database restarting) is tried again with back-off, holding the
partition: grades come late, never lost. One that does not pass (a refusal, or still failing
after the last try) parks the submission in the topic's DLQ, from where an operator replays
it once the cause is fixed; the partition goes on.
"""
from __future__ import annotations

import asyncio
import logging

from command_api.grading.auto import grade_submitted
from eventlog.postgres import create_pool
from eventlog.store import PostgresEventStore
from schemas.events.attempt import ATTEMPT, AttemptSubmitted
from schemas.refusals import DomainError
from security.personal_data import PersonalData
from settings import get_settings
from stream_processors.app import app, decoded_messages, park

log = logging.getLogger("soems.stream_processors.auto_grading")
BACK_OFF_SECONDS = (0.5, 1, 2, 4, 8, 16)  # then the submission goes to the DLQ
# Submissions graded at once: grading one is a few round trips to PostgreSQL (the attempt,
# the keys, the grading stream, the append), so one at a time leaves the worker waiting.
# Order does not matter between attempts, and each attempt is graded once whatever the
# order (its command id). faust commits an offset once every message before it is done.
GRADERS = 8

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
    async for message, recorded in decoded_messages(messages, only=(AttemptSubmitted,)):
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
