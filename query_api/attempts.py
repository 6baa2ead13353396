"""An attempt as its student resumes it: the questions drawn (pinned revisions, options in
the attempt's order, never a key), their saved answers with receipts, and the clock."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from projections.attempts import ATTEMPTS
from projections.question_revisions import QUESTION_REVISIONS
from query_api.dependencies import CurrentUser, Personal, ReadModels
from query_api.questions import StudentQuestion
from schemas.events.attempt import ANSWER_FIELD
from schemas.events.question import QuestionContent
from schemas.refusals import NotFound, Unavailable
from schemas.text import EntityId
from security.personal_data import ERASED
from security.student_view import question_for_students

router = APIRouter(prefix="/v1/attempts", tags=["attempts"])


class AttemptQuestionView(BaseModel):
    section_id: str
    points: float
    question: StudentQuestion


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
    version: int


@router.get("/{attempt_id}", response_model=AttemptView,
            summary="Your attempt: its questions, your saved answers, the deadline (students)")
async def get_attempt(attempt_id: EntityId, user: CurrentUser, db: ReadModels,
                      personal: Personal):
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
    return {**dict(row), "questions": questions, "answers": answers,
            "server_time": datetime.now(timezone.utc)}
