"""HTTP commands on exams. Thin: validate input, build the command, hand it to the decider."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal
from uuid import NAMESPACE_URL, uuid5

from fastapi import APIRouter, status
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from command_api.dependencies import Command, ExpectedVersion, Personal, Pool, Store
from command_api.exams.decider import (Accommodation, AssignStudents, ChangeExamSettings,
                                       CloneExam, DeleteExam, DraftExam, Exam, ExamContent,
                                       ExamLayout, ExamSettings, ExtendExamWindow,
                                       GrantAccommodation, PublishExam, PublishResults,
                                       SetExamQuestions,
                                       UnassignStudents, UpdateExam, WithdrawAccommodation,
                                       exam_decider)
from command_api.cohorts.routes import members_of
from command_api.exams.roster import students_named
from command_api.handling import handle, load_state, load_states
from command_api.identity.accounts import seal_for
from command_api.questions.decider import question_decider
from schemas.events.exam import (ACCOMMODATION_REASON, ExamItem, ExamSection, GradeBand,
                                 PinnedQuestion, ProctoringSettings)
from schemas.refusals import Invalid, NotFound, Problems
from schemas.text import EntityId, PastedEmail, Text
from security.visibility import may_manage_exam

router = APIRouter(prefix="/v1/exams", tags=["exams"])
_EXAM_IDS = uuid5(NAMESPACE_URL, "https://soems.org/exam")
EARLIEST_WINDOW, LATEST_WINDOW = 2000, 2999  # years an exam window may fall in


def _utc(moment: datetime | None) -> datetime | None:
    """Stored in UTC; a time without an offset is read as UTC. Moments that UTC cannot hold
    (9999-12-31T23:00-05:00) or that no exam needs are refused by name."""
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


Moment = Annotated[datetime, AfterValidator(_utc)]


class ExamIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: Annotated[Text, Field(min_length=1, max_length=200)]
    description: Annotated[Text, Field(max_length=20_000)] = ""
    instructions: Annotated[Text, Field(max_length=20_000)] = ""
    duration_minutes: Annotated[int, Field(ge=1, le=24 * 60)]
    window_opens_at: Moment | None = None
    window_closes_at: Moment | None = None

    def content(self) -> ExamContent:
        return ExamContent(self.title, self.description, self.instructions,
                           self.duration_minutes, self.window_opens_at, self.window_closes_at)


class CandidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question_id: EntityId
    revision: Annotated[int | None, Field(ge=1, description="the revision to pin; the current "
                                          "one when left out")] = None


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_id: EntityId
    candidates: Annotated[list[CandidateIn], Field(min_length=1, max_length=500)]
    draw: Annotated[int, Field(ge=1, le=500)] = 1
    points: Annotated[float, Field(ge=0, le=1000)] = 1.0


class SectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    section_id: EntityId
    title: Annotated[Text, Field(max_length=200)]
    items: Annotated[list[ItemIn], Field(max_length=500)]


class LayoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: Annotated[list[SectionIn], Field(max_length=50)]
    shuffle_questions: bool = False
    shuffle_options: bool = False


class GradeBandIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    letter: Annotated[str, Field(min_length=1, max_length=12, description="A, B+, Merit...")]
    min_percent: Annotated[float, Field(ge=0, le=100)]


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    late_entry_minutes: Annotated[int | None, Field(ge=0, le=24 * 60)] = None
    attempts_allowed: Annotated[int, Field(ge=1, le=100)] = 1
    navigation: Literal["free", "linear"] = "free"
    results_release: Literal["when_graded", "after_window", "when_published"] = "when_published"
    pass_mark_percent: Annotated[float | None, Field(ge=0, le=100)] = None
    proctoring: ProctoringSettings = ProctoringSettings()
    grade_bands: Annotated[list[GradeBandIn], Field(
        max_length=20, description="the grades by percent; the lowest starts at 0")] = []


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_ids: Annotated[list[EntityId], Field(max_length=5_000)] = []
    emails: Annotated[list[PastedEmail], Field(max_length=5_000)] = []
    cohort_ids: Annotated[list[EntityId], Field(
        max_length=100, description="every member of these cohorts, as they are now")] = []


class UnassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_ids: Annotated[list[EntityId], Field(min_length=1, max_length=5_000)]


class AccommodationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    extra_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = 0
    extra_percent: Annotated[int, Field(ge=0, le=400)] = 0
    window_opens_at: Moment | None = None
    window_closes_at: Moment | None = None
    reason: Annotated[Text | None, Field(max_length=2_000, description="staff only")] = None


class ExtendIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window_closes_at: Moment


class ResultsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    student_ids: Annotated[list[EntityId] | None, Field(max_length=5_000, description=(
        "these students only; leave it out to publish to every student of the exam"))] = None


class ResultsOut(BaseModel):
    exam_id: str
    results_for_all: bool
    results_for: list[str]
    version: int


class CloneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[Text | None, Field(min_length=1, max_length=200)] = None


class ExamCommandResult(BaseModel):
    exam_id: str
    status: str
    assigned_count: int
    version: int


def _result(exam_id: str):
    return lambda state: {"exam_id": exam_id, "status": state.status,
                          "assigned_count": len(state.assigned)}


async def _pinned(store, actor, body: LayoutIn) -> ExamLayout:
    """The layout with every candidate pinned to a revision the caller may use; every
    question that is unknown, not the caller's to use, archived or lacks the revision is
    reported at once."""
    wanted = sorted({c.question_id for s in body.sections for i in s.items for c in i.candidates})
    states = dict(zip(wanted, await load_states(store, question_decider, wanted)))
    problems = []
    sections = []
    for si, section in enumerate(body.sections):
        items = []
        for ii, item in enumerate(section.items):
            candidates = []
            for ci, c in enumerate(item.candidates):
                where = f"sections.{si}.items.{ii}.candidates.{ci}"
                question = states[c.question_id]
                if not question.visible_to(actor):
                    problems.append((f"{where}.question_id", "question_not_found",
                                     f"question {c.question_id} does not exist"))
                elif question.status == "archived":
                    problems.append((f"{where}.question_id", "question_archived",
                                     f"question {c.question_id} is archived"))
                elif c.revision is not None and c.revision > question.revision:
                    problems.append((f"{where}.revision", "revision_not_found",
                                     f"question {c.question_id} has no revision {c.revision}"))
                candidates.append(PinnedQuestion(question_id=c.question_id,
                                                 revision=c.revision or question.revision))
            items.append(ExamItem(item_id=item.item_id, candidates=candidates, draw=item.draw,
                                  points=item.points))
        sections.append(ExamSection(section_id=section.section_id, title=section.title,
                                    items=items))
    if problems:
        raise Problems(problems)
    return ExamLayout(tuple(sections), body.shuffle_questions, body.shuffle_options)


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


@router.put("/{exam_id}/questions", response_model=ExamCommandResult,
            summary="Set a draft's sections, questions (pinned revisions) and random pools")
async def set_exam_questions(exam_id: str, body: LayoutIn, ctx: Command, store: Store,
                             expected: ExpectedVersion):
    await _managed(store, ctx, exam_id)  # a stranger learns nothing about the bank either
    command = SetExamQuestions(exam_id, ctx.actor, await _pinned(store, ctx.actor, body))
    return await handle(store, exam_decider, exam_id, command, ctx, _result(exam_id),
                        expected_version=expected)


@router.put("/{exam_id}/settings", response_model=ExamCommandResult,
            summary="Set how a draft is taken: late entry, attempts, navigation, results, "
                    "pass mark, proctoring")
async def change_exam_settings(exam_id: str, body: SettingsIn, ctx: Command, store: Store,
                               expected: ExpectedVersion):
    command = ChangeExamSettings(exam_id, ctx.actor, ExamSettings(**{
        **dict(body), "grade_bands": tuple(GradeBand(**b.model_dump()) for b in body.grade_bands)}))
    return await handle(store, exam_decider, exam_id, command, ctx, _result(exam_id),
                        expected_version=expected)


@router.post("/{exam_id}/assign", response_model=ExamCommandResult,
             summary="Assign students by id and/or by pasted email list (draft or published)")
async def assign_students(exam_id: str, body: AssignIn, ctx: Command, store: Store,
                          pool: Pool):
    await _managed(store, ctx, exam_id)  # nothing about accounts is told to a stranger
    students = await students_named(store, pool, body.student_ids, body.emails) \
        if body.student_ids or body.emails else []
    students += await members_of(store, ctx.actor, body.cohort_ids)
    if not students:
        raise Invalid("student_ids_empty", "name students, emails or cohorts",
                      field="student_ids")
    return await handle(store, exam_decider, exam_id,
                        AssignStudents(exam_id, ctx.actor, tuple(dict.fromkeys(students))), ctx,
                        _result(exam_id))


@router.post("/{exam_id}/unassign", response_model=ExamCommandResult,
             summary="Take students off an exam")
async def unassign_students(exam_id: str, body: UnassignIn, ctx: Command, store: Store):
    return await handle(store, exam_decider, exam_id,
                        UnassignStudents(exam_id, ctx.actor, tuple(body.student_ids)), ctx,
                        _result(exam_id))


@router.put("/{exam_id}/accommodations/{student_id}", response_model=ExamCommandResult,
            summary="Give an assigned student extra time and/or an own window")
async def grant_accommodation(exam_id: str, student_id: str, body: AccommodationIn,
                              ctx: Command, store: Store, personal: Personal):
    state = await _managed(store, ctx, exam_id)
    if student_id not in state.assigned:  # before any key is made for the reason
        raise NotFound("student_not_assigned", f"student {student_id} is not assigned to "
                       f"this exam", field="student_id")
    reason = await seal_for(store, personal, student_id, ACCOMMODATION_REASON, body.reason)
    accommodation = Accommodation(body.extra_minutes, body.extra_percent, body.window_opens_at,
                                  body.window_closes_at, reason)
    return await handle(store, exam_decider, exam_id,
                        GrantAccommodation(exam_id, ctx.actor, student_id, accommodation), ctx,
                        _result(exam_id))


@router.delete("/{exam_id}/accommodations/{student_id}", response_model=ExamCommandResult,
               summary="Withdraw a student's accommodation")
async def withdraw_accommodation(exam_id: str, student_id: str, ctx: Command, store: Store):
    return await handle(store, exam_decider, exam_id,
                        WithdrawAccommodation(exam_id, ctx.actor, student_id), ctx,
                        _result(exam_id))


@router.post("/{exam_id}/extend", response_model=ExamCommandResult,
             summary="Close a published exam's window later")
async def extend_exam_window(exam_id: str, body: ExtendIn, ctx: Command, store: Store):
    return await handle(store, exam_decider, exam_id,
                        ExtendExamWindow(exam_id, ctx.actor, body.window_closes_at), ctx,
                        _result(exam_id))


@router.post("/{exam_id}/results/publish", response_model=ResultsOut,
             summary="Release the results (marks and feedback) to every student of the exam, "
                     "or to some (the exam's teacher, admins)")
async def publish_results(exam_id: str, body: ResultsIn, ctx: Command, store: Store):
    student_ids = tuple(body.student_ids) if body.student_ids is not None else None
    return await handle(store, exam_decider, exam_id,
                        PublishResults(exam_id, ctx.actor, student_ids,
                                       datetime.now(timezone.utc)), ctx,
                        lambda state: {"exam_id": exam_id,
                                       "results_for_all": state.results_for_all,
                                       "results_for": list(state.results_for)})


@router.post("/{exam_id}/clone", status_code=status.HTTP_201_CREATED,
             response_model=ExamCommandResult,
             summary="A new draft from an exam: content, questions and settings, no students")
async def clone_exam(exam_id: str, body: CloneIn, ctx: Command, store: Store):
    source = await _managed(store, ctx, exam_id)
    clone_id = str(uuid5(_EXAM_IDS, str(ctx.command_id)))
    title = body.title or f"{source.content.title} (copy)"[:200]
    return await handle(store, exam_decider, clone_id,
                        CloneExam(clone_id, ctx.actor, source, title), ctx, _result(clone_id))


async def _managed(store, ctx, exam_id: str) -> Exam:
    """The exam, if the caller manages it; else it does not exist (nothing leaks)."""
    state, _ = await load_state(store, exam_decider, exam_id)
    if state.status in ("none", "deleted") or \
            not may_manage_exam(ctx.actor.user_id, ctx.actor.role, state.teacher_id):
        raise NotFound("exam_not_found", f"exam {exam_id} does not exist")
    return state
