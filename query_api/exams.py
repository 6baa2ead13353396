"""Exams: the catalogue (PostgreSQL) and the full exam document (MongoDB), each showing only
what the caller may see. Students and proctors see published exams; teachers see their own
exams in any state plus everyone's published ones; admins see all. Drafts of others do not
exist for the caller (404), so nothing leaks."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel

from query_api.dependencies import CurrentUser, Documents, Page, PerPage, ReadModels
from security.tokens import Principal

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


class ExamPage(BaseModel):
    items: list[ExamSummary]
    total: int
    page: int
    per_page: int


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


def may_see(user: Principal, teacher_id: str, exam_status: str) -> bool:
    if exam_status == "deleted":
        return False
    if user.role == "admin" or exam_status == "published":
        return True
    return user.role == "teacher" and user.user_id == teacher_id


@router.get("", response_model=ExamPage, summary="Exams you may see, filtered and paged")
async def list_exams(
    user: CurrentUser, db: ReadModels, page: Page = 1, per_page: PerPage = 20,
    status_: Annotated[Literal["draft", "published"] | None, Query(alias="status")] = None,
    sort: Annotated[Literal["window_opens_at", "-window_opens_at", "created_at", "-created_at",
                            "title"], Query()] = "window_opens_at",
    mine: Annotated[bool, Query(description="only exams you teach")] = False,
):
    args: list = []
    if user.role == "admin":
        where = ["status <> 'deleted'"]
    elif user.role == "teacher":
        args.append(user.user_id)
        where = ["status <> 'deleted'", "(teacher_id = $1 OR status = 'published')"]
    else:
        where = ["status = 'published'"]
    if mine:
        args.append(user.user_id)
        where.append(f"teacher_id = ${len(args)}")
    if status_:
        args.append(status_)
        where.append(f"status = ${len(args)}")
    condition = " AND ".join(where)
    total = await db.fetchval(f"SELECT count(*) FROM read_models.exam_catalogue "
                              f"WHERE {condition}", *args)
    rows = await db.fetch(
        "SELECT exam_id, teacher_id, title, status, duration_minutes, window_opens_at, "
        "window_closes_at, created_at, published_at, version FROM read_models.exam_catalogue "
        f"WHERE {condition} ORDER BY {_SORTS[sort]} "
        f"LIMIT {per_page} OFFSET {(page - 1) * per_page}", *args)
    return {"items": [dict(r) for r in rows], "total": total, "page": page, "per_page": per_page}


@router.get("/{exam_id}", response_model=ExamDocument, summary="One exam, in full")
async def get_exam(exam_id: str, user: CurrentUser, documents: Documents, response: Response):
    doc = await documents["exams"].find_one({"_id": exam_id})
    if doc is None or not may_see(user, doc.get("teacher_id"), doc.get("status")):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"exam {exam_id} not found")
    response.headers["ETag"] = f'"{doc["version"]}"'
    return {"exam_id": doc.pop("_id"), **doc}
