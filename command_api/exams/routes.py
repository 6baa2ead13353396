"""HTTP commands on exams. Thin: validate input, build the command, hand it to the decider."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from command_api.dependencies import Command, ExpectedVersion, Store
from command_api.exams.decider import (DeleteExam, DraftExam, Exam, ExamContent, PublishExam,
                                       UpdateExam, exam_decider)
from command_api.handling import handle
from schemas.text import Text

router = APIRouter(prefix="/v1/exams", tags=["exams"])
_EXAM_IDS = uuid5(NAMESPACE_URL, "https://soems.org/exam")
EARLIEST_WINDOW, LATEST_WINDOW = 2000, 2999  # years an exam window may fall in


class ExamIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(max_length=20_000)] = ""
    instructions: Annotated[Text, Field(max_length=20_000)] = ""
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None

    @field_validator("window_opens_at", "window_closes_at")
    @classmethod
    def _in_utc(cls, moment: datetime | None) -> datetime | None:
        """Stored in UTC; a time without an offset is read as UTC. Moments that UTC cannot
        hold (9999-12-31T23:00-05:00) or that no exam needs are refused by name."""
        if moment is None:
            return None
        try:
            moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else \
                moment.astimezone(timezone.utc)
        except OverflowError:
            raise ValueError("is outside the dates an exam can use") from None
        if not EARLIEST_WINDOW <= moment.year <= LATEST_WINDOW:
            raise ValueError(f"must be between the years {EARLIEST_WINDOW} and {LATEST_WINDOW}")
        return moment

    def content(self) -> ExamContent:
        return ExamContent(self.title, self.description, self.instructions,
                           self.duration_minutes, self.window_opens_at, self.window_closes_at)


class ExamCommandResult(BaseModel):
    exam_id: str
    status: str
    version: int


def _result(exam_id: str):
    return lambda state: {"exam_id": exam_id, "status": state.status}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ExamCommandResult,
             summary="Draft a new exam (teachers)")
async def draft_exam(body: ExamIn, ctx: Command, store: Store):
    # The exam id derives from the command id, so a retried request names the same exam.
    exam_id = str(uuid5(_EXAM_IDS, str(ctx.command_id)))
    command = DraftExam(exam_id, ctx.actor, body.content())
    return await handle(store, exam_decider, exam_id, command, ctx, _result(exam_id))


@router.put("/{exam_id}", response_model=ExamCommandResult, summary="Edit a draft exam")
async def update_exam(exam_id: str, body: ExamIn, ctx: Command, store: Store,
                      expected: ExpectedVersion):
    command = UpdateExam(exam_id, ctx.actor, body.content())
    return await handle(store, exam_decider, exam_id, command, ctx, _result(exam_id),
                        expected_version=expected)


@router.post("/{exam_id}/publish", response_model=ExamCommandResult,
             summary="Publish a draft exam so students can see it")
async def publish_exam(exam_id: str, ctx: Command, store: Store, expected: ExpectedVersion):
    command = PublishExam(exam_id, ctx.actor, datetime.now(timezone.utc))
    return await handle(store, exam_decider, exam_id, command, ctx, _result(exam_id),
                        expected_version=expected)


@router.delete("/{exam_id}", response_model=ExamCommandResult, summary="Delete a draft exam")
async def delete_exam(exam_id: str, ctx: Command, store: Store, expected: ExpectedVersion):
    command = DeleteExam(exam_id, ctx.actor)
    return await handle(store, exam_decider, exam_id, command, ctx, _result(exam_id),
                        expected_version=expected)


__all__ = ["router", "Exam"]
