"""Exams: the catalogue (PostgreSQL) and the full exam document (MongoDB), each showing only
what the caller may see (``security.visibility``: drafts of others do not exist for the
caller, 404, so nothing leaks)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel

from projections.exam_catalogue import EXAM_CATALOGUE
from projections.exam_documents import EXAM_DOCUMENTS
from query_api.dependencies import CurrentUser, Documents, PageOf, PageOut, ReadModels
from schemas.events.exam import ExamStatus
from schemas.refusals import NotFound
from security.visibility import may_see_exam, visible_exams_sql

router = APIRouter(prefix="/v1/exams", tags=["exams"])

_SORTS = {
    "window_opens_at": "window_opens_at ASC NULLS LAST, exam_id",
    "-window_opens_at": "window_opens_at DESC NULLS LAST, exam_id",
    "created_at": "created_at, exam_id", "-created_at": "created_at DESC, exam_id",
    "title": "lower(title), exam_id",
}


class ExamSummary(BaseModel):
    exam_id: str
    teacher_id: str
    title: str
    status: str
    duration_minutes: int
    window_opens_at: datetime | None
    window_closes_at: datetime | None
    created_at: datetime
    published_at: datetime | None
    version: int


class ExamPage(PageOut):
    items: list[ExamSummary]


class ExamDocument(BaseModel):
    exam_id: str
    teacher_id: str
    title: str
    description: str
    instructions: str
    status: str
    duration_minutes: int
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = None
    version: int


@router.get("", response_model=ExamPage, summary="Exams you may see, filtered and paged")
async def list_exams(
    user: CurrentUser, db: ReadModels, paging: PageOf,
    status_: Annotated[Literal[ExamStatus.DRAFT, ExamStatus.PUBLISHED] | None,
                       Query(alias="status")] = None,
    sort: Annotated[Literal["window_opens_at", "-window_opens_at", "created_at", "-created_at",
                            "title"], Query()] = "window_opens_at",
    mine: Annotated[bool, Query(description="only exams you teach")] = False,
):
    args: list = [user.user_id]
    where = [visible_exams_sql(user.role, "$1")]
    if mine:
        where.append("teacher_id = $1")
    if status_:
        args.append(status_)
        where.append(f"status = ${len(args)}")
    # $1 (the caller) is always bound; typing it here keeps it valid where no rule uses it.
    condition = " AND ".join(where + ["$1::text IS NOT NULL"])
    from_where = f"FROM {EXAM_CATALOGUE.qualified} WHERE {condition}"
    total = await paging.total(db, from_where, *args)
    rows = await db.fetch(
        "SELECT exam_id, teacher_id, title, status, duration_minutes, window_opens_at, "
        f"window_closes_at, created_at, published_at, version {from_where} "
        f"ORDER BY {_SORTS[sort]} {paging.sql()}", *args)
    return paging.answer(rows, total)


@router.get("/{exam_id}", response_model=ExamDocument, summary="One exam, in full")
async def get_exam(exam_id: str, user: CurrentUser, documents: Documents, response: Response):
    doc = await documents[EXAM_DOCUMENTS].find_one({"_id": exam_id})
    if doc is None or not may_see_exam(user.user_id, user.role, doc.get("teacher_id"),
                                       doc.get("status")):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    response.headers["ETag"] = f'"{doc["version"]}"'
    return {"exam_id": doc.pop("_id"), **doc}
