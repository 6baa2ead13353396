"""HTTP commands on cohorts: create, rename, add and remove students (by id or pasted emails,
every unknown one reported at once)."""
from __future__ import annotations

from dataclasses import replace
from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from command_api.cohorts.decider import (AddStudents, CreateCohort, RemoveStudents,
                                         RenameCohort, cohort_decider, may_manage_cohort)
from command_api.dependencies import Command, Pool, Store
from command_api.exams.roster import students_named
from command_api.handling import handle, load_state
from schemas.refusals import NotFound
from schemas.text import Text

router = APIRouter(prefix="/v1/cohorts", tags=["cohorts"])
_COHORT_IDS = uuid5(NAMESPACE_URL, "https://soems.org/cohort")
Id = Annotated[str, Field(min_length=1, max_length=200)]


class CohortIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=200)]
    student_ids: Annotated[list[Id], Field(max_length=5_000)] = []
    emails: Annotated[list[Annotated[str, Field(max_length=320)]], Field(max_length=5_000)] = []


class RenameIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Text, Field(min_length=1, max_length=200)]


class MembersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_ids: Annotated[list[Id], Field(max_length=5_000)] = []
    emails: Annotated[list[Annotated[str, Field(max_length=320)]], Field(max_length=5_000)] = []


class CohortCommandResult(BaseModel):
    cohort_id: str
    name: str
    member_count: int
    version: int


def _result(cohort_id: str):
    return lambda state: {"cohort_id": cohort_id, "name": state.name,
                          "member_count": len(state.members)}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CohortCommandResult,
             summary="Create a cohort (a class, a course group), with its students")
async def create_cohort(body: CohortIn, ctx: Command, store: Store, pool: Pool):
    cohort_id = str(uuid5(_COHORT_IDS, str(ctx.command_id)))
    students = await students_named(store, pool, body.student_ids, body.emails) \
        if body.student_ids or body.emails else []
    result = await handle(store, cohort_decider, cohort_id,
                          CreateCohort(cohort_id, ctx.actor, body.name), ctx,
                          _result(cohort_id))
    if students:  # a second command of the same request, with its own derived id
        members = replace(ctx, command_id=uuid5(ctx.command_id, "members"))
        result = await handle(store, cohort_decider, cohort_id,
                              AddStudents(cohort_id, ctx.actor, tuple(students)), members,
                              _result(cohort_id))
    return result


@router.put("/{cohort_id}", response_model=CohortCommandResult, summary="Rename a cohort")
async def rename_cohort(cohort_id: str, body: RenameIn, ctx: Command, store: Store):
    return await handle(store, cohort_decider, cohort_id,
                        RenameCohort(cohort_id, ctx.actor, body.name), ctx, _result(cohort_id))


@router.post("/{cohort_id}/members", response_model=CohortCommandResult,
             summary="Add students to a cohort, by id and/or pasted emails")
async def add_members(cohort_id: str, body: MembersIn, ctx: Command, store: Store, pool: Pool):
    state, _ = await load_state(store, cohort_decider, cohort_id)
    if not may_manage_cohort(ctx.actor, state):  # nothing about accounts for strangers
        return await handle(store, cohort_decider, cohort_id,
                            AddStudents(cohort_id, ctx.actor, ()), ctx, _result(cohort_id))
    students = await students_named(store, pool, body.student_ids, body.emails)
    return await handle(store, cohort_decider, cohort_id,
                        AddStudents(cohort_id, ctx.actor, tuple(students)), ctx,
                        _result(cohort_id))


@router.post("/{cohort_id}/members/remove", response_model=CohortCommandResult,
             summary="Take students out of a cohort")
async def remove_members(cohort_id: str, body: MembersIn, ctx: Command, store: Store):
    return await handle(store, cohort_decider, cohort_id,
                        RemoveStudents(cohort_id, ctx.actor, tuple(body.student_ids)), ctx,
                        _result(cohort_id))


async def members_of(store, actor, cohort_ids: list[str]) -> list[str]:
    """The students of these cohorts (any staff member may assign any cohort)."""
    members: list[str] = []
    for n, cohort_id in enumerate(cohort_ids):
        state, _ = await load_state(store, cohort_decider, cohort_id)
        if not state.exists:
            raise NotFound("cohort_not_found", f"cohort {cohort_id} does not exist",
                           field=f"cohort_ids.{n}")
        members += state.members
    return members
