"""Bank question decisions, pure: ``decide(command, state) -> events`` and ``evolve``."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from command_api.handling import Decider
from command_api.questions.content import problems
from schemas.envelope import Actor, DomainEvent
from schemas.events.question import (QUESTION, QuestionArchived, QuestionAuthored,
                                     QuestionContent, QuestionRestored, QuestionRevised,
                                     QuestionShared, QuestionStatus, QuestionUnshared)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound, Problems
from security.roles import Role
from security.visibility import may_manage_question, may_see_question

MAX_SHARED_WITH = 500


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AuthorQuestion:
    question_id: str
    actor: Actor
    content: QuestionContent
    copied_from: str | None = None


@dataclass(frozen=True)
class ReviseQuestion:
    question_id: str
    actor: Actor
    content: QuestionContent


@dataclass(frozen=True)
class RestoreRevision:
    """Bring back an earlier revision's content as a new revision (history is never
    rewritten). ``content``: that revision's content as written, None if it has none."""

    question_id: str
    actor: Actor
    revision: int
    content: QuestionContent | None


@dataclass(frozen=True)
class ShareQuestion:
    question_id: str
    actor: Actor
    teacher_ids: tuple[str, ...]


@dataclass(frozen=True)
class UnshareQuestion:
    question_id: str
    actor: Actor
    teacher_ids: tuple[str, ...]


@dataclass(frozen=True)
class ArchiveQuestion:
    question_id: str
    actor: Actor


@dataclass(frozen=True)
class RestoreQuestion:
    question_id: str
    actor: Actor


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    status: str = "none"  # none, then a QuestionStatus
    owner_id: str | None = None
    revision: int = 0
    content: QuestionContent | None = None
    shared_with: tuple[str, ...] = field(default_factory=tuple)

    def visible_to(self, actor: Actor) -> bool:
        return self.status != "none" and may_see_question(actor.user_id, actor.role,
                                                          self.owner_id, self.shared_with)


def evolve(state: Question, event: DomainEvent) -> Question:
    match event:
        case QuestionAuthored():
            return Question(QuestionStatus.ACTIVE, event.owner_id, 1, event.content)
        case QuestionRevised():
            return replace(state, revision=event.revision, content=event.content)
        case QuestionShared():
            return replace(state, shared_with=tuple(sorted({*state.shared_with,
                                                            *event.teacher_ids})))
        case QuestionUnshared():
            return replace(state, shared_with=tuple(t for t in state.shared_with
                                                    if t not in event.teacher_ids))
        case QuestionArchived():
            return replace(state, status=QuestionStatus.ARCHIVED)
        case QuestionRestored():
            return replace(state, status=QuestionStatus.ACTIVE)
    return state


# --- decisions ---------------------------------------------------------------------------

def decide(command, state: Question) -> list[DomainEvent]:
    match command:
        case AuthorQuestion():
            if command.actor.role not in (Role.TEACHER, Role.ADMIN):
                raise Forbidden("not_staff", "only teachers and admins write bank questions")
            if state.status != "none":
                raise DomainError("question_exists",
                                  f"question {command.question_id} already exists")
            _validate(command.content)
            return [QuestionAuthored(question_id=command.question_id,
                                     owner_id=command.actor.user_id, content=command.content,
                                     copied_from=command.copied_from)]
        case ReviseQuestion():
            authorise(command.actor, state, command.question_id)
            _active(state, command.question_id)
            _validate(command.content)
            if command.content == state.content:
                return []  # nothing changed: no new revision for exams to tell apart
            return [QuestionRevised(question_id=command.question_id,
                                    revision=state.revision + 1, content=command.content)]
        case RestoreRevision():
            authorise(command.actor, state, command.question_id)
            _active(state, command.question_id)
            if command.content is None:
                raise NotFound("revision_not_found", f"question {command.question_id} has no "
                               f"revision {command.revision}", field="revision")
            _validate(command.content)  # the rules may have grown since it was written
            if command.content == state.content:
                return []  # it is the current content already
            return [QuestionRevised(question_id=command.question_id,
                                    revision=state.revision + 1, content=command.content,
                                    restored_from=command.revision)]
        case ShareQuestion():
            authorise(command.actor, state, command.question_id)
            _active(state, command.question_id)
            _check_teachers(command.teacher_ids, state)
            new = sorted(set(command.teacher_ids) - set(state.shared_with))
            if len(state.shared_with) + len(new) > MAX_SHARED_WITH:
                raise Invalid("shared_with_too_many",
                              f"a question is shared with at most {MAX_SHARED_WITH} teachers",
                              field="teacher_ids")
            return [QuestionShared(question_id=command.question_id, teacher_ids=new)] if new \
                else []
        case UnshareQuestion():
            authorise(command.actor, state, command.question_id)
            gone = sorted(set(command.teacher_ids) & set(state.shared_with))
            return [QuestionUnshared(question_id=command.question_id, teacher_ids=gone)] \
                if gone else []
        case ArchiveQuestion():
            authorise(command.actor, state, command.question_id)
            if state.status == QuestionStatus.ARCHIVED:
                return []
            return [QuestionArchived(question_id=command.question_id)]
        case RestoreQuestion():
            authorise(command.actor, state, command.question_id)
            if state.status == QuestionStatus.ACTIVE:
                return []
            return [QuestionRestored(question_id=command.question_id)]
    raise TypeError(f"not a question command: {command!r}")


def authorise(actor: Actor, state: Question, question_id: str) -> None:
    """Only the owner and admins change a question. To whoever may not even see it, it does
    not exist; a teacher it is shared with may read and copy it, not change it."""
    if may_manage_question(actor.user_id, actor.role, state.owner_id) and state.status != "none":
        return
    if state.visible_to(actor):
        raise Forbidden("not_question_owner",
                        f"question {question_id} is shared with you to read and copy; only "
                        f"its owner changes it")
    raise NotFound("question_not_found", f"question {question_id} does not exist",
                   field="question_id")


def _active(state: Question, question_id: str) -> None:
    if state.status == QuestionStatus.ARCHIVED:
        raise DomainError("question_archived",
                          f"question {question_id} is archived; restore it first")


def _check_teachers(teacher_ids: tuple[str, ...], state: Question) -> None:
    if not teacher_ids:
        raise Invalid("teacher_ids_empty", "name at least one teacher", field="teacher_ids")
    if state.owner_id in teacher_ids:
        raise Invalid("share_with_owner", "a question is not shared with its own owner",
                      field="teacher_ids")


def _validate(content: QuestionContent) -> None:
    found = problems(content)
    if found:
        raise Problems([(p.field, p.code, p.message) for p in found])


question_decider = Decider(QUESTION, initial=Question(), decide=decide, evolve=evolve)
