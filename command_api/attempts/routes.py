"""HTTP commands of exam day: start an attempt, save answers, submit.

The server's clock decides: every answer carries ``server_time`` and the attempt's
``deadline``, so the browser counts down from the server's deadline, not its own clock.
"""
from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timezone
from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from command_api.attempts.decider import (MAX_EXTENSION_MINUTES, Attempt, ExtendAttempt,
                                          KeepPlace, PauseAttempt, ResumeAttempt, SaveAnswer,
                                          StartAttempt, SubmitAttempt, attempt_decider,
                                          may_supervise)
from command_api.dependencies import Command, Personal, Store
from command_api.exams.decider import exam_decider
from command_api.handling import ReadStates, handle, load_state
from eventlog.store import CommandContext, EventStore
from schemas.events.attempt import (ANSWER_FIELD, SUPERVISION_REASON_FIELD, AttemptStatus,
                                    SubmitReason)
from schemas.refusals import DomainError
from schemas.text import EntityId, Text

router = APIRouter(tags=["attempts"])
# Every student of an exam starts from the same exam state: kept per process while unchanged.
EXAMS_STARTED = ReadStates(exam_decider)
# Starts under way at once in one process. At an exam's synchronized start a thousand Starts
# come within ten seconds, and a save of a student already in the exam waited behind all of
# them at every await (autosaves sent during the burst: p99 over 1 s, measured). Further
# Starts wait for a turn here, first come first served: a save waits for a few Starts, not for
# the whole crowd, and the Starts take no longer, the two cores being busy either way.
STARTS_AT_ONCE = 4
_start_turns = asyncio.Semaphore(STARTS_AT_ONCE)
_ATTEMPT_IDS = uuid5(NAMESPACE_URL, "https://soems.org/attempt")
MAX_ATTEMPTS_LOOKED_AT = 20  # attempts_allowed is at most this (the exam settings' bound)

LATE_SAVE = {"attempt_paused": "this attempt is paused by its proctor: the answer was not "
                               "saved (it is kept); save again when it resumes",
             "deadline_passed": "the time for this attempt is over: the answer was not saved "
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
    paused_at: datetime | None = None  # the clock is stopped since then
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
                "deadline": state.deadline, "paused_at": state.paused_at,
                "submitted_at": state.submitted_at, "submit_reason": state.submit_reason}
    return outcome


@router.post("/v1/exams/{exam_id}/start", response_model=AttemptCommandResult,
             summary="Start (or continue) your attempt at an exam assigned to you (students)")
async def start_attempt(exam_id: EntityId, ctx: Command, store: Store):
    async with _start_turns:
        return await _start(exam_id, ctx, store)


async def _start(exam_id: str, ctx: CommandContext, store: EventStore) -> dict:
    exam, _ = await EXAMS_STARTED.load(store, exam_id)
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
    # The student's other device starting it this very moment is a lost race to append:
    # handle decides again on the started attempt, which answers that attempt.
    result = await handle(store, attempt_decider, attempt_id, command, ctx,
                          _attempt_result(attempt_id))
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


class PlaceIn(BaseModel):
    """Where the student is: the questions flagged for review and the one on screen."""

    model_config = ConfigDict(extra="forbid")

    flagged: Annotated[list[EntityId], Field(max_length=500)] = []
    current_question_id: EntityId | None = None


class PlaceOut(BaseModel):
    flagged: list[str]
    current_question_id: str | None
    version: int


@router.put("/v1/attempts/{attempt_id}/place", response_model=PlaceOut,
            summary="Keep your flags for review and the question on screen (students), for a "
                    "resume on any device")
async def keep_place(attempt_id: EntityId, body: PlaceIn, ctx: Command, store: Store):
    def place(state: Attempt) -> dict:
        return {"flagged": list(state.flagged),
                "current_question_id": state.current_question_id, "version": state.version}

    return await handle(store, attempt_decider, attempt_id,
                        KeepPlace(attempt_id, ctx.actor, tuple(body.flagged),
                                  body.current_question_id), ctx, place)


@router.post("/v1/attempts/{attempt_id}/submit", response_model=AttemptCommandResult,
             summary="Hand in your attempt (students); its answers are final")
async def submit_attempt(attempt_id: EntityId, ctx: Command, store: Store):
    result = await handle(store, attempt_decider, attempt_id,
                          SubmitAttempt(attempt_id, ctx.actor, SubmitReason.STUDENT, now()),
                          ctx, _attempt_result(attempt_id))
    return {**result, "server_time": now()}


class AttemptExtensionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: Annotated[int, Field(ge=1, le=MAX_EXTENSION_MINUTES)]
    reason: Annotated[Text | None, Field(max_length=500, description=(
        "why (staff only; sealed: it can say something about the student)"))] = None


class AttemptPauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text | None, Field(max_length=500)] = None


async def _supervision(store: Store, personal: Personal, ctx, attempt_id: str,
                       reason: str | None) -> tuple[str | None, str | None]:
    """The exam's teacher, and the reason sealed with the student's key, once the caller is
    known to supervise the attempt (nobody else gets a key made or learns anything)."""
    attempt, _ = await load_state(store, attempt_decider, attempt_id)
    exam, _ = await load_state(store, exam_decider, attempt.exam_id) if attempt.exam_id else \
        (None, 0)
    teacher_id = exam.teacher_id if exam is not None else None
    if reason is None or attempt.status == "none" or not may_supervise(ctx.actor, teacher_id):
        return teacher_id, None
    return teacher_id, await personal.seal(attempt.student_id, SUPERVISION_REASON_FIELD, reason)


async def _supervise(store: Store, personal: Personal, ctx, attempt_id: str,
                     reason: str | None, command_of) -> dict:
    """Decide ``command_of(exam teacher id, sealed reason)`` on the attempt, as a supervisor."""
    teacher_id, sealed = await _supervision(store, personal, ctx, attempt_id, reason)
    result = await handle(store, attempt_decider, attempt_id, command_of(teacher_id, sealed),
                          ctx, _attempt_result(attempt_id))
    return {**result, "server_time": now()}


@router.post("/v1/attempts/{attempt_id}/extend", response_model=AttemptCommandResult,
             summary="Give one attempt more time (proctors, admins, the exam's teacher)")
async def extend_attempt(attempt_id: EntityId, body: AttemptExtensionIn, ctx: Command,
                         store: Store, personal: Personal):
    return await _supervise(store, personal, ctx, attempt_id, body.reason, lambda teacher, why:
                            ExtendAttempt(attempt_id, ctx.actor, teacher, body.minutes, why,
                                          now()))


@router.post("/v1/attempts/{attempt_id}/pause", response_model=AttemptCommandResult,
             summary="Stop an attempt's clock (proctors, admins, the exam's teacher)")
async def pause_attempt(attempt_id: EntityId, body: AttemptPauseIn, ctx: Command,
                        store: Store, personal: Personal):
    return await _supervise(store, personal, ctx, attempt_id, body.reason, lambda teacher, why:
                            PauseAttempt(attempt_id, ctx.actor, teacher, why, now()))


@router.post("/v1/attempts/{attempt_id}/resume", response_model=AttemptCommandResult,
             summary="Start a paused attempt's clock again; its deadline moves by the pause")
async def resume_attempt(attempt_id: EntityId, ctx: Command, store: Store, personal: Personal):
    return await _supervise(store, personal, ctx, attempt_id, None, lambda teacher, _:
                            ResumeAttempt(attempt_id, ctx.actor, teacher, now()))
