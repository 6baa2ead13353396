"""Exams: the catalogue (PostgreSQL) and the full exam document (MongoDB), each showing only
what the caller may see (``security.visibility``: drafts of others do not exist for the
caller, 404, so nothing leaks)."""
from __future__ import annotations

from datetime import datetime, timezone
import json
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Response, WebSocket
from pydantic import BaseModel

from projections.attempts import ATTEMPT_CHANGES, ATTEMPTS
from projections.exam_catalogue import EXAM_CATALOGUE
from projections.exam_documents import EXAM_DOCUMENTS
from projections.users import USERS
from query_api.dependencies import (CurrentUser, Documents, PageOf, PageOut, Personal,
                                    ReadModels, contains_pattern)
from schemas.events.exam import ACCOMMODATION_REASON, ExamStatus
from query_api.live import CLOSE_NOT_FOUND, LiveFeed, now_iso, relay_changes, signed_in
from schemas.refusals import NotFound
from schemas.text import Text
from security.roles import Role
from security.tokens import Principal
from security.visibility import (may_manage_exam, may_see_exam, may_supervise_exam,
                                 visible_exams_sql)

router = APIRouter(prefix="/v1/exams", tags=["exams"])

_SORTS = {
    "window_opens_at": "window_opens_at ASC NULLS LAST, exam_id",
    "-window_opens_at": "window_opens_at DESC NULLS LAST, exam_id",
    "created_at": "created_at, exam_id", "-created_at": "created_at DESC, exam_id",
    "title": "lower(title), exam_id",
}


class YourTerms(BaseModel):
    """A student's own accommodation: extra time and/or an own window (never the reason)."""

    extra_minutes: int
    extra_percent: int
    window_opens_at: datetime | None
    window_closes_at: datetime | None


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
    question_count: int
    total_points: float
    your_terms: YourTerms | None = None  # students: their accommodation, if they have one
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
    settings: dict[str, Any] | None = None
    # The layout (sections, items, pinned questions, pools): the exam's teacher and admins only.
    sections: list[dict[str, Any]] | None = None
    shuffle_questions: bool | None = None
    shuffle_options: bool | None = None
    version: int


class Assignment(BaseModel):
    student_id: str
    name: str | None
    email: str | None
    accommodation: dict[str, Any] | None  # with its reason: staff only


class AssignmentPage(PageOut):
    items: list[Assignment]


@router.get("", response_model=ExamPage, summary="Exams you may see, filtered and paged")
async def list_exams(
    user: CurrentUser, db: ReadModels, paging: PageOf,
    status_: Annotated[Literal[ExamStatus.DRAFT, ExamStatus.PUBLISHED] | None,
                       Query(alias="status")] = None,
    sort: Annotated[Literal["window_opens_at", "-window_opens_at", "created_at", "-created_at",
                            "title"], Query()] = "window_opens_at",
    mine: Annotated[bool, Query(description="only exams you teach")] = False,
    q: Annotated[Text | None, Query(max_length=200,
                                    description="title contains (any case)")] = None,
):
    args: list = [user.user_id]
    where = [visible_exams_sql(user.role, "$1")]
    if mine:
        where.append("teacher_id = $1")
    if q:
        args.append(contains_pattern(q))
        where.append(f"lower(title) LIKE ${len(args)} ESCAPE '\\'")
    if status_:
        args.append(status_)
        where.append(f"status = ${len(args)}")
    # $1 (the caller) is always bound; typing it here keeps it valid where no rule uses it.
    condition = " AND ".join(where + ["$1::text IS NOT NULL"])
    from_where = f"FROM {EXAM_CATALOGUE.qualified} WHERE {condition}"
    total = await paging.total(db, from_where, *args)
    rows = await db.fetch(
        "SELECT exam_id, teacher_id, title, status, duration_minutes, window_opens_at, "
        "window_closes_at, created_at, published_at, question_count, total_points, version, "
        f"accommodations -> $1 AS your_terms {from_where} "
        f"ORDER BY {_SORTS[sort]} {paging.sql()}", *args)
    items = [{**dict(r), "your_terms": _terms(r["your_terms"]) if user.role == Role.STUDENT
              else None} for r in rows]
    return {**paging.answer([], total), "items": items}


def _terms(raw: str | None) -> dict | None:
    if raw is None:
        return None
    terms = json.loads(raw)
    terms.pop("reason", None)  # the reason is for staff
    return terms


@router.get("/{exam_id}", response_model=ExamDocument, summary="One exam, in full")
async def get_exam(exam_id: str, user: CurrentUser, documents: Documents, db: ReadModels,
                   response: Response):
    doc = await documents[EXAM_DOCUMENTS].find_one({"_id": exam_id})
    assigned = user.role == Role.STUDENT and doc is not None and bool(await db.fetchval(
        f"SELECT assigned ? $2 FROM {EXAM_CATALOGUE.qualified} WHERE exam_id = $1",
        exam_id, user.user_id))
    if doc is None or not may_see_exam(user.user_id, user.role, doc.get("teacher_id"),
                                       doc.get("status"), assigned):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    response.headers["ETag"] = f'"{doc["version"]}"'
    if not may_manage_exam(user.user_id, user.role, doc.get("teacher_id")):
        for staff_only in ("sections", "shuffle_questions", "shuffle_options"):
            doc.pop(staff_only, None)
    return {"exam_id": doc.pop("_id"), **doc}


@router.get("/{exam_id}/assignments", response_model=AssignmentPage,
            summary="Who is assigned, with their accommodations (the exam's teacher, admins)")
async def list_assignments(exam_id: str, user: CurrentUser, db: ReadModels,
                           personal: Personal, paging: PageOf):
    row = await db.fetchrow(f"SELECT teacher_id, status, assigned, accommodations "
                            f"FROM {EXAM_CATALOGUE.qualified} WHERE exam_id = $1", exam_id)
    if row is None or row["status"] == ExamStatus.DELETED or \
            not may_manage_exam(user.user_id, user.role, row["teacher_id"]):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    students = json.loads(row["assigned"])
    accommodations = json.loads(row["accommodations"])
    page = students[paging.offset:paging.offset + paging.per_page]
    people = {r["user_id"]: r for r in await db.fetch(
        f"SELECT user_id, name, email FROM {USERS.qualified} WHERE user_id = ANY($1::text[])",
        page)}
    reasons = await personal.reveal_fields(
        [(s, ACCOMMODATION_REASON, accommodations[s].get("reason")) for s in page if s in accommodations])
    opened = dict(zip([s for s in page if s in accommodations], reasons))
    items = [{"student_id": s, "name": people[s]["name"] if s in people else None,
              "email": people[s]["email"] if s in people else None,
              "accommodation": {**accommodations[s], "reason": opened[s]}
              if s in accommodations else None} for s in page]
    return {**paging.answer([], (len(students), True)), "items": items}


class StudentProgress(BaseModel):
    student_id: str
    name: str | None
    email: str | None
    state: str  # not_started, in_progress, paused, submitted
    attempt_id: str | None
    started_at: datetime | None
    deadline: datetime | None
    submitted_at: datetime | None
    submit_reason: str | None  # student, deadline (auto-submitted), proctor
    answered: int  # questions with a saved answer
    question_count: int | None


class ExamProgress(PageOut):
    """Where each assigned student stands in the exam, and the counts of each state."""

    exam_id: str
    assigned: int
    not_started: int
    in_progress: int
    paused: int
    submitted: int
    auto_submitted: int  # of the submitted: by the clock
    server_time: datetime
    items: list[StudentProgress]


# Each assigned student with their latest attempt of this exam (or none yet).
_PROGRESS = f"""
WITH assigned AS (
    SELECT jsonb_array_elements_text(assigned) AS student_id
    FROM {EXAM_CATALOGUE.qualified} WHERE exam_id = $1
), latest AS (
    SELECT DISTINCT ON (student_id) student_id, attempt_id, status, started_at, deadline,
           paused_at, submitted_at, submit_reason, jsonb_array_length(questions) AS question_count,
           (SELECT count(*) FROM jsonb_object_keys(answers)) AS answered
    FROM {ATTEMPTS.qualified} WHERE exam_id = $1
    ORDER BY student_id, number DESC
), progress AS (
    SELECT a.student_id, l.attempt_id, l.started_at, l.deadline, l.submitted_at,
           l.submit_reason, coalesce(l.answered, 0) AS answered, l.question_count,
           CASE WHEN l.attempt_id IS NULL THEN 'not_started'
                WHEN l.status = 'submitted' THEN 'submitted'
                WHEN l.paused_at IS NOT NULL THEN 'paused'
                ELSE 'in_progress' END AS state
    FROM assigned a LEFT JOIN latest l USING (student_id)
)"""


async def _may_follow_progress(db: asyncpg.Pool, user: Principal, exam_id: str) -> bool:
    row = await db.fetchrow(f"SELECT teacher_id, status FROM {EXAM_CATALOGUE.qualified} "
                            f"WHERE exam_id = $1", exam_id)
    # A draft's progress (who is assigned) is its teacher's business; proctors watch exams
    # once published.
    return row is not None and row["status"] != ExamStatus.DELETED and (
        may_manage_exam(user.user_id, user.role, row["teacher_id"])
        or (row["status"] == ExamStatus.PUBLISHED
            and may_supervise_exam(user.user_id, user.role, row["teacher_id"])))


# The progress page reads the whole exam again on a change: one message a second at most,
# whatever a thousand students' saves announce meanwhile.
PROGRESS_CHANGES_EVERY_S = 1.0


@router.websocket("/{exam_id}/progress/live")
async def exam_progress_live(websocket: WebSocket, exam_id: str):
    """The progress page's live channel (whoever may read the exam's progress).

    As for an attempt's channel: the page sends ``{"token": "<access token>"}`` first; the
    server answers ``{"type": "ready", "server_time"}``, then ``{"type": "changed"}`` at most
    once a second while the exam's attempts change (a start, a save, a pause, a submission),
    ``{"type": "resync"}`` when it may have missed one, and a heartbeat every 20 s. The page
    reads ``GET /v1/exams/{id}/progress`` again. Refusals close with 4401 or 4404.
    """
    user = await signed_in(websocket)
    if user is None:
        return
    if not await _may_follow_progress(websocket.app.state.pool, user, exam_id):
        await websocket.close(CLOSE_NOT_FOUND, "exam_not_found")
        return
    feed: LiveFeed = websocket.app.state.live
    async with feed.watch(ATTEMPT_CHANGES, exam_id, by="exam_id") as changes:
        await websocket.send_json({"type": "ready", "server_time": now_iso()})
        await relay_changes(websocket, user, changes, PROGRESS_CHANGES_EVERY_S)


@router.get("/{exam_id}/progress", response_model=ExamProgress,
            summary="Live progress: each assigned student's state and answers saved (the "
                    "exam's teacher, proctors, admins)")
async def exam_progress(
    exam_id: str, user: CurrentUser, db: ReadModels, paging: PageOf,
    state: Annotated[Literal["not_started", "in_progress", "paused", "submitted"] | None,
                     Query(description="only students in this state")] = None,
):
    if not await _may_follow_progress(db, user, exam_id):
        raise NotFound("exam_not_found", f"exam {exam_id} not found", field="exam_id")
    async with db.acquire() as conn, conn.transaction(isolation="repeatable_read",
                                                      readonly=True):
        # One snapshot: the counts and the page agree.
        counts = await conn.fetchrow(
            f"{_PROGRESS} SELECT count(*) AS assigned, "
            f"count(*) FILTER (WHERE state = 'not_started') AS not_started, "
            f"count(*) FILTER (WHERE state = 'in_progress') AS in_progress, "
            f"count(*) FILTER (WHERE state = 'paused') AS paused, "
            f"count(*) FILTER (WHERE state = 'submitted') AS submitted, "
            f"count(*) FILTER (WHERE submit_reason = 'deadline') AS auto_submitted "
            f"FROM progress", exam_id)
        rows = await conn.fetch(
            f"{_PROGRESS} SELECT p.*, u.name, u.email FROM progress p "
            f"LEFT JOIN {USERS.qualified} u ON u.user_id = p.student_id "
            f"WHERE $2::text IS NULL OR p.state = $2 "
            f"ORDER BY u.name NULLS LAST, p.student_id {paging.sql()}", exam_id, state)
    total = counts[state] if state else counts["assigned"]
    return {**paging.answer(rows, (total, True)), **dict(counts), "exam_id": exam_id,
            "server_time": datetime.now(timezone.utc)}
