"""HTTP commands of exam day: start an attempt, save answers, submit.

The server's clock decides: every answer carries ``server_time`` and the attempt's
``deadline``, so the browser counts down from the server's deadline, not its own clock.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timezone
from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from command_api.attempts.decider import (Attempt, SaveAnswer, StartAttempt, SubmitAttempt,
                                          attempt_decider)
from command_api.dependencies import Command, Personal, Store
from command_api.exams.decider import exam_decider
from command_api.handling import handle, load_state
from eventlog.store import ConcurrencyError
from schemas.events.attempt import ANSWER_FIELD, AttemptStatus, SubmitReason
from schemas.refusals import DomainError
from schemas.text import EntityId

router = APIRouter(tags=["attempts"])
_ATTEMPT_IDS = uuid5(NAMESPACE_URL, "https://soems.org/attempt")
MAX_ATTEMPTS_LOOKED_AT = 20  # attempts_allowed is at most this (the exam settings' bound)

LATE_SAVE = {"deadline_passed": "the time for this attempt is over: the answer was not saved "
                                "(it is kept for an appeal)",
             "attempt_submitted": "this attempt was submitted: the answer was not saved (it is "
                                  "kept for an appeal)"}


def attempt_id_for(exam_id: str, student_id: str, number: int) -> str:
    """Derived, so that Start pressed twice, or on two devices, names the same attempt."""
    return str(uuid5(_ATTEMPT_IDS, f"{exam_id}/{student_id}/{number}"))


def now() -> datetime:
    return datetime.now(timezone.utc)


class AttemptCommandResult(BaseModel):
    attempt_id: str
    exam_id: str
    status: str
    number: int
    started_at: datetime | None
    deadline: datetime | None
    submitted_at: datetime | None = None
    submit_reason: str | None = None
    server_time: datetime  # the server's clock when it answered: the browser's offset
    version: int


class AnswerIn(BaseModel):
    """One answer: the options picked (choice, true/false: "true" or "false"), a text
    (short and long answers) or code. Only what the question's type uses is kept."""

    model_config = ConfigDict(extra="forbid")

    option_ids: Annotated[list[Annotated[str, Field(max_length=200)]] | None,
                          Field(max_length=20)] = None
    text: Annotated[str | None, Field(max_length=50_000)] = None
    code: Annotated[str | None, Field(max_length=100_000)] = None


class SaveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    client_seq: Annotated[int, Field(ge=1, le=2**31 - 1, description=(
        "The browser's count of its saves of this question: a save with a lower count than "
        "the one kept is acknowledged and not applied"))]
    answer: AnswerIn


class SaveReceipt(BaseModel):
    """The answer kept for the question (the newest ``client_seq``) and when it was saved."""

    question_id: str
    client_seq: int
    saved_at: datetime
    superseded: bool  # this save was older than the one kept: not applied
    deadline: datetime
    server_time: datetime
    version: int


def _attempt_result(attempt_id: str):
    def outcome(state: Attempt) -> dict:
        return {"attempt_id": attempt_id, "exam_id": state.exam_id, "status": state.status,
                "number": state.number, "started_at": state.started_at,
                "deadline": state.deadline, "submitted_at": state.submitted_at,
                "submit_reason": state.submit_reason}
    return outcome


@router.post("/v1/exams/{exam_id}/start", response_model=AttemptCommandResult,
             summary="Start (or continue) your attempt at an exam assigned to you (students)")
async def start_attempt(exam_id: EntityId, ctx: Command, store: Store):
    exam, _ = await load_state(store, exam_decider, exam_id)
    # The student's attempts in order: the first one not submitted is the one to continue.
    number = 1
    attempt_id = attempt_id_for(exam_id, ctx.actor.user_id, number)
    attempt, _ = await load_state(store, attempt_decider, attempt_id)
    while attempt.status == AttemptStatus.SUBMITTED and number <= MAX_ATTEMPTS_LOOKED_AT:
        number += 1
        attempt_id = attempt_id_for(exam_id, ctx.actor.user_id, number)
        attempt, _ = await load_state(store, attempt_decider, attempt_id)
    started = now()
    command = StartAttempt(attempt_id, ctx.actor, exam_id, exam, number, secrets.token_hex(16),
                           started)
    try:
        result = await handle(store, attempt_decider, attempt_id, command, ctx,
                              _attempt_result(attempt_id))
    except ConcurrencyError:  # the student's other device started it this very moment
        attempt, version = await load_state(store, attempt_decider, attempt_id)
        result = {**_attempt_result(attempt_id)(attempt), "version": version}
    return {**result, "server_time": now()}


@router.put("/v1/attempts/{attempt_id}/answers/{question_id}", response_model=SaveReceipt,
            summary="Save your answer to one question (autosave); acknowledged once committed")
async def save_answer(attempt_id: EntityId, question_id: EntityId, body: SaveIn, ctx: Command,
                      store: Store, personal: Personal):
    # Sealed before it is decided on: the log never holds an answer in the clear.
    sealed = await personal.seal(ctx.actor.user_id, ANSWER_FIELD,
                                 body.answer.model_dump_json(exclude_none=True))
    at = now()

    def receipt(state: Attempt) -> dict:
        kept = state.receipts.get(question_id)
        refused = state.refused[0] if state.refused and state.refused[1] == state.version \
            else None
        return {"question_id": question_id, "refused": refused,
                "client_seq": kept.client_seq if kept else None,
                "saved_at": kept.saved_at if kept else None,
                "superseded": kept is not None and kept.client_seq > body.client_seq,
                "deadline": state.deadline}

    result = await handle(store, attempt_decider, attempt_id,
                          SaveAnswer(attempt_id, ctx.actor, question_id, body.client_seq,
                                     sealed, at), ctx, receipt)
    if result.get("refused"):  # a retry of a refused save is refused again
        # (A stored outcome holds the deadline as text: the same ISO form either way.)
        raise DomainError(result["refused"], LATE_SAVE[result["refused"]], field="attempt_id",
                          deadline=datetime.fromisoformat(str(result["deadline"])).isoformat())
    return {**result, "server_time": now()}


@router.post("/v1/attempts/{attempt_id}/submit", response_model=AttemptCommandResult,
             summary="Hand in your attempt (students); its answers are final")
async def submit_attempt(attempt_id: EntityId, ctx: Command, store: Store):
    result = await handle(store, attempt_decider, attempt_id,
                          SubmitAttempt(attempt_id, ctx.actor, SubmitReason.STUDENT, now()),
                          ctx, _attempt_result(attempt_id))
    return {**result, "server_time": now()}
