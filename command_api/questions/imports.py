"""Question files: preview an import (every row's or item's problems, nothing stored), import
on confirmation (all rows, or only the valid ones when the teacher says so), the CSV template,
and exports (CSV, QTI 2.1 or 3.0) that report what each question lost in the format. Files go out as
JSON (base64 and the per-question report), and every route here is a POST: the gateway sends
reads to the query API, which does not know these formats.

Nothing is imported from a file with errors unless the teacher asks for the valid rows; a file
that cannot be read as a whole (a missing column, an unsafe package) is never imported. An
import is one command: every question is stored, or none (``handle_new_entities``)."""
from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass, field
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from command_api.dependencies import Command, Store
from command_api.handling import handle_new_entities, load_states
from command_api.questions.decider import AuthorQuestion, question_decider
from command_api.questions.interchange.csv_format import (csv_unmappable, export_csv,
                                                          parse_csv, template_csv)
from command_api.questions.interchange.moodle_xml import import_moodle_xml
from command_api.questions.interchange.qti import QtiVersion, export_qti, import_qti
from command_api.questions.routes import new_question_id
from schemas.events.question import QuestionContent
from schemas.refusals import Invalid, NotFound, Problems
from schemas.text import EntityId
from security.dependencies import require_role
from security.roles import Role

IMPORTS_PATH = "/v1/questions/imports"
router = APIRouter(prefix=IMPORTS_PATH, tags=["question files"],
                   dependencies=[require_role(Role.TEACHER, Role.ADMIN)])
exports = APIRouter(prefix="/v1/questions/exports", tags=["question files"],
                    dependencies=[require_role(Role.TEACHER, Role.ADMIN)])
Format = Literal["csv", "qti", "moodle_xml"]
FILE_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "format": "binary"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
    "application/xml": {"schema": {"type": "string", "format": "binary"}}}}}


@dataclass(frozen=True)
class ImportedItem:
    position: str  # a CSV row number as a spreadsheet shows it, or a package item's name
    content: QuestionContent | None  # None: not importable
    errors: list[tuple[str | None, str]] = field(default_factory=list)  # (column, message)
    not_mapped: list[str] = field(default_factory=list)  # imported, but this was lost
    question_type: str | None = None  # of a row not importable, as the file gives it
    stem: str | None = None


@dataclass(frozen=True)
class ReadFile:
    file_errors: list[str]
    items: list[ImportedItem]


def read_file(format_: str, data: bytes) -> ReadFile:
    """Any supported file as one shape: whole-file errors, then each row's or item's fate."""
    if format_ == "csv":
        found = parse_csv(data)
        return ReadFile([e.message for e in found.file_errors],
                        [ImportedItem(str(r.row), r.content,
                                      [(e.column, e.message) for e in r.errors],
                                      question_type=r.question_type, stem=r.stem)
                         for r in found.rows])
    if format_ == "qti":
        package = import_qti(data)
        return ReadFile(package.package_errors,
                        [_item(i.identifier, i.content, i.not_mapped) for i in package.items])
    moodle = import_moodle_xml(data)
    return ReadFile(moodle.file_errors,
                    [_item(q.name, q.content, q.not_mapped) for q in moodle.questions])


def _item(position: str, content: QuestionContent | None, not_mapped: list[str]) -> ImportedItem:
    """A package item: imported with what it lost, or refused for what could not be mapped."""
    if content is not None:
        return ImportedItem(position, content, [], not_mapped)
    return ImportedItem(position, None, [(None, m) for m in not_mapped or ["not importable"]])


class ItemProblem(BaseModel):
    column: str | None
    message: str


class PreviewItem(BaseModel):
    position: str
    valid: bool
    question_type: str | None
    stem: str | None
    errors: list[ItemProblem]
    not_mapped: list[str]


class ImportPreview(BaseModel):
    format: str
    total: int
    valid: int
    invalid: int
    file_errors: list[str]
    items: list[PreviewItem]


class ImportResult(BaseModel):
    imported: int
    question_ids: list[str]
    skipped: list[str]  # positions of the rows or items left out
    version: int = 1


async def _read(request: Request, format_: str) -> ReadFile:
    data = await request.body()
    if not data:
        raise Invalid("file_empty", "send the file as the request body", field="body")
    # Parsing 10,000 rows is CPU work: off the event loop, so other requests go on.
    return await asyncio.to_thread(read_file, format_, data)


@router.post("/preview", response_model=ImportPreview, openapi_extra=FILE_BODY,
             summary="Read a question file and report every row or item; nothing is stored")
async def preview_import(request: Request,
                         format_: Annotated[Format, Query(alias="format")] = "csv"):
    found = await _read(request, format_)
    items = [PreviewItem(position=i.position, valid=i.content is not None,
                         question_type=i.content.question_type if i.content
                         else i.question_type,
                         stem=i.content.stem[:200] if i.content else i.stem,
                         errors=[ItemProblem(column=c, message=m) for c, m in i.errors],
                         not_mapped=i.not_mapped) for i in found.items]
    valid = sum(item.valid for item in items)
    return ImportPreview(format=format_, total=len(items), valid=valid,
                         invalid=len(items) - valid, file_errors=found.file_errors, items=items)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ImportResult,
             openapi_extra=FILE_BODY,
             summary="Import a question file into your bank: all of it, or only its valid rows")
async def import_questions(
    request: Request, ctx: Command, store: Store,
    format_: Annotated[Format, Query(alias="format")] = "csv",
    only_valid: Annotated[bool, Query(description="import the valid rows and skip the "
                                      "others (after a preview)")] = False,
):
    found = await _read(request, format_)
    if found.file_errors:
        raise Problems([("file", "file_unreadable", m) for m in found.file_errors])
    bad = [i for i in found.items if i.content is None]
    if bad and not only_valid:
        raise Problems([(f"rows.{i.position}.{column or 'row'}", "row_invalid",
                         f"{i.position}{f', {column}' if column else ''}: {message}")
                        for i in bad for column, message in i.errors])
    good = [i for i in found.items if i.content is not None]
    if not good:
        raise Invalid("nothing_to_import", "the file has no question that can be imported",
                      field="file")
    ids = [new_question_id(ctx.command_id, n) for n in range(len(good))]
    outcome = {"imported": len(good), "question_ids": ids,
               "skipped": [i.position for i in bad], "version": 1}
    commands = [(question_id, AuthorQuestion(question_id, ctx.actor, item.content))
                for question_id, item in zip(ids, good)]
    return await handle_new_entities(store, question_decider, commands, ctx, outcome)


class ExportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_ids: Annotated[list[EntityId],
                            Field(min_length=1, max_length=5_000)]
    format: Annotated[Literal["csv", "qti", "qti21", "qti30"], Field(
        description="csv, or a QTI content package: qti21 (QTI 2.1) or qti30 (QTI 3.0); "
                    "qti, the default, is QTI 2.1 (its name from before 3.0)")] = "qti"


QTI_VERSION_OF: dict[str, QtiVersion] = {"qti": "2.1", "qti21": "2.1", "qti30": "3.0"}


class ExportedQuestion(BaseModel):
    question_id: str
    exported: bool
    not_mapped: list[str]


class QuestionExport(BaseModel):
    filename: str
    content_type: str
    data_base64: str
    questions: list[ExportedQuestion]


@exports.post("/template", response_model=QuestionExport,
              summary="The CSV template: every column, one example row per question type")
async def csv_template():
    return QuestionExport(filename="soems-questions-template.csv", content_type="text/csv",
                          data_base64=base64.b64encode(template_csv()).decode(), questions=[])


@exports.post("", response_model=QuestionExport,
              summary="Export questions you can see as CSV or a QTI 2.1 or 3.0 package, with "
                      "what each one lost in the format")
async def export_questions(body: ExportIn, ctx: Command, store: Store):
    states = await load_states(store, question_decider, body.question_ids)
    missing = [(f"question_ids.{n}", "question_not_found", f"question {q} does not exist")
               for n, (q, state) in enumerate(zip(body.question_ids, states))
               if not state.visible_to(ctx.actor)]
    if missing:
        raise Problems(missing)
    pairs = list(zip(body.question_ids, (s.content for s in states)))
    if body.format != "csv":
        version = QTI_VERSION_OF[body.format]
        done = await asyncio.to_thread(export_qti, pairs, version)
        report = [ExportedQuestion(question_id=q, exported=i.exported, not_mapped=i.not_mapped)
                  for (q, _), i in zip(pairs, done.items)]
        name = f"soems-questions-qti{version.replace('.', '')}.zip"
        data, kind = done.package, "application/zip"
    else:
        lost = {q: csv_unmappable(c) for q, c in pairs}
        kept = [c for q, c in pairs if not lost[q]]
        if not kept:
            raise NotFound("nothing_to_export", "none of these questions fits a CSV row",
                           field="question_ids")
        data = await asyncio.to_thread(export_csv, kept)
        report = [ExportedQuestion(question_id=q, exported=not lost[q], not_mapped=lost[q])
                  for q, _ in pairs]
        name, kind = "soems-questions.csv", "text/csv"
    return QuestionExport(filename=name, content_type=kind,
                          data_base64=base64.b64encode(data).decode(), questions=report)
