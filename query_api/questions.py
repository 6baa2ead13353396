"""The question bank, for the staff who own or share it (``security.visibility``): search,
one question in full with its answer key, its history, and the student's view of it (the
editor's live preview, through ``security.student_view`` like every student-facing answer).

Students and proctors get 403 on all of it: they meet questions only inside an exam.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from projections.question_bank import QUESTION_BANK, QUESTION_SEARCH
from projections.question_revisions import QUESTION_REVISIONS
from projections.users import USERS
from query_api.dependencies import (MAX_RESULTS, CurrentUser, PageOf, PageOut, ReadModels,
                                    require_role)
from schemas.events.question import Difficulty, QuestionContent, QuestionStatus, QuestionType
from schemas.refusals import NotFound
from schemas.text import EntityId, Text
from security.roles import Role
from security.student_view import question_for_students
from security.visibility import (may_manage_question, may_see_question,
                                 visible_question_parts_sql, visible_questions_sql)

router = APIRouter(prefix="/v1/questions", tags=["questions"],
                   dependencies=[require_role(Role.TEACHER, Role.ADMIN)])

_SORTS = {
    "relevance": None,  # rank by the full-text match; newest first without a query
    "-updated_at": "updated_at DESC, question_id", "updated_at": "updated_at, question_id",
    "difficulty": "array_position(ARRAY['easy','medium','hard'], difficulty), question_id",
    "-difficulty": "array_position(ARRAY['easy','medium','hard'], difficulty) DESC, question_id",
}
_SUMMARY = ("question_id, owner_id, question_type, stem, difficulty, topic, tags, "
            "estimated_minutes, status, revision, jsonb_array_length(shared_with) > 0 AS shared, "
            "copied_from, created_at, updated_at, version")


class QuestionSummary(BaseModel):
    question_id: str
    owner_id: str
    question_type: str
    stem: str
    difficulty: str
    topic: str
    tags: list[str]
    estimated_minutes: int
    status: str
    revision: int
    shared: bool
    copied_from: str | None
    created_at: datetime
    updated_at: datetime
    version: int


class QuestionPage(PageOut):
    items: list[QuestionSummary]


class Colleague(BaseModel):
    user_id: str
    name: str
    email: str


class QuestionDetail(QuestionSummary):
    content: QuestionContent
    shared_with: list[str]  # the owner's and admins' to see; empty for others
    shared_with_teachers: list[Colleague]  # the same accounts, by name and email


class RevisionWritten(BaseModel):
    revision: int
    written_at: datetime
    written_by: str
    restored_from: int | None = None  # the earlier revision this one brought back


class RevisionSummary(RevisionWritten):
    written_by_name: str | None  # None once the account is gone from the read model
    changed: list[str]  # what differs from the revision before: "stem", "choice.options"


class Revision(RevisionWritten):
    question_id: str
    content: QuestionContent


class StudentQuestion(BaseModel):
    """What a student sees of a question (no answer key of any kind)."""

    question_id: str
    revision: int
    question_type: str
    stem: str
    media_ids: list[str]
    media_alt: dict[str, str] = {}  # a text alternative per image ("" when decorative)
    estimated_minutes: int
    pick: Literal["one", "many"] | None = None
    options: list[dict[str, str]] | None = None
    max_words: int | None = None
    rubric: list[dict[str, Any]] | None = None
    coding: dict[str, Any] | None = None


def changes(before: dict, after: dict) -> list[str]:
    """What an edit changed, in brief: the content's fields, and a type section's parts
    ("choice.options"), that differ."""
    found = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if isinstance(old, dict) and isinstance(new, dict) and name != "media_alt":
            found += [f"{name}.{part}" for part in sorted(old.keys() | new.keys())
                      if old.get(part) != new.get(part)]
        else:
            found.append(name)
    return found


def _summary(row) -> dict:
    return {**dict(row), "tags": json.loads(row["tags"])}


@router.get("", response_model=QuestionPage,
            summary="Search the questions you may see (yours, shared with you; admins: all)")
async def search_questions(
    user: CurrentUser, db: ReadModels, paging: PageOf,
    q: Annotated[Text | None, Query(max_length=200, description="words to find in the "
                                    "stem, options, topic and tags")] = None,
    type_: Annotated[QuestionType | None, Query(alias="type")] = None,
    tag: Annotated[list[Annotated[Text, Query(max_length=100)]] | None,
                   Query(max_length=10, description="questions with all these tags")] = None,
    difficulty: Difficulty | None = None,
    owner: Annotated[Text | None, Query(max_length=200, description="an owner's user id, or "
                                        "'me'")] = None,
    status_: Annotated[QuestionStatus | None, Query(
        alias="status", description="active unless `id` names the questions: then any")] = None,
    id_: Annotated[list[Annotated[EntityId, Query(max_length=200)]] | None, Query(
        alias="id", max_length=100, description="these questions only (an exam's pinned "
        "questions, archived or not)")] = None,
    sort: Literal["relevance", "-updated_at", "updated_at", "difficulty",
                  "-difficulty"] = "relevance",
):
    args: list = [user.user_id]
    where = [visible_questions_sql(user.role, "$1", viewers="viewers")]

    def bind(value) -> str:
        args.append(value)
        return f"${len(args)}"

    if status_ is not None or not id_:
        where.append(f"status = {bind((status_ or QuestionStatus.ACTIVE).value)}")
    if id_:
        where.append(f"question_id = ANY({bind(list(dict.fromkeys(id_)))}::text[])")

    query = None
    if q and q.strip():
        query = f"websearch_to_tsquery('english', {bind(q)})"
        where.append(f"search @@ {query}")
    if type_:
        where.append(f"question_type = {bind(type_.value)}")
    if difficulty:
        where.append(f"difficulty = {bind(difficulty.value)}")
    if tag:
        where.append(f"tags @> {bind(json.dumps(tag))}::jsonb")
    if owner:
        where.append(f"owner_id = {bind(user.user_id if owner == 'me' else owner)}")
    condition = " AND ".join(where + ["$1::text IS NOT NULL"])
    # Every filter and sort runs on the narrow search copy; only the page's rows are read
    # from the bank itself.
    from_where = f"FROM {QUESTION_SEARCH.qualified} WHERE {condition}"
    order = _SORTS[sort]
    if order is None:
        order = "rank DESC, updated_at DESC, question_id" if query \
            else "updated_at DESC, question_id"
    # ts_rank (weights: stem, options, topic and tags): ts_rank_cd's cover density costs
    # 1.5 µs more a match (15 ms for a word in one question of ten, 100,000 questions).
    # Computed only when the order uses it.
    rank = f"ts_rank(search, {query})" if query and "rank" in order else "0::real"
    page_of = (f"numbered AS (SELECT question_id, row_number() OVER (ORDER BY {order}) AS n "
               f"FROM page) ")
    rows_of = (f"SELECT numbered.n, {_SUMMARY} FROM numbered "
               f"JOIN {QUESTION_BANK.qualified} USING (question_id)")
    if query is None and not tag:
        # Broad: each part of "visible to me" (own, shared with me) is paged in order through
        # its own index, then merged; each count is capped at MAX_RESULTS.
        filters = " AND ".join(where[1:] + ["$1::text IS NOT NULL"])
        parts = [f"FROM {QUESTION_SEARCH.qualified} WHERE {part} AND {filters}"
                 for part in visible_question_parts_sql(user.role, "$1")]
        counted = await db.fetchval("SELECT " + " + ".join(
            f"(SELECT count(*) FROM (SELECT 1 {part} LIMIT {MAX_RESULTS + 1}) AS capped)"
            for part in parts), *args)
        total = (min(counted, MAX_RESULTS), counted <= MAX_RESULTS)
        enough = f"LIMIT {paging.offset + paging.per_page}"
        merged = " UNION ALL ".join(
            f"(SELECT question_id, updated_at, difficulty {part} ORDER BY {order} {enough})"
            for part in parts)
        rows = await db.fetch(
            f"WITH page AS (SELECT * FROM ({merged}) AS visible ORDER BY {order} "
            f"{paging.sql()}), {page_of}{rows_of} ORDER BY numbered.n", *args)
        return {**paging.answer([], total), "items": [_summary(r) for r in rows]}
    # Selective (words, tags): every match is found once through the GIN indexes, then
    # ranked, counted and paged from that one set (the planner would otherwise walk the
    # newest-first index through the whole bank looking for a rare tag). The page is the
    # top N of the matches (a bounded sort), numbered after.
    rows = await db.fetch(
        f"WITH hits AS MATERIALIZED (SELECT question_id, updated_at, difficulty, {rank} AS rank "
        f"{from_where}), "
        f"page AS (SELECT * FROM hits ORDER BY {order} {paging.sql()}), {page_of}"
        f"SELECT counted.hits, b.* FROM (SELECT count(*) AS hits FROM hits) AS counted "
        f"LEFT JOIN ({rows_of}) AS b ON true ORDER BY b.n", *args)
    hits = rows[0]["hits"]
    items = [_summary(r) for r in rows if r["question_id"] is not None]
    return {**paging.answer([], (min(hits, MAX_RESULTS), hits <= MAX_RESULTS)), "items": items}


async def _visible_row(db, user, question_id: str):
    row = await db.fetchrow(f"SELECT {_SUMMARY}, content, shared_with "
                            f"FROM {QUESTION_BANK.qualified} WHERE question_id = $1", question_id)
    if row is None or not may_see_question(user.user_id, user.role, row["owner_id"],
                                           json.loads(row["shared_with"])):
        raise NotFound("question_not_found", f"question {question_id} not found",
                       field="question_id")
    return row


@router.get("/{question_id}", response_model=QuestionDetail,
            summary="One question in full, with its answer key (for who may see it)")
async def get_question(question_id: str, user: CurrentUser, db: ReadModels, response: Response):
    row = await _visible_row(db, user, question_id)
    response.headers["ETag"] = f'"{row["version"]}"'
    shared_with = json.loads(row["shared_with"]) \
        if may_manage_question(user.user_id, user.role, row["owner_id"]) else []
    teachers = await db.fetch(f"SELECT user_id, name, email FROM {USERS.qualified} "
                              f"WHERE user_id = ANY($1::text[])", shared_with)
    by_id = {t["user_id"]: dict(t) for t in teachers}
    return {**_summary(row), "content": json.loads(row["content"]), "shared_with": shared_with,
            "shared_with_teachers": [by_id[t] for t in shared_with if t in by_id]}


@router.get("/{question_id}/preview", response_model=StudentQuestion,
            summary="The question as a student will see it (no answer key)")
async def preview_question(question_id: str, user: CurrentUser, db: ReadModels):
    row = await _visible_row(db, user, question_id)
    content = QuestionContent.model_validate_json(row["content"])
    return question_for_students(question_id, row["revision"], content)


@router.get("/{question_id}/revisions", response_model=list[RevisionSummary],
            summary="A question's history: every revision, oldest first")
async def list_revisions(question_id: str, user: CurrentUser, db: ReadModels):
    await _visible_row(db, user, question_id)
    rows = await db.fetch(f"SELECT r.revision, r.written_at, r.written_by, r.restored_from, "
                          f"r.content, "
                          f"u.name AS written_by_name FROM {QUESTION_REVISIONS.qualified} r "
                          f"LEFT JOIN {USERS.qualified} u ON u.user_id = r.written_by "
                          f"WHERE r.question_id = $1 ORDER BY r.revision", question_id)
    history, before = [], None
    for r in rows:
        # Through the current model: a field added since an old revision was written has
        # its default there, and is no change.
        content = QuestionContent.model_validate_json(r["content"]).model_dump(mode="json")
        history.append({**dict(r), "changed": changes(before, content) if before else []})
        before = content
    return history


@router.get("/{question_id}/revisions/{revision}", response_model=Revision,
            summary="One revision of a question, as it was written")
async def get_revision(question_id: str, revision: Annotated[int, Path(ge=1, le=2**31 - 1)],
                       user: CurrentUser, db: ReadModels):
    await _visible_row(db, user, question_id)
    row = await db.fetchrow(f"SELECT question_id, revision, written_at, written_by, "
                            f"restored_from, content "
                            f"FROM {QUESTION_REVISIONS.qualified} "
                            f"WHERE question_id = $1 AND revision = $2", question_id, revision)
    if row is None:
        raise NotFound("revision_not_found", f"question {question_id} has no revision "
                       f"{revision}", field="revision")
    return {**dict(row), "content": json.loads(row["content"])}
