"""HTTP commands on the question bank. Thin: build the command, hand it to the decider.

The request body of a question is its content record itself (``QuestionContent``, the shape
events carry): one definition for the editor, the import and the log; the decider checks it
whole and answers every problem at once (422, ``errors``).
"""
from __future__ import annotations

from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, Field

from command_api.dependencies import Command, ExpectedVersion, Store
from command_api.handling import handle, load_state
from command_api.questions.decider import (ArchiveQuestion, AuthorQuestion, Question,
                                           RestoreQuestion, ReviseQuestion, ShareQuestion,
                                           UnshareQuestion, question_decider)
from schemas.events.question import QuestionContent
from schemas.refusals import NotFound

router = APIRouter(prefix="/v1/questions", tags=["questions"])
_QUESTION_IDS = uuid5(NAMESPACE_URL, "https://soems.org/question")


def new_question_id(command_id, row: int | None = None) -> str:
    """Derived from the command id (and an import's row), so a retried request names the
    same questions."""
    return str(uuid5(_QUESTION_IDS, f"{command_id}" if row is None else f"{command_id}/{row}"))


class QuestionCommandResult(BaseModel):
    question_id: str
    status: str
    revision: int
    version: int


class TeachersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    teacher_ids: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]],
                           Field(min_length=1, max_length=100)]


def _result(question_id: str):
    return lambda state: {"question_id": question_id, "status": state.status,
                          "revision": state.revision}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=QuestionCommandResult,
             summary="Write a new question into your bank (teachers, admins)")
async def author_question(body: QuestionContent, ctx: Command, store: Store):
    question_id = new_question_id(ctx.command_id)
    return await handle(store, question_decider, question_id,
                        AuthorQuestion(question_id, ctx.actor, body), ctx, _result(question_id))


@router.put("/{question_id}", response_model=QuestionCommandResult,
            summary="Edit a question: a new revision (exams keep the one they pinned)")
async def revise_question(question_id: str, body: QuestionContent, ctx: Command, store: Store,
                          expected: ExpectedVersion):
    return await handle(store, question_decider, question_id,
                        ReviseQuestion(question_id, ctx.actor, body), ctx,
                        _result(question_id), expected_version=expected)


@router.post("/{question_id}/copy", status_code=status.HTTP_201_CREATED,
             response_model=QuestionCommandResult,
             summary="Copy a question you can see (yours or shared with you) into your bank")
async def copy_question(question_id: str, ctx: Command, store: Store):
    source, _ = await load_state(store, question_decider, question_id)
    if not source.visible_to(ctx.actor):
        raise NotFound("question_not_found", f"question {question_id} does not exist",
                       field="question_id")
    copy_id = new_question_id(ctx.command_id)
    return await handle(store, question_decider, copy_id,
                        AuthorQuestion(copy_id, ctx.actor, source.content,
                                       copied_from=question_id), ctx, _result(copy_id))


@router.post("/{question_id}/share", response_model=QuestionCommandResult,
             summary="Let other teachers read and copy a question")
async def share_question(question_id: str, body: TeachersIn, ctx: Command, store: Store):
    return await handle(store, question_decider, question_id,
                        ShareQuestion(question_id, ctx.actor, tuple(body.teacher_ids)), ctx,
                        _result(question_id))


@router.post("/{question_id}/unshare", response_model=QuestionCommandResult,
             summary="Stop sharing a question with these teachers")
async def unshare_question(question_id: str, body: TeachersIn, ctx: Command, store: Store):
    return await handle(store, question_decider, question_id,
                        UnshareQuestion(question_id, ctx.actor, tuple(body.teacher_ids)), ctx,
                        _result(question_id))


@router.post("/{question_id}/archive", response_model=QuestionCommandResult,
             summary="Archive a question: out of the bank, kept for the exams that use it")
async def archive_question(question_id: str, ctx: Command, store: Store,
                           expected: ExpectedVersion):
    return await handle(store, question_decider, question_id,
                        ArchiveQuestion(question_id, ctx.actor), ctx, _result(question_id),
                        expected_version=expected)


@router.post("/{question_id}/restore", response_model=QuestionCommandResult,
             summary="Bring an archived question back into the bank")
async def restore_question(question_id: str, ctx: Command, store: Store,
                           expected: ExpectedVersion):
    return await handle(store, question_decider, question_id,
                        RestoreQuestion(question_id, ctx.actor), ctx, _result(question_id),
                        expected_version=expected)


__all__ = ["router", "Question", "new_question_id"]
