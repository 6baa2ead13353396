"""HTTP commands on the question bank. Thin: build the command, hand it to the decider.

The request body of a question is its content record itself (``QuestionContent``, the shape
events carry): one definition for the editor, the import and the log; the decider checks it
whole and answers every problem at once (422, ``errors``).
"""
from __future__ import annotations

from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from command_api.dependencies import Command, ExpectedVersion, Pool, Store
from command_api.exams.roster import accounts_named
from command_api.handling import handle, load_state, load_states
from command_api.media.decider import media_decider
from command_api.questions.decider import (ArchiveQuestion, AuthorQuestion, Question,
                                           RestoreQuestion, RestoreRevision,
                                           ReviseQuestion, ShareQuestion,
                                           UnshareQuestion, authorise, question_decider)
from schemas.envelope import Actor
from schemas.events.media import MediaStatus
from schemas.events.question import QuestionAuthored, QuestionContent, QuestionRevised
from schemas.text import EntityId, PastedEmail, is_entity_id
from schemas.refusals import Invalid, NotFound, Problems
from security.roles import Role

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
    """Teachers named by user id and/or by email (a teacher cannot list accounts; they know
    their colleagues' emails). A wrong entry is refused by its position: ``teacher_emails.2``."""

    model_config = ConfigDict(extra="forbid")

    teacher_ids: Annotated[list[EntityId], Field(max_length=100)] = []
    teacher_emails: Annotated[list[PastedEmail], Field(
        max_length=100, description="teachers' sign-in emails, as pasted")] = []


def _result(question_id: str):
    return lambda state: {"question_id": question_id, "status": state.status,
                          "revision": state.revision}


@router.post("", status_code=status.HTTP_201_CREATED, response_model=QuestionCommandResult,
             summary="Write a new question into your bank (teachers, admins)")
async def author_question(body: QuestionContent, ctx: Command, store: Store):
    question_id = new_question_id(ctx.command_id)
    await _check_media(store, ctx.actor, body, Question())
    return await handle(store, question_decider, question_id,
                        AuthorQuestion(question_id, ctx.actor, body), ctx, _result(question_id))


@router.put("/{question_id}", response_model=QuestionCommandResult,
            summary="Edit a question: a new revision (exams keep the one they pinned)")
async def revise_question(question_id: str, body: QuestionContent, ctx: Command, store: Store,
                          expected: ExpectedVersion):
    await _check_media(store, ctx.actor, body, await _managed(store, ctx.actor, question_id))
    return await handle(store, question_decider, question_id,
                        ReviseQuestion(question_id, ctx.actor, body), ctx,
                        _result(question_id), expected_version=expected)


@router.post("/{question_id}/revisions/{revision}/restore",
             response_model=QuestionCommandResult,
             summary="Bring back an earlier revision's content, as a new revision")
async def restore_revision(question_id: str, revision: Annotated[int, Path(ge=1, le=2**31 - 1)],
                           ctx: Command, store: Store, expected: ExpectedVersion):
    await _managed(store, ctx.actor, question_id)  # a stranger learns nothing of its history
    # The whole stream, once: a restore is rare, and the log is where every revision is kept.
    stream = await store.load(question_decider.aggregate.stream_id(question_id))
    content = next((e.payload.content for e in stream.events
                    if isinstance(e.payload, (QuestionAuthored, QuestionRevised))
                    and getattr(e.payload, "revision", 1) == revision), None)
    # Its files were this question's when it was written: no upload check (a copy's too).
    return await handle(store, question_decider, question_id,
                        RestoreRevision(question_id, ctx.actor, revision, content), ctx,
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
async def share_question(question_id: str, body: TeachersIn, ctx: Command, store: Store,
                         pool: Pool):
    state = await _managed(store, ctx.actor, question_id)  # no account is told to a stranger
    named = await _teachers_named(store, pool, body, Role.TEACHER)
    owner = next((where for where, user_id in named if user_id == state.owner_id), None)
    if owner:
        raise Invalid("share_with_owner", "a question is not shared with its own owner",
                      field=owner)
    return await handle(store, question_decider, question_id,
                        ShareQuestion(question_id, ctx.actor, _ids(named)), ctx,
                        _result(question_id))


@router.post("/{question_id}/unshare", response_model=QuestionCommandResult,
             summary="Stop sharing a question with these teachers")
async def unshare_question(question_id: str, body: TeachersIn, ctx: Command, store: Store,
                           pool: Pool):
    await _managed(store, ctx.actor, question_id)
    # Whatever became of an account since (disabled, another role), it can be taken off.
    named = await _teachers_named(store, pool, body, None)
    return await handle(store, question_decider, question_id,
                        UnshareQuestion(question_id, ctx.actor, _ids(named)), ctx,
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


async def _managed(store, actor: Actor, question_id: str) -> Question:
    """The question, if the caller may change it (else 403 to whom it is shared with, 404 to
    anyone else), before anything else about the request is looked at."""
    state, _ = await load_state(store, question_decider, question_id)
    authorise(actor, state, question_id)
    return state


async def _teachers_named(store, pool, body: TeachersIn, role: Role | None
                          ) -> list[tuple[str, str]]:
    if not body.teacher_ids and not body.teacher_emails:
        raise Invalid("teacher_ids_empty", "name at least one teacher, by email "
                      "(teacher_emails) or by user id (teacher_ids)", field="teacher_emails")
    return await accounts_named(store, pool, body.teacher_ids, body.teacher_emails, role,
                                ids_field="teacher_ids", emails_field="teacher_emails")


def _ids(named: list[tuple[str, str]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(user_id for _, user_id in named))


async def _check_media(store, actor: Actor, content: QuestionContent, before: Question) -> None:
    """A question shows only files its author uploaded and the store kept (a media id is
    what lets other teachers fetch a file: a foreign one would leak it). Files the question
    already showed stay, whoever uploaded them (a copy keeps its source's files)."""
    kept = set(before.content.media_ids) if before.content else set()
    # A malformed id is the decider's to refuse (content.problems); it is never looked up.
    new = [(i, m) for i, m in enumerate(content.media_ids) if m not in kept and is_entity_id(m)]
    found = await load_states(store, media_decider, [m for _, m in new])
    problems = [(f"media_ids.{i}", "media_not_usable",
                 f"media {m} is not a stored upload of yours: upload it, then confirm it")
                for (i, m), media in zip(new, found)
                if media.status != MediaStatus.STORED
                or (media.owner_id != actor.user_id and actor.role != Role.ADMIN)]
    if problems:
        raise Problems(problems)


__all__ = ["router", "Question", "new_question_id"]
