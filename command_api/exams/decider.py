"""Exam decisions, pure: ``decide(command, state) -> events`` and ``evolve(state, event)``."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from command_api.handling import Decider
from schemas.envelope import Actor, DomainEvent
from schemas.events.exam import (EXAM, AccommodationGranted, AccommodationWithdrawn,
                                 ExamDeleted, ExamDrafted, ExamPublished, ExamQuestionsSet,
                                 ExamSection, ExamSettingsChanged, ExamStatus, ExamUpdated,
                                 GradeBand,
                                 ExamWindowExtended, Navigation, ProctoringSettings,
                                 ResultsPublished, ResultsRelease, StudentsAssigned,
                                 StudentsUnassigned)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound, Problems
from security.roles import Role
from security.visibility import may_manage_exam


@dataclass(frozen=True)
class ExamContent:
    title: str
    description: str
    instructions: str
    duration_minutes: int
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None


@dataclass(frozen=True)
class ExamLayout:
    sections: tuple[ExamSection, ...] = ()
    shuffle_questions: bool = False
    shuffle_options: bool = False

    @property
    def items(self):
        return [item for section in self.sections for item in section.items]


@dataclass(frozen=True)
class ExamSettings:
    late_entry_minutes: int | None = None
    attempts_allowed: int = 1
    navigation: str = Navigation.FREE.value
    results_release: str = ResultsRelease.WHEN_PUBLISHED.value
    pass_mark_percent: float | None = None
    proctoring: ProctoringSettings = field(default_factory=ProctoringSettings)
    grade_bands: tuple[GradeBand, ...] = ()  # highest first


@dataclass(frozen=True)
class Accommodation:
    extra_minutes: int = 0
    extra_percent: int = 0
    window_opens_at: datetime | None = None
    window_closes_at: datetime | None = None
    reason: str | None = None  # sealed with the student's key


DETECTORS = ("face", "identity", "gaze", "phone", "people", "voice", "tab_switch")
MAX_STUDENTS_PER_COMMAND = 5_000


# --- commands ----------------------------------------------------------------------------

@dataclass(frozen=True)
class DraftExam:
    exam_id: str
    actor: Actor
    content: ExamContent


@dataclass(frozen=True)
class UpdateExam:
    exam_id: str
    actor: Actor
    content: ExamContent


@dataclass(frozen=True)
class PublishExam:
    exam_id: str
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class DeleteExam:
    exam_id: str
    actor: Actor


@dataclass(frozen=True)
class SetExamQuestions:
    exam_id: str
    actor: Actor
    layout: ExamLayout


@dataclass(frozen=True)
class ChangeExamSettings:
    exam_id: str
    actor: Actor
    settings: ExamSettings


@dataclass(frozen=True)
class AssignStudents:
    exam_id: str
    actor: Actor
    student_ids: tuple[str, ...]


@dataclass(frozen=True)
class UnassignStudents:
    exam_id: str
    actor: Actor
    student_ids: tuple[str, ...]


@dataclass(frozen=True)
class GrantAccommodation:
    exam_id: str
    actor: Actor
    student_id: str
    accommodation: Accommodation


@dataclass(frozen=True)
class WithdrawAccommodation:
    exam_id: str
    actor: Actor
    student_id: str


@dataclass(frozen=True)
class ExtendExamWindow:
    exam_id: str
    actor: Actor
    window_closes_at: datetime


@dataclass(frozen=True)
class PublishResults:
    """``student_ids`` None: every student of the exam."""

    exam_id: str
    actor: Actor
    student_ids: tuple[str, ...] | None
    now: datetime


@dataclass(frozen=True)
class CloneExam:
    """A new draft with another exam's content, layout and settings (not its students)."""

    exam_id: str
    actor: Actor
    source: "Exam"
    title: str


# --- state -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Exam:
    status: str = "none"  # none, then an ExamStatus
    teacher_id: str | None = None
    content: ExamContent | None = None
    layout: ExamLayout = field(default_factory=ExamLayout)
    settings: ExamSettings = field(default_factory=ExamSettings)
    assigned: tuple[str, ...] = ()  # student ids, sorted
    accommodations: dict[str, Accommodation] = field(default_factory=dict)
    results_for_all: bool = False  # results published to every student
    results_for: tuple[str, ...] = ()  # or to these, sorted


def evolve(state: Exam, event: DomainEvent) -> Exam:
    match event:
        case ExamDrafted():
            return Exam(ExamStatus.DRAFT, event.teacher_id, _content(event))
        case ExamUpdated():
            return replace(state, content=_content(event))
        case ExamPublished():
            return replace(state, status=ExamStatus.PUBLISHED)
        case ExamDeleted():
            return replace(state, status=ExamStatus.DELETED)
        case ExamQuestionsSet():
            return replace(state, layout=ExamLayout(tuple(event.sections),
                                                    event.shuffle_questions,
                                                    event.shuffle_options))
        case ExamSettingsChanged():
            return replace(state, settings=ExamSettings(
                event.late_entry_minutes, event.attempts_allowed, event.navigation,
                event.results_release, event.pass_mark_percent, event.proctoring,
                tuple(event.grade_bands)))
        case StudentsAssigned():
            return replace(state, assigned=tuple(sorted({*state.assigned, *event.student_ids})))
        case StudentsUnassigned():
            gone = set(event.student_ids)
            return replace(state, assigned=tuple(s for s in state.assigned if s not in gone),
                           accommodations={k: v for k, v in state.accommodations.items()
                                           if k not in gone})
        case AccommodationGranted():
            return replace(state, accommodations={**state.accommodations, event.student_id:
                                                  Accommodation(event.extra_minutes,
                                                                event.extra_percent,
                                                                event.window_opens_at,
                                                                event.window_closes_at,
                                                                event.reason)})
        case AccommodationWithdrawn():
            return replace(state, accommodations={k: v for k, v in state.accommodations.items()
                                                  if k != event.student_id})
        case ExamWindowExtended():
            return replace(state, content=replace(state.content,
                                                  window_closes_at=event.window_closes_at))
        case ResultsPublished():
            if event.student_ids is None:
                return replace(state, results_for_all=True)
            return replace(state, results_for=tuple(sorted({*state.results_for,
                                                            *event.student_ids})))
    return state


def _content(e: ExamDrafted | ExamUpdated) -> ExamContent:
    return ExamContent(e.title, e.description, e.instructions, e.duration_minutes,
                       e.window_opens_at, e.window_closes_at)


# --- decisions ---------------------------------------------------------------------------

def decide(command, state: Exam) -> list[DomainEvent]:
    match command:
        case DraftExam():
            if command.actor.role != Role.TEACHER:
                raise Forbidden("not_a_teacher", "only teachers create exams")
            if state.status != "none":
                raise DomainError("exam_exists", f"exam {command.exam_id} already exists")
            _validate(command.content)
            return [ExamDrafted(exam_id=command.exam_id, teacher_id=command.actor.user_id,
                                **vars(command.content))]
        case UpdateExam():
            _authorise(command.actor, state, command.exam_id)
            if state.status != ExamStatus.DRAFT:
                raise DomainError("exam_not_draft",
                                  f"exam {command.exam_id} is {state.status}; only drafts change")
            _validate(command.content)
            return [ExamUpdated(exam_id=command.exam_id, **vars(command.content))]
        case PublishExam():
            _authorise(command.actor, state, command.exam_id)
            if state.status == ExamStatus.PUBLISHED:
                raise DomainError("exam_already_published",
                                  f"exam {command.exam_id} is already published")
            if state.status != ExamStatus.DRAFT:
                raise DomainError("exam_not_draft", f"exam {command.exam_id} is {state.status}")
            found = publish_problems(state, command.now)
            if found:
                raise Problems(found)
            return [ExamPublished(exam_id=command.exam_id, teacher_id=state.teacher_id,
                                  published_at=command.now)]
        case SetExamQuestions():
            _draft_of_manager(command.actor, state, command.exam_id)
            _raise_all(layout_problems(command.layout))
            return [ExamQuestionsSet(exam_id=command.exam_id,
                                     sections=list(command.layout.sections),
                                     shuffle_questions=command.layout.shuffle_questions,
                                     shuffle_options=command.layout.shuffle_options)]
        case ChangeExamSettings():
            _draft_of_manager(command.actor, state, command.exam_id)
            _raise_all(settings_problems(command.settings))
            bands = sorted(command.settings.grade_bands, key=lambda b: -b.min_percent)
            return [ExamSettingsChanged(exam_id=command.exam_id, **{
                **vars(command.settings), "grade_bands": bands})]
        case AssignStudents() | UnassignStudents():
            _live_of_manager(command.actor, state, command.exam_id)
            _check_students(command.student_ids)
            if isinstance(command, AssignStudents):
                new = sorted(set(command.student_ids) - set(state.assigned))
                return [StudentsAssigned(exam_id=command.exam_id, student_ids=new)] if new else []
            gone = sorted(set(command.student_ids) & set(state.assigned))
            return [StudentsUnassigned(exam_id=command.exam_id, student_ids=gone)] if gone else []
        case GrantAccommodation():
            _live_of_manager(command.actor, state, command.exam_id)
            if command.student_id not in state.assigned:
                raise Invalid("student_not_assigned", "assign the student to the exam before "
                              "granting an accommodation", field="student_id")
            _raise_all(accommodation_problems(command.accommodation))
            if state.accommodations.get(command.student_id) == command.accommodation:
                return []
            return [AccommodationGranted(exam_id=command.exam_id, student_id=command.student_id,
                                         **vars(command.accommodation))]
        case WithdrawAccommodation():
            _live_of_manager(command.actor, state, command.exam_id)
            if command.student_id not in state.accommodations:
                return []
            return [AccommodationWithdrawn(exam_id=command.exam_id,
                                           student_id=command.student_id)]
        case ExtendExamWindow():
            _authorise(command.actor, state, command.exam_id)
            if state.status != ExamStatus.PUBLISHED:
                raise DomainError("exam_not_published", "only a published exam's window is "
                                  "extended; edit a draft's window instead")
            closes = state.content.window_closes_at
            if closes is not None and command.window_closes_at <= closes:
                raise Invalid("window_not_extended", "the new close must be later than the "
                              f"current one ({closes.isoformat()})", field="window_closes_at")
            return [ExamWindowExtended(exam_id=command.exam_id,
                                       window_closes_at=command.window_closes_at)]
        case PublishResults():
            return _publish_results(command, state)
        case CloneExam():
            if command.actor.role != Role.TEACHER:
                raise Forbidden("not_a_teacher", "only teachers create exams")
            if state.status != "none":
                raise DomainError("exam_exists", f"exam {command.exam_id} already exists")
            content = replace(command.source.content, title=command.title)
            _validate(content)
            layout, settings = command.source.layout, command.source.settings
            return [ExamDrafted(exam_id=command.exam_id, teacher_id=command.actor.user_id,
                                **vars(content)),
                    ExamQuestionsSet(exam_id=command.exam_id, sections=list(layout.sections),
                                     shuffle_questions=layout.shuffle_questions,
                                     shuffle_options=layout.shuffle_options),
                    ExamSettingsChanged(exam_id=command.exam_id, **vars(settings))]
        case DeleteExam():
            _authorise(command.actor, state, command.exam_id)
            if state.status != ExamStatus.DRAFT:
                raise DomainError("exam_not_draft",
                                  f"exam {command.exam_id} is {state.status}; only drafts are deleted")
            return [ExamDeleted(exam_id=command.exam_id)]
    raise TypeError(f"not an exam command: {command!r}")


def _publish_results(command: PublishResults, state: Exam) -> list[DomainEvent]:
    _authorise(command.actor, state, command.exam_id)
    if state.status != ExamStatus.PUBLISHED:
        raise DomainError("exam_not_published", "a draft has no results to publish")
    if state.results_for_all:
        return []  # every student sees them already
    if command.student_ids is not None:
        assigned = set(state.assigned)
        for n, student_id in enumerate(command.student_ids):
            if student_id not in assigned:
                raise Invalid("student_not_assigned", f"student {student_id} is not assigned "
                              f"to this exam", field=f"student_ids.{n}")
        new = sorted(set(command.student_ids) - set(state.results_for))
        if not new:
            return []
        return [ResultsPublished(exam_id=command.exam_id, student_ids=new,
                                 published_by=command.actor.user_id,
                                 published_at=command.now)]
    return [ResultsPublished(exam_id=command.exam_id, published_by=command.actor.user_id,
                             published_at=command.now)]


def _authorise(actor: Actor, state: Exam, exam_id: str) -> None:
    """Only the exam's teacher and admins act on it; to anyone else it does not exist, so
    drafts do not leak."""
    if state.status in ("none", ExamStatus.DELETED) or \
            not may_manage_exam(actor.user_id, actor.role, state.teacher_id):
        raise NotFound("exam_not_found", f"exam {exam_id} does not exist")


def _draft_of_manager(actor: Actor, state: Exam, exam_id: str) -> None:
    _authorise(actor, state, exam_id)
    if state.status != ExamStatus.DRAFT:
        raise DomainError("exam_not_draft", f"exam {exam_id} is {state.status}; after "
                          f"publishing only the window, assignments and accommodations change")


def _live_of_manager(actor: Actor, state: Exam, exam_id: str) -> None:
    """Assignments and accommodations change in a draft and after publishing."""
    _authorise(actor, state, exam_id)


def _check_students(student_ids: tuple[str, ...]) -> None:
    if not student_ids:
        raise Invalid("student_ids_empty", "name at least one student", field="student_ids")
    if len(student_ids) > MAX_STUDENTS_PER_COMMAND:
        raise Invalid("too_many_students", f"at most {MAX_STUDENTS_PER_COMMAND:,} students at "
                      f"once", field="student_ids")


def _raise_all(found: list[tuple[str, str, str]]) -> None:
    if found:
        raise Problems(found)


def layout_problems(layout: ExamLayout) -> list[tuple[str, str, str]]:
    """(field, code, message) for every fault of a layout."""
    found = []
    seen_sections, seen_items, seen_questions = set(), set(), set()
    for i, section in enumerate(layout.sections):
        where = f"sections.{i}"
        if not section.title.strip():
            found.append((f"{where}.title", "section_title_empty", "a section needs a title"))
        if section.section_id in seen_sections:
            found.append((f"{where}.section_id", "section_id_repeated", "each section_id once"))
        seen_sections.add(section.section_id)
        if not section.items:
            found.append((f"{where}.items", "section_empty", f"section '{section.title}' has "
                          f"no questions"))
        for j, item in enumerate(section.items):
            at = f"{where}.items.{j}"
            if item.item_id in seen_items:
                found.append((f"{at}.item_id", "item_id_repeated", "each item_id once"))
            seen_items.add(item.item_id)
            if not item.candidates:
                found.append((f"{at}.candidates", "item_without_questions",
                              "an item needs at least one question"))
            elif not 1 <= item.draw <= len(item.candidates):
                found.append((f"{at}.draw", "pool_too_small",
                              f"draws {item.draw} from a pool of {len(item.candidates)}"))
            if not item.points > 0:
                found.append((f"{at}.points", "zero_points", "an item must be worth more than "
                              "0 points"))
            for candidate in item.candidates:
                if candidate.question_id in seen_questions:
                    found.append((f"{at}.candidates", "question_repeated",
                                  f"question {candidate.question_id} is in the exam twice: a "
                                  f"student could be asked it twice"))
                seen_questions.add(candidate.question_id)
    return found


def settings_problems(s: ExamSettings) -> list[tuple[str, str, str]]:
    found = []
    if s.late_entry_minutes is not None and not 0 <= s.late_entry_minutes <= 24 * 60:
        found.append(("late_entry_minutes", "late_entry_out_of_range",
                      "late_entry_minutes must be between 0 and 1440"))
    if not 1 <= s.attempts_allowed <= 100:
        found.append(("attempts_allowed", "attempts_out_of_range",
                      "attempts_allowed must be between 1 and 100"))
    if s.navigation not in set(Navigation):
        found.append(("navigation", "unknown_navigation",
                      f"navigation must be one of {', '.join(Navigation)}"))
    if s.results_release not in set(ResultsRelease):
        found.append(("results_release", "unknown_results_release",
                      f"results_release must be one of {', '.join(ResultsRelease)}"))
    if s.pass_mark_percent is not None and not 0 <= s.pass_mark_percent <= 100:
        found.append(("pass_mark_percent", "pass_mark_out_of_range",
                      "pass_mark_percent must be between 0 and 100"))
    found += grade_band_problems(s.grade_bands)
    unknown = [d for d in s.proctoring.detectors if d not in DETECTORS]
    if unknown:
        found.append(("proctoring.detectors", "unknown_detector",
                      f"unknown detectors {', '.join(unknown)}; known: {', '.join(DETECTORS)}"))
    return found


def grade_band_problems(bands) -> list[tuple[str, str, str]]:
    """Bands must give every score a grade: one starts at 0 %, each between 0 and 100, no
    two at the same percent or with the same letter."""
    found = []
    for i, band in enumerate(bands):
        if not band.letter.strip() or len(band.letter) > 12:
            found.append((f"grade_bands.{i}.letter", "grade_letter_invalid",
                          "a grade's letter is 1 to 12 characters"))
        if not 0 <= band.min_percent <= 100:
            found.append((f"grade_bands.{i}.min_percent", "grade_band_out_of_range",
                          "a grade's min_percent must be between 0 and 100"))
    if bands:
        if len({b.letter.strip() for b in bands}) != len(bands):
            found.append(("grade_bands", "grade_letter_repeated", "each letter once"))
        if len({b.min_percent for b in bands}) != len(bands):
            found.append(("grade_bands", "grade_band_repeated",
                          "each band starts at a different percent"))
        if min(b.min_percent for b in bands) != 0:
            found.append(("grade_bands", "grade_bands_not_from_zero",
                          "the lowest grade must start at 0 % so every score has a grade"))
    return found


def accommodation_problems(a: Accommodation) -> list[tuple[str, str, str]]:
    found = []
    if not 0 <= a.extra_minutes <= 24 * 60:
        found.append(("extra_minutes", "extra_minutes_out_of_range",
                      "extra_minutes must be between 0 and 1440"))
    if not 0 <= a.extra_percent <= 400:
        found.append(("extra_percent", "extra_percent_out_of_range",
                      "extra_percent must be between 0 and 400"))
    if (a.window_opens_at is None) != (a.window_closes_at is None):
        found.append(("window_closes_at", "window_incomplete",
                      "give both window_opens_at and window_closes_at, or neither"))
    elif a.window_opens_at and a.window_closes_at <= a.window_opens_at:
        found.append(("window_closes_at", "window_inverted",
                      "window_closes_at must be after window_opens_at"))
    if a == Accommodation(reason=a.reason):
        found.append(("extra_minutes", "accommodation_empty",
                      "give extra time or an own window"))
    return found


def publish_problems(state: Exam, now: datetime) -> list[tuple[str, str, str]]:
    """Every reason the exam cannot be published yet."""
    c = state.content
    found = []
    if not state.layout.items:
        found.append(("sections", "no_questions", "the exam has no questions"))
    found += layout_problems(state.layout)
    if c.window_opens_at is None:
        found.append(("window_opens_at", "window_missing", "set the window students take the "
                      "exam in"))
    elif c.window_closes_at <= now:
        found.append(("window_closes_at", "window_closed", "the exam window has already closed"))
    if not state.assigned:
        found.append(("assignments", "nobody_assigned", "assign at least one student"))
    return found


def _validate(c: ExamContent) -> None:
    if not c.title.strip():
        raise Invalid("title_empty", "the title must not be blank", field="title")
    if not 1 <= c.duration_minutes <= 24 * 60:
        raise Invalid("duration_out_of_range", "duration_minutes must be between 1 and 1440",
                      field="duration_minutes")
    if (c.window_opens_at is None) != (c.window_closes_at is None):
        raise Invalid("window_incomplete", "give both window_opens_at and window_closes_at, "
                      "or neither", field="window_closes_at")
    if c.window_opens_at and c.window_closes_at <= c.window_opens_at:
        raise Invalid("window_inverted", "window_closes_at must be after window_opens_at",
                      field="window_closes_at")
    if c.window_opens_at and (c.window_closes_at - c.window_opens_at).total_seconds() < \
            c.duration_minutes * 60:
        raise Invalid("window_too_short", "the window is shorter than the exam's duration",
                      field="window_closes_at")


exam_decider = Decider(EXAM, initial=Exam(), decide=decide, evolve=evolve)
