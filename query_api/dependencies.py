"""Dependencies of the read routes."""
from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Query, Request

from security.dependencies import CurrentUser, require_role  # noqa: F401  (re-exported)


async def _pool(request: Request) -> asyncpg.Pool:
    return request.app.state.pool


async def _mongo(request: Request):
    return request.app.state.mongo


ReadModels = Annotated[asyncpg.Pool, Depends(_pool)]
Documents = Annotated[object, Depends(_mongo)]
Page = Annotated[int, Query(ge=1, le=100_000, description="1-based page number")]
PerPage = Annotated[int, Query(ge=1, le=100, description="items per page")]
