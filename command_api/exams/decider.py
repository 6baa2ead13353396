"""Exam decisions, pure: ``decide(command, state) -> events`` and ``evolve(state, event)``."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from command_api.handling import Decider
from schemas.envelope import Actor, DomainEvent
from schemas.events.exam import (EXAM, ExamDeleted, ExamDrafted, ExamPublished, ExamStatus,
                                 ExamUpdated)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from security.roles import Role
from security.visibility import may_manage_exam


@dataclass(frozen=True)
class ExamContent:
    title: str
    description: str
    instructions: str
    duration_minutes: int
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftExam:
    exam_id: str
    actor: Actor
    content: ExamContent


@dataclass(frozen=True)
class UpdateExam:
    exam_id: str
    actor: Actor
    content: ExamContent


@dataclass(frozen=True)
class PublishExam:
    exam_id: str
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class DeleteExam:
    exam_id: str
    actor: Actor


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exam:
    status: str = "none"  # none, then an ExamStatus
    teacher_id: str | None = None
    content: ExamContent | None = None


def evolve(state: Exam, event: DomainEvent) -> Exam:
    match event:
        case ExamDrafted():
            return Exam(ExamStatus.DRAFT, event.teacher_id, _content(event))
        case ExamUpdated():
            return replace(state, content=_content(event))
        case ExamPublished():
            return replace(state, status=ExamStatus.PUBLISHED)
        case ExamDeleted():
            return replace(state, status=ExamStatus.DELETED)
    return state


def _content(e: ExamDrafted | ExamUpdated) -> ExamContent:
    return ExamContent(e.title, e.description, e.instructions, e.duration_minutes,
                       e.window_opens_at, e.window_closes_at)


# --- decisions ---------------------------------------------------------------------------

def decide(command, state: Exam) -> list[DomainEvent]:
    match command:
        case DraftExam():
            if command.actor.role != Role.TEACHER:
                raise Forbidden("not_a_teacher", "only teachers create exams")
            if state.status != "none":
                raise DomainError("exam_exists", f"exam {command.exam_id} already exists")
            _validate(command.content)
            return [ExamDrafted(exam_id=command.exam_id, teacher_id=command.actor.user_id,
                                **vars(command.content))]
        case UpdateExam():
            _authorise(command.actor, state, command.exam_id)
            if state.status != ExamStatus.DRAFT:
                raise DomainError("exam_not_draft",
                                  f"exam {command.exam_id} is {state.status}; only drafts change")
            _validate(command.content)
            return [ExamUpdated(exam_id=command.exam_id, **vars(command.content))]
        case PublishExam():
            _authorise(command.actor, state, command.exam_id)
            if state.status == ExamStatus.PUBLISHED:
                raise DomainError("exam_already_published",
                                  f"exam {command.exam_id} is already published")
            if state.status != ExamStatus.DRAFT:
                raise DomainError("exam_not_draft", f"exam {command.exam_id} is {state.status}")
            closes = state.content.window_closes_at
            if closes is not None and closes <= command.now:
                raise Invalid("window_closed", "the exam window has already closed",
                              field="window_closes_at")
            return [ExamPublished(exam_id=command.exam_id, teacher_id=state.teacher_id,
                                  published_at=command.now)]
        case DeleteExam():
            _authorise(command.actor, state, command.exam_id)
            if state.status != ExamStatus.DRAFT:
                raise DomainError("exam_not_draft",
                                  f"exam {command.exam_id} is {state.status}; only drafts are deleted")
            return [ExamDeleted(exam_id=command.exam_id)]
    raise TypeError(f"not an exam command: {command!r}")


def _authorise(actor: Actor, state: Exam, exam_id: str) -> None:
    """Only the exam's teacher and admins act on it; to anyone else it does not exist, so
    drafts do not leak."""
    if state.status in ("none", ExamStatus.DELETED) or \
            not may_manage_exam(actor.user_id, actor.role, state.teacher_id):
        raise NotFound("exam_not_found", f"exam {exam_id} does not exist")


def _validate(c: ExamContent) -> None:
    if not c.title.strip():
        raise Invalid("title_empty", "the title must not be blank", field="title")
    if not 1 <= c.duration_minutes <= 24 * 60:
        raise Invalid("duration_out_of_range", "duration_minutes must be between 1 and 1440",
                      field="duration_minutes")
    if (c.window_opens_at is None) != (c.window_closes_at is None):
        raise Invalid("window_incomplete", "give both window_opens_at and window_closes_at, "
                      "or neither", field="window_closes_at")
    if c.window_opens_at and c.window_closes_at <= c.window_opens_at:
        raise Invalid("window_inverted", "window_closes_at must be after window_opens_at",
                      field="window_closes_at")
    if c.window_opens_at and (c.window_closes_at - c.window_opens_at).total_seconds() < \
            c.duration_minutes * 60:
        raise Invalid("window_too_short", "the window is shorter than the exam's duration",
                      field="window_closes_at")


exam_decider = Decider(EXAM, initial=Exam(), decide=decide, evolve=evolve)
