"""The clock's command: submit an attempt whose deadline has passed, exactly once.

Run by the auto-submit stream processor (``stream_processors/deadlines.py``) with nobody's
browser online. The command id is derived from the attempt, so the processor may try again
(a restart, a redelivery) and the attempt is still submitted once; an attempt its student
submitted first is left as it is.
"""
from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from command_api.attempts.decider import SubmitAttempt, attempt_decider
from command_api.handling import handle
from eventlog.store import CommandContext, EventStore
from schemas.envelope import SYSTEM
from schemas.events.attempt import SubmitReason

_DEADLINE_SUBMITS = uuid5(NAMESPACE_URL, "https://soems.org/attempt/deadline-submit")


async def submit_at_deadline(store: EventStore, attempt_id: str, now: datetime,
                             caused_by: UUID | None = None) -> dict:
    """``caused_by``: the AttemptStarted event whose deadline this is (for the audit)."""
    ctx = CommandContext(command_id=uuid5(_DEADLINE_SUBMITS, attempt_id), actor=SYSTEM,
                         causation_id=caused_by)
    return await handle(store, attempt_decider, attempt_id,
                        SubmitAttempt(attempt_id, SYSTEM, SubmitReason.DEADLINE, now), ctx,
                        lambda state: {"attempt_id": attempt_id, "status": state.status,
                                       "submit_reason": state.submit_reason})
