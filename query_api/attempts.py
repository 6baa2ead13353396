"""An attempt as its student resumes it: the questions drawn (pinned revisions, options in
the attempt's order, never a key), their saved answers with receipts, and the clock."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket
from pydantic import BaseModel

from projections.attempt_grades import ATTEMPT_GRADES
from projections.attempts import ATTEMPT_CHANGES, ATTEMPTS, attempt_clock
from projections.exam_catalogue import EXAM_CATALOGUE
from projections.media_library import MEDIA_LIBRARY
from projections.question_revisions import QUESTION_REVISIONS
from query_api.dependencies import CurrentUser, Personal, ReadModels, require_role
from query_api.grading import last_window_close
from query_api.statistics import result_grade
from query_api.live import CLOSE_NOT_FOUND, LiveFeed, now_iso, relay_changes, signed_in
from query_api.questions import StudentQuestion
from schemas.events.attempt import ANSWER_FIELD
from schemas.events.exam import ExamStatus
from schemas.events.media import MediaStatus
from schemas.events.question import QuestionContent
from schemas.refusals import NotFound, Unavailable
from schemas.text import EntityId
from security.dependencies import SettingsDep
from security.personal_data import ERASED
from security.roles import Role
from security.student_view import question_for_students
from security.tokens import Principal
from security.visibility import results_released
from storage import objects

router = APIRouter(prefix="/v1/attempts", tags=["attempts"])


class AttemptQuestionView(BaseModel):
    section_id: str
    points: float
    question: StudentQuestion


class AttemptMedia(BaseModel):
    """An image or audio file of the attempt's questions, through a short-lived URL."""

    content_type: str
    url: str
    url_expires_at: datetime


class SavedAnswer(BaseModel):
    answer: dict[str, Any] | None  # option_ids / text / code; None once erased
    client_seq: int
    saved_at: datetime


class AttemptView(BaseModel):
    attempt_id: str
    exam_id: str
    status: str
    number: int
    navigation: str
    started_at: datetime
    deadline: datetime
    paused_at: datetime | None = None  # paused by a proctor since then: no save is taken
    submitted_at: datetime | None
    submit_reason: str | None
    server_time: datetime  # the server's clock when it answered: the browser's offset
    questions: list[AttemptQuestionView]
    answers: dict[str, SavedAnswer]  # by question id
    media: dict[str, AttemptMedia] = {}  # by media id: the files its questions show
    flagged: list[str] = []  # for review, in the order flagged
    current_question_id: str | None = None  # the question on screen when last seen
    version: int


class YourResults(BaseModel):
    score: float
    max_score: float
    percent: float
    complete: bool  # every answer graded (false: some still wait for a teacher)
    grade: str | None = None  # the exam's grade band reached, once complete
    passed: bool | None = None  # at or above the exam's pass mark, once complete


class AttemptSummary(BaseModel):
    """One of your attempts, for your dashboard: where it stands and how long is left."""

    attempt_id: str
    exam_id: str
    number: int
    status: str
    started_at: datetime
    deadline: datetime
    paused_at: datetime | None
    submitted_at: datetime | None
    submit_reason: str | None
    answered: int  # questions with a saved answer
    question_count: int
    server_time: datetime
    results: YourResults | None = None  # once released to you (GET .../grades has the marks)


class AttemptList(BaseModel):
    items: list[AttemptSummary]


Students = Annotated[Principal, require_role(Role.STUDENT)]

# A student sits a handful of exams a term; this many is more than a career of them.
MAX_OWN_ATTEMPTS = 500


@router.get("", response_model=AttemptList,
            summary="Your attempts, newest first (students): in progress with the time left, "
                    "submitted")
async def list_own_attempts(user: Students, db: ReadModels,
                            exam_id: Annotated[EntityId | None, Query()] = None):
    rows = await db.fetch(
        f"SELECT a.attempt_id, a.exam_id, a.number, a.status, a.started_at, a.deadline, "
        f"a.paused_at, a.submitted_at, a.submit_reason, "
        f"jsonb_array_length(a.questions) AS question_count, "
        f"(SELECT count(*) FROM jsonb_object_keys(a.answers)) AS answered, "
        f"g.status AS grading_status, g.score, g.max_score, c.status AS exam_status, "
        f"c.results_release, c.results_for_all, c.results_for, c.window_closes_at, "
        f"c.accommodations, c.grade_bands, c.pass_mark_percent FROM {ATTEMPTS.qualified} a "
        f"LEFT JOIN {ATTEMPT_GRADES.qualified} g USING (attempt_id) "
        f"LEFT JOIN {EXAM_CATALOGUE.qualified} c ON c.exam_id = a.exam_id "
        f"WHERE a.student_id = $1 AND ($2::text IS NULL OR a.exam_id = $2) "
        f"ORDER BY a.started_at DESC LIMIT {MAX_OWN_ATTEMPTS}", user.user_id, exam_id)
    now = datetime.now(timezone.utc)
    return {"items": [{**dict(r), "server_time": now, "results": _results(r, user.user_id, now)}
                      for r in rows]}


def _results(row, student_id: str, now: datetime) -> dict | None:
    if row["grading_status"] is None or row["exam_status"] in (None, ExamStatus.DELETED):
        return None
    if not results_released(row["results_release"], row["results_for_all"],
                            json.loads(row["results_for"]), student_id, row["grading_status"],
                            last_window_close(row), now):
        return None
    percent = round(100 * row["score"] / row["max_score"], 2) if row["max_score"] else 0.0
    complete = row["grading_status"] == "graded"
    return {"score": row["score"], "max_score": row["max_score"], "percent": percent,
            "complete": complete, **result_grade(percent, complete, json.loads(
                row["grade_bands"]), row["pass_mark_percent"])}


@router.get("/{attempt_id}", response_model=AttemptView,
            summary="Your attempt: its questions, your saved answers, the deadline (students)")
async def get_attempt(attempt_id: EntityId, user: CurrentUser, db: ReadModels,
                      personal: Personal, s: SettingsDep, request: Request):
    row = await db.fetchrow(f"SELECT * FROM {ATTEMPTS.qualified} WHERE attempt_id = $1",
                            attempt_id)
    if row is None or row["student_id"] != user.user_id:
        raise NotFound("attempt_not_found", f"attempt {attempt_id} does not exist",
                       field="attempt_id")
    drawn = json.loads(row["questions"])
    found = await db.fetch(
        f"SELECT question_id, revision, content FROM {QUESTION_REVISIONS.qualified} "
        f"WHERE (question_id, revision) IN (SELECT * FROM unnest($1::text[], $2::int[]))",
        [q["question_id"] for q in drawn], [q["revision"] for q in drawn])
    content = {(r["question_id"], r["revision"]): r["content"] for r in found}
    questions = []
    for q in drawn:
        pinned = content.get((q["question_id"], q["revision"]))
        if pinned is None:  # the revisions read model is being rebuilt: ask again shortly
            raise Unavailable("attempt_questions_unavailable", "this attempt's questions are "
                              "not readable this moment; try again", retry_after=1)
        view = question_for_students(q["question_id"], q["revision"],
                                     QuestionContent.model_validate_json(pinned),
                                     seed=row["seed"], shuffle_options=row["shuffle_options"])
        questions.append({"section_id": q["section_id"], "points": q["points"],
                          "question": view})
    saved = json.loads(row["answers"])
    opened = await personal.reveal_fields([(row["student_id"], ANSWER_FIELD, a["answer"])
                                           for a in saved.values()])
    answers = {qid: {"answer": None if text == ERASED else json.loads(text),
                     "client_seq": a["client_seq"], "saved_at": a["saved_at"]}
               for (qid, a), text in zip(saved.items(), opened)}
    media = await _media_of(db, s, request, questions)
    return {**dict(row), "flagged": json.loads(row["flagged"]),
            "questions": questions, "answers": answers, "media": media,
            "server_time": datetime.now(timezone.utc)}


async def _media_of(db, s, request: Request, questions: list[dict]) -> dict[str, dict]:
    """Short-lived URLs for the files the attempt's questions show (only those: a student
    reaches a file through a question drawn for them)."""
    wanted = list(dict.fromkeys(m for q in questions for m in q["question"]["media_ids"]))
    if not wanted:
        return {}
    rows = await db.fetch(f"SELECT media_id, object_key, content_type, filename "
                          f"FROM {MEDIA_LIBRARY.qualified} "
                          f"WHERE media_id = ANY($1::text[]) AND status = $2",
                          wanted, MediaStatus.STORED.value)

    def sign() -> dict[str, dict]:
        signed = {}
        for r in rows:
            url, expires = objects.download_url(s, r["object_key"], r["content_type"],
                                                r["filename"])
            signed[r["media_id"]] = {"content_type": r["content_type"], "url_expires_at": expires,
                                     "url": objects.as_seen_by(s, url, request.headers.get(
                                         objects.GATEWAY_PATH_HEADER))}
        return signed
    return await asyncio.to_thread(sign)


# --- the live channel ------------------------------------------------------------------------

@router.websocket("/{attempt_id}/live")
async def attempt_live(websocket: WebSocket, attempt_id: str):
    """The open exam page's live channel (the student's own attempt only).

    The page sends ``{"token": "<access token>"}`` first (a browser cannot set a WebSocket's
    headers); the server answers ``{"type": "ready", "version", "status", "deadline",
    "paused_at", "server_time"}``, then ``{"type": "changed"}`` with the same fields but the
    time whenever the attempt's row changes (a save, an extension, a pause, the deadline's
    submission), so the page can tell what matters to it; ``{"type": "resync"}`` when it may
    have missed a change, and ``{"type": "heartbeat", "server_time"}`` every 20 s. The page reads
    the attempt again through ``GET /v1/attempts/{id}``. Refusals close the socket with 4401
    (token missing, invalid or its session ended) or 4404 (no such attempt of yours), the
    reason naming the code.
    """
    user = await signed_in(websocket)
    if user is None:
        return
    app = websocket.app
    row = await app.state.pool.fetchrow(
        f"SELECT student_id, version, status, deadline, paused_at FROM {ATTEMPTS.qualified} "
        f"WHERE attempt_id = $1", attempt_id)
    if row is None or row["student_id"] != user.user_id:
        await websocket.close(CLOSE_NOT_FOUND, "attempt_not_found")
        return
    feed: LiveFeed = app.state.live
    async with feed.watch(ATTEMPT_CHANGES, attempt_id) as changes:
        await websocket.send_json({"type": "ready", "version": row["version"],
                                   **attempt_clock(row), "server_time": now_iso()})
        await relay_changes(websocket, user, changes)
