"""Dependencies of the read routes."""
from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Query, Request
from pydantic import BaseModel

from schemas.refusals import Invalid
from security.personal_data import PersonalData
from security.dependencies import CurrentUser, require_role  # noqa: F401  (re-exported)


async def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


async def _mongo(request: Request):
    return request.app.state.mongo


async def _personal(request: Request) -> PersonalData:
    return request.app.state.personal


ReadModels = Annotated[asyncpg.Pool, Depends(_pool)]
Personal = Annotated[PersonalData, Depends(_personal)]
Documents = Annotated[object, Depends(_mongo)]

# Offset paging reads and drops every row before the page: it stops at this many results
# (as search engines do); narrower filters reach the rest. Counts stop there too.
MAX_RESULTS = 10_000


class Paging(BaseModel):
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def sql(self) -> str:
        return f"LIMIT {self.per_page} OFFSET {self.offset}"

    async def total(self, db: asyncpg.Pool, from_where: str, *args) -> tuple[int, bool]:
        """The number of matching rows, counted up to MAX_RESULTS, and whether it is exact."""
        counted = await db.fetchval(
            f"SELECT count(*) FROM (SELECT 1 {from_where} LIMIT {MAX_RESULTS + 1}) AS capped",
            *args)
        return min(counted, MAX_RESULTS), counted <= MAX_RESULTS

    def answer(self, rows, total: tuple[int, bool]) -> dict:
        return {"items": [dict(r) for r in rows], "total": total[0], "total_is_exact": total[1],
                "page": self.page, "per_page": self.per_page}


async def _paging(page: Annotated[int, Query(ge=1, description="1-based page number")] = 1,
                  per_page: Annotated[int, Query(ge=1, le=100,
                                                 description="items per page")] = 20) -> Paging:
    if page * per_page > MAX_RESULTS:
        raise Invalid("page_too_deep", f"paging stops at the first {MAX_RESULTS:,} results; "
                      f"narrow the filters to reach the others", field="page")
    return Paging(page=page, per_page=per_page)


PageOf = Annotated[Paging, Depends(_paging)]


class PageOut(BaseModel):
    """The fields of every paged answer."""

    total: int
    total_is_exact: bool  # false: there are more than ``total`` (MAX_RESULTS) matches
    page: int
    per_page: int


def contains_pattern(text: str) -> str:
    """A LIKE pattern (use ``ESCAPE '\\'``) matching values that contain ``text`` as typed:
    its %, _ and \\ are not wildcards."""
    typed = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{typed}%"
