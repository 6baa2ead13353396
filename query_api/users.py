"""Accounts: your own, and the admin's searchable list."""
from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from projections.users import USERS
from query_api.dependencies import (CurrentUser, PageOf, PageOut, ReadModels, contains_pattern,
                                    require_role)
from schemas.refusals import NotFound
from schemas.text import Text
from security.roles import Role

router = APIRouter(tags=["users"])

_COLUMNS = "user_id, email, name, role, disabled, exam_reminders, registered_at, version"
_SORTS = {"name": "lower(name), user_id", "-name": "lower(name) DESC, user_id",
          "email": "lower(email), user_id", "registered_at": "registered_at, user_id",
          "-registered_at": "registered_at DESC, user_id"}


class UserView(BaseModel):
    user_id: str
    email: str
    name: str
    role: str
    disabled: bool
    exam_reminders: bool = True  # emailed a reminder before an exam opens
    registered_at: object
    version: int


class UserPage(PageOut):
    items: list[UserView]


@router.get("/v1/auth/me", response_model=UserView, tags=["auth"], summary="Your account")
async def me(user: CurrentUser, db: ReadModels):
    row = await db.fetchrow(f"SELECT {_COLUMNS} FROM {USERS.qualified} WHERE user_id = $1",
                            user.user_id)
    if row is None:
        raise NotFound("account_not_found", "account not found")
    return dict(row)


@router.get("/v1/users", response_model=UserPage, dependencies=[require_role(Role.ADMIN)],
            summary="Search accounts (admins)")
async def list_users(
    db: ReadModels, paging: PageOf,
    q: Annotated[Text | None, Query(max_length=200,
                                    description="part of a name or email")] = None,
    role: Annotated[Role | None, Query()] = None,
    disabled: bool | None = None,
    sort: Annotated[Literal["name", "-name", "email", "registered_at", "-registered_at"],
                    Query()] = "name",
):
    where, args = ["true"], []
    if q:
        args.append(contains_pattern(q))
        where.append(f"(lower(name) LIKE ${len(args)} ESCAPE '\\' "
                     f"OR lower(email) LIKE ${len(args)} ESCAPE '\\')")
    if role:
        args.append(role)
        where.append(f"role = ${len(args)}")
    if disabled is not None:
        args.append(disabled)
        where.append(f"disabled = ${len(args)}")
    condition = " AND ".join(where)
    from_where = f"FROM {USERS.qualified} WHERE {condition}"
    total = await paging.total(db, from_where, *args)
    rows = await db.fetch(f"SELECT {_COLUMNS} {from_where} ORDER BY {_SORTS[sort]} "
                          f"{paging.sql()}", *args)
    return paging.answer(rows, total)
