"""Auto-submit: every attempt is submitted within seconds of its deadline, with no browser
online.

The agent keeps the deadline of every open attempt in a table (``open_attempt_deadlines``,
keyed by attempt stream, in the partition of the attempt's events): ``AttemptStarted`` adds
one, an extension or a resume moves it, a pause stops it, ``AttemptSubmitted`` takes it
away. Once a second a timer looks through the open
attempts of this worker's partitions and submits the ones past their deadline through the
attempt's decider (``command_api.attempts.deadlines``): the command id is derived from the
attempt, so a second try (a restart, the next tick) submits nothing twice. faust tables are
changed only from their agent, so the timer remembers what it has submitted until the
``AttemptSubmitted`` comes back through the topic.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from uuid import UUID

import faust

from command_api.attempts.deadlines import submit_at_deadline
from eventlog.postgres import create_pool
from eventlog.store import PostgresEventStore
from eventlog.topics import DOMAIN_PARTITIONS
from schemas.events.attempt import (ATTEMPT, AttemptExtended, AttemptPaused, AttemptResumed,
                                    AttemptStarted, AttemptSubmitted)
from schemas.refusals import DomainError
from settings import get_settings
from stream_processors.app import app, decoded_events

TICK_SECONDS = 1.0
log = logging.getLogger("soems.stream_processors.deadlines")


class OpenAttempt(faust.Record, serializer="json"):
    attempt_id: str
    deadline: str  # ISO 8601, UTC
    started_event_id: str
    paused: bool = False  # a paused attempt's clock does not run out


attempt_events = app.source_topic(ATTEMPT)
open_attempts = app.Table("open_attempt_deadlines", partitions=DOMAIN_PARTITIONS,
                          key_type=str, value_type=OpenAttempt)


TRACKED = (AttemptStarted, AttemptExtended, AttemptPaused, AttemptResumed, AttemptSubmitted)


@app.agent(attempt_events)
async def track_deadlines(messages):
    async for recorded in decoded_events(messages, only=TRACKED):
        event, stream_id = recorded.payload, recorded.envelope.stream_id
        held = open_attempts.get(stream_id)
        match event:
            case AttemptStarted():
                open_attempts[stream_id] = OpenAttempt(
                    attempt_id=event.attempt_id, deadline=event.deadline.isoformat(),
                    started_event_id=str(recorded.envelope.event_id))
            case AttemptSubmitted():
                if held is not None:
                    del open_attempts[stream_id]
            case AttemptExtended() | AttemptResumed() if held is not None:
                open_attempts[stream_id] = OpenAttempt(
                    attempt_id=held.attempt_id, deadline=event.deadline.isoformat(),
                    started_event_id=held.started_event_id, paused=False)
            case AttemptPaused() if held is not None:
                open_attempts[stream_id] = OpenAttempt(
                    attempt_id=held.attempt_id, deadline=held.deadline,
                    started_event_id=held.started_event_id, paused=True)


class _Clock:
    """The event store (made on the first tick) and the attempts submitted meanwhile."""

    def __init__(self) -> None:
        self.store: PostgresEventStore | None = None
        self.submitted: set[str] = set()


_clock = _Clock()


@app.timer(TICK_SECONDS)
async def submit_past_deadlines() -> None:
    now = datetime.now(timezone.utc)
    open_ids = set()
    due = []
    # From the table's store: through the table, each of the (thousands of) reads a second
    # would also call faust's sensors.
    for held in list(open_attempts.data.values()):
        open_ids.add(held.attempt_id)
        if held.attempt_id not in _clock.submitted and not held.paused and \
                datetime.fromisoformat(held.deadline) <= now:
            due.append(held)
    _clock.submitted &= open_ids  # their AttemptSubmitted came back: forget them
    if not due:
        return
    if _clock.store is None:
        _clock.store = PostgresEventStore(await create_pool(
            get_settings(), min_size=1, max_size=4, role="command", reset_sessions=False))
    for held in due:
        try:
            await submit_at_deadline(_clock.store, held.attempt_id, now,
                                     caused_by=UUID(held.started_event_id))
        except DomainError as refused:  # e.g. the deadline moved later meanwhile
            log.info("attempt %s not submitted: %s", held.attempt_id, refused.code)
            continue
        except Exception:  # the database is away: the next tick tries again
            log.exception("attempt %s: submitting at its deadline failed", held.attempt_id)
            continue
        _clock.submitted.add(held.attempt_id)
        log.info("attempt %s submitted at its deadline %s", held.attempt_id, held.deadline)
