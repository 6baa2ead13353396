"""Cohorts for staff: the list (searched by name) and one cohort with its members' names.
Every teacher may assign any cohort, so every teacher may see them; students may not."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from projections.cohorts import COHORTS
from projections.users import USERS
from query_api.dependencies import (CurrentUser, PageOf, PageOut, ReadModels, contains_pattern,
                                    require_role)
from schemas.refusals import NotFound
from schemas.text import Text
from security.roles import Role

router = APIRouter(prefix="/v1/cohorts", tags=["cohorts"],
                   dependencies=[require_role(Role.TEACHER, Role.ADMIN)])


class CohortSummary(BaseModel):
    cohort_id: str
    name: str
    owner_id: str
    member_count: int
    created_at: datetime
    updated_at: datetime
    version: int


class CohortPage(PageOut):
    items: list[CohortSummary]


class Member(BaseModel):
    user_id: str
    name: str | None
    email: str | None


class CohortDetail(CohortSummary):
    members: list[Member]


_COLUMNS = "cohort_id, name, owner_id, member_count, created_at, updated_at, version"


@router.get("", response_model=CohortPage, summary="Cohorts, searched by name")
async def list_cohorts(user: CurrentUser, db: ReadModels, paging: PageOf,
                       q: Annotated[Text | None, Query(max_length=200)] = None,
                       mine: bool = False):
    args: list = [user.user_id]
    where = ["$1::text IS NOT NULL"]
    if q:
        args.append(contains_pattern(q))
        where.append(f"lower(name) LIKE ${len(args)} ESCAPE '\\'")
    if mine:
        where.append("owner_id = $1")
    from_where = f"FROM {COHORTS.qualified} WHERE {' AND '.join(where)}"
    total = await paging.total(db, from_where, *args)
    rows = await db.fetch(f"SELECT {_COLUMNS} {from_where} ORDER BY lower(name), cohort_id "
                          f"{paging.sql()}", *args)
    return paging.answer(rows, total)


@router.get("/{cohort_id}", response_model=CohortDetail, summary="A cohort and its members")
async def get_cohort(cohort_id: str, db: ReadModels):
    row = await db.fetchrow(f"SELECT {_COLUMNS}, members FROM {COHORTS.qualified} "
                            f"WHERE cohort_id = $1", cohort_id)
    if row is None:
        raise NotFound("cohort_not_found", f"cohort {cohort_id} not found", field="cohort_id")
    ids = json.loads(row["members"])
    people = {r["user_id"]: r for r in await db.fetch(
        f"SELECT user_id, name, email FROM {USERS.qualified} WHERE user_id = ANY($1::text[]) ",
        ids)}
    members = [{"user_id": i, "name": people[i]["name"] if i in people else None,
                "email": people[i]["email"] if i in people else None} for i in ids]
    return {**{k: row[k] for k in row.keys() if k != "members"}, "members": members}
