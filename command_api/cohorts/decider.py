"""Cohort decisions, pure: ``decide(command, state) -> events`` and ``evolve``."""
from __future__ import annotations

from dataclasses import dataclass, replace

from command_api.handling import Decider
from schemas.envelope import Actor, DomainEvent
from schemas.events.cohort import (COHORT, CohortCreated, CohortRenamed, StudentsJoinedCohort,
                                   StudentsLeftCohort)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from security.roles import Role

MAX_MEMBERS = 5_000


@dataclass(frozen=True)
class CreateCohort:
    cohort_id: str
    actor: Actor
    name: str


@dataclass(frozen=True)
class RenameCohort:
    cohort_id: str
    actor: Actor
    name: str


@dataclass(frozen=True)
class AddStudents:
    cohort_id: str
    actor: Actor
    student_ids: tuple[str, ...]  # checked to be students by the route


@dataclass(frozen=True)
class RemoveStudents:
    cohort_id: str
    actor: Actor
    student_ids: tuple[str, ...]


@dataclass(frozen=True)
class Cohort:
    exists: bool = False
    name: str = ""
    owner_id: str | None = None
    members: tuple[str, ...] = ()


def may_manage_cohort(actor: Actor, state: Cohort) -> bool:
    """Its owner and admins change a cohort; every teacher may assign it."""
    return state.exists and (actor.role == Role.ADMIN or
                             (actor.role == Role.TEACHER and actor.user_id == state.owner_id))


def evolve(state: Cohort, event: DomainEvent) -> Cohort:
    match event:
        case CohortCreated():
            return Cohort(True, event.name, event.owner_id)
        case CohortRenamed():
            return replace(state, name=event.name)
        case StudentsJoinedCohort():
            return replace(state, members=tuple(sorted({*state.members, *event.student_ids})))
        case StudentsLeftCohort():
            gone = set(event.student_ids)
            return replace(state, members=tuple(m for m in state.members if m not in gone))
    return state


def decide(command, state: Cohort) -> list[DomainEvent]:
    match command:
        case CreateCohort():
            if command.actor.role not in (Role.TEACHER, Role.ADMIN):
                raise Forbidden("not_staff", "only teachers and admins keep cohorts")
            if state.exists:
                raise DomainError("cohort_exists", f"cohort {command.cohort_id} already exists")
            _name(command.name)
            return [CohortCreated(cohort_id=command.cohort_id, name=command.name.strip(),
                                  owner_id=command.actor.user_id)]
        case RenameCohort():
            _authorise(command.actor, state, command.cohort_id)
            _name(command.name)
            return [] if command.name.strip() == state.name else [
                CohortRenamed(cohort_id=command.cohort_id, name=command.name.strip())]
        case AddStudents():
            _authorise(command.actor, state, command.cohort_id)
            new = sorted(set(command.student_ids) - set(state.members))
            if len(state.members) + len(new) > MAX_MEMBERS:
                raise Invalid("cohort_too_large", f"a cohort has at most {MAX_MEMBERS:,} "
                              f"students", field="student_ids")
            return [StudentsJoinedCohort(cohort_id=command.cohort_id, student_ids=new)] if new \
                else []
        case RemoveStudents():
            _authorise(command.actor, state, command.cohort_id)
            gone = sorted(set(command.student_ids) & set(state.members))
            return [StudentsLeftCohort(cohort_id=command.cohort_id, student_ids=gone)] if gone \
                else []
    raise TypeError(f"not a cohort command: {command!r}")


def _authorise(actor: Actor, state: Cohort, cohort_id: str) -> None:
    if may_manage_cohort(actor, state):
        return
    if state.exists and actor.role == Role.TEACHER:
        raise Forbidden("not_cohort_owner", "only the cohort's owner and admins change it")
    raise NotFound("cohort_not_found", f"cohort {cohort_id} does not exist", field="cohort_id")


def _name(name: str) -> None:
    if not name.strip():
        raise Invalid("name_empty", "a cohort needs a name", field="name")


cohort_decider = Decider(COHORT, initial=Cohort(), decide=decide, evolve=evolve)
