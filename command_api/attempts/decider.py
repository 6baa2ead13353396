"""Attempt decisions, pure: start (once), save answers (newest per question wins, late ones
kept but refused), submit (once). Time is an input: the route passes the server's clock."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from command_api.exams.decider import Exam
from command_api.exams.draw import draw_questions
from command_api.handling import Decider
from schemas.envelope import Actor, DomainEvent
from schemas.events.attempt import (ATTEMPT, AnswerRefused, AnswerSaved, AttemptExtended,
                                    AttemptPaused, AttemptQuestion, AttemptResumed,
                                    AttemptStarted, AttemptStatus, AttemptSubmitted, PlaceKept,
                                    SubmitReason)
from schemas.events.exam import ExamStatus
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from security.roles import Role
from security.visibility import may_supervise_exam

# A save sent just before the deadline may arrive just after it: accepted this much later
# (the auto-submit comes within 5 s of the deadline; a submitted attempt takes no save).
SAVE_GRACE = timedelta(seconds=2)


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StartAttempt:
    """``number``: which attempt of the student's this is; ``seed`` orders the draw."""

    attempt_id: str
    actor: Actor
    exam_id: str
    exam: Exam
    number: int
    seed: str
    now: datetime


@dataclass(frozen=True)
class SaveAnswer:
    """``answer``: the answer's JSON, sealed with the student's key by the route."""

    attempt_id: str
    actor: Actor
    question_id: str
    client_seq: int
    answer: str
    now: datetime


@dataclass(frozen=True)
class KeepPlace:
    """The student's flags for review and the question on screen."""

    attempt_id: str
    actor: Actor
    flagged: tuple[str, ...]
    current_question_id: str | None


@dataclass(frozen=True)
class SubmitAttempt:
    attempt_id: str
    actor: Actor
    reason: str  # a SubmitReason
    now: datetime


@dataclass(frozen=True)
class ExtendAttempt:
    """``exam_teacher_id``: the exam's teacher (who may supervise it, besides proctors and
    admins); ``reason`` sealed with the student's key by the route."""

    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    minutes: int
    reason: str | None
    now: datetime


@dataclass(frozen=True)
class PauseAttempt:
    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    reason: str | None
    now: datetime


@dataclass(frozen=True)
class ResumeAttempt:
    attempt_id: str
    actor: Actor
    exam_teacher_id: str | None
    now: datetime


MAX_EXTENSION_MINUTES = 24 * 60


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Receipt:
    """What a save of one question answered: the newest kept ``client_seq`` for it."""

    client_seq: int
    saved_at: datetime
    version: int


@dataclass(frozen=True)
class Attempt:
    status: str = "none"  # none, then an AttemptStatus
    exam_id: str = ""
    student_id: str = ""
    number: int = 0
    started_at: datetime | None = None
    deadline: datetime | None = None
    question_ids: tuple[str, ...] = ()
    receipts: dict[str, Receipt] = field(default_factory=dict)
    submitted_at: datetime | None = None
    submit_reason: str | None = None
    version: int = 0  # events so far: a receipt names the version its save made
    # Why the last save was refused, and the version its AnswerRefused made (the route
    # answers 409 when that was this command's event).
    refused: tuple[str, int] | None = None
    paused_at: datetime | None = None  # the clock is stopped since then
    flagged: tuple[str, ...] = ()  # for review, in the order flagged
    current_question_id: str | None = None


def evolve(state: Attempt, event: DomainEvent) -> Attempt:
    state = replace(state, version=state.version + 1)
    match event:
        case AttemptStarted():
            return replace(state, status=AttemptStatus.IN_PROGRESS, exam_id=event.exam_id,
                           student_id=event.student_id, number=event.number,
                           started_at=event.started_at, deadline=event.deadline,
                           question_ids=tuple(q.question_id for q in event.questions))
        case AnswerSaved():
            return replace(state, receipts={**state.receipts, event.question_id: Receipt(
                event.client_seq, event.saved_at, state.version)})
        case AnswerRefused():
            return replace(state, refused=(event.reason, state.version))
        case AttemptExtended():
            return replace(state, deadline=event.deadline)
        case AttemptPaused():
            return replace(state, paused_at=event.paused_at)
        case AttemptResumed():
            return replace(state, paused_at=None, deadline=event.deadline)
        case PlaceKept():
            return replace(state, flagged=tuple(event.flagged),
                           current_question_id=event.current_question_id)
        case AttemptSubmitted():
            return replace(state, status=AttemptStatus.SUBMITTED,
                           submitted_at=event.submitted_at, submit_reason=event.reason)
    return state


# --- decisions ---------------------------------------------------------------------------

def decide(command, state: Attempt) -> list[DomainEvent]:
    match command:
        case StartAttempt():
            return _start(command, state)
        case SaveAnswer():
            _own(command.actor, state, command.attempt_id)
            if command.question_id not in state.question_ids:
                raise NotFound("question_not_in_attempt", f"question {command.question_id} "
                               f"is not in this attempt", field="question_id")
            late = "attempt_submitted" if state.status == AttemptStatus.SUBMITTED else \
                "attempt_paused" if state.paused_at is not None else \
                "deadline_passed" if command.now > state.deadline + SAVE_GRACE else None
            if late:
                return [AnswerRefused(attempt_id=command.attempt_id,
                                      question_id=command.question_id,
                                      client_seq=command.client_seq, answer=command.answer,
                                      reason=late, refused_at=command.now)]
            kept = state.receipts.get(command.question_id)
            if kept is not None and command.client_seq <= kept.client_seq:
                return []  # an older save arriving late: acknowledged, not applied
            return [AnswerSaved(attempt_id=command.attempt_id, question_id=command.question_id,
                                client_seq=command.client_seq, answer=command.answer,
                                saved_at=command.now)]
        case KeepPlace():
            return _keep_place(command, state)
        case SubmitAttempt():
            if command.reason == SubmitReason.STUDENT:
                _own(command.actor, state, command.attempt_id)
            elif state.status == "none":
                raise NotFound("attempt_not_found", f"attempt {command.attempt_id} does not "
                               f"exist", field="attempt_id")
            if state.status == AttemptStatus.SUBMITTED:
                return []
            if command.reason == SubmitReason.DEADLINE and (
                    state.paused_at is not None or command.now < state.deadline):
                raise DomainError("deadline_not_reached", f"attempt {command.attempt_id} "
                                  f"runs until {state.deadline.isoformat()}"
                                  f"{' (paused)' if state.paused_at else ''}")
            return [AttemptSubmitted(attempt_id=command.attempt_id, reason=command.reason,
                                     submitted_at=command.now,
                                     submitted_by=command.actor.user_id)]
        case ExtendAttempt():
            _supervised(command, state)
            if not 1 <= command.minutes <= MAX_EXTENSION_MINUTES:
                raise Invalid("minutes_out_of_range", f"extend by 1 to {MAX_EXTENSION_MINUTES} "
                              f"minutes", field="minutes")
            return [AttemptExtended(
                attempt_id=command.attempt_id, minutes=command.minutes,
                deadline=state.deadline + timedelta(minutes=command.minutes),
                reason=command.reason, extended_by=command.actor.user_id)]
        case PauseAttempt():
            _supervised(command, state)
            if state.paused_at is not None:
                return []
            return [AttemptPaused(attempt_id=command.attempt_id, paused_at=command.now,
                                  reason=command.reason, paused_by=command.actor.user_id)]
        case ResumeAttempt():
            _supervised(command, state)
            if state.paused_at is None:
                return []
            stopped = max(command.now - state.paused_at, timedelta(0))
            return [AttemptResumed(attempt_id=command.attempt_id, resumed_at=command.now,
                                   deadline=state.deadline + stopped,
                                   resumed_by=command.actor.user_id)]
    raise TypeError(f"not an attempt command: {command!r}")


def may_supervise(actor: Actor, exam_teacher_id: str | None) -> bool:
    """Proctors and admins supervise every attempt, a teacher those of their own exams."""
    return may_supervise_exam(actor.user_id, actor.role, exam_teacher_id)


def _supervised(command, state: Attempt) -> None:
    """To anyone who may not supervise it an attempt does not exist. Only an attempt in
    progress is changed."""
    if state.status == "none" or not may_supervise(command.actor, command.exam_teacher_id):
        raise NotFound("attempt_not_found", f"attempt {command.attempt_id} does not exist",
                       field="attempt_id")
    if state.status == AttemptStatus.SUBMITTED:
        raise DomainError("attempt_submitted", "this attempt is submitted: its time cannot "
                          "change")


def _keep_place(command: KeepPlace, state: Attempt) -> list[DomainEvent]:
    _own(command.actor, state, command.attempt_id)
    if state.status == AttemptStatus.SUBMITTED:
        raise DomainError("attempt_submitted", "this attempt is submitted")
    for n, question_id in enumerate(command.flagged):
        if question_id not in state.question_ids:
            raise Invalid("question_not_in_attempt", f"question {question_id} is not in this "
                          f"attempt", field=f"flagged.{n}")
    if command.current_question_id is not None and \
            command.current_question_id not in state.question_ids:
        raise Invalid("question_not_in_attempt", f"question {command.current_question_id} is "
                      f"not in this attempt", field="current_question_id")
    flagged = tuple(dict.fromkeys(command.flagged))  # each once, in the order given
    if (flagged, command.current_question_id) == (state.flagged, state.current_question_id):
        return []
    return [PlaceKept(attempt_id=command.attempt_id, flagged=list(flagged),
                      current_question_id=command.current_question_id)]


def _own(actor: Actor, state: Attempt, attempt_id: str) -> None:
    """Only its student acts on an attempt as a student; to anyone else it does not exist."""
    if state.status == "none" or actor.user_id != state.student_id:
        raise NotFound("attempt_not_found", f"attempt {attempt_id} does not exist",
                       field="attempt_id")


def terms_of(exam: Exam, student_id: str) -> tuple[datetime | None, datetime | None, int]:
    """A student's window (the accommodation's own, else the exam's) and minutes (the
    duration plus their extra time, in minutes and/or percent, rounded up)."""
    content, own = exam.content, exam.accommodations.get(student_id)
    opens, closes = content.window_opens_at, content.window_closes_at
    minutes = content.duration_minutes
    if own is not None:
        opens, closes = own.window_opens_at or opens, own.window_closes_at or closes
        minutes += own.extra_minutes + math.ceil(content.duration_minutes *
                                                 own.extra_percent / 100)
    return opens, closes, minutes


def _start(command: StartAttempt, state: Attempt) -> list[DomainEvent]:
    actor, exam = command.actor, command.exam
    if actor.role != Role.STUDENT:
        raise Forbidden("not_a_student", "only students take exams")
    if exam.status != ExamStatus.PUBLISHED or actor.user_id not in exam.assigned:
        raise NotFound("exam_not_found", f"exam {command.exam_id} does not exist",
                       field="exam_id")
    if state.status != "none":
        return []  # Start pressed again, or on another device: the same attempt
    opens, closes, minutes = terms_of(exam, actor.user_id)
    now = command.now
    if opens is not None and now < opens:
        raise DomainError("exam_not_open", f"the exam opens at {opens.isoformat()}")
    if closes is not None and now >= closes:
        raise DomainError("exam_closed", f"the exam closed at {closes.isoformat()}")
    late = exam.settings.late_entry_minutes
    if late is not None and opens is not None and now > opens + timedelta(minutes=late):
        raise DomainError("late_entry_closed", f"entry closed {late} minutes after the exam "
                          f"opened, at {(opens + timedelta(minutes=late)).isoformat()}")
    if command.number > exam.settings.attempts_allowed:
        raise DomainError("no_attempts_left", f"this exam allows "
                          f"{exam.settings.attempts_allowed} attempt(s)")
    deadline = now + timedelta(minutes=minutes)
    if closes is not None:
        deadline = min(deadline, closes)
    drawn = draw_questions(exam.layout, command.seed)
    return [AttemptStarted(
        attempt_id=command.attempt_id, exam_id=command.exam_id, student_id=actor.user_id,
        number=command.number, seed=command.seed, started_at=now, deadline=deadline,
        questions=[AttemptQuestion(question_id=d.question_id, revision=d.revision,
                                   section_id=d.section_id, item_id=d.item_id,
                                   points=d.points) for d in drawn],
        shuffle_options=exam.layout.shuffle_options, navigation=exam.settings.navigation)]


attempt_decider = Decider(ATTEMPT, initial=Attempt(), decide=decide, evolve=evolve)
