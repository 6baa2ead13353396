"""Given events, when a command, then events or a refusal: the exam aggregate."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from command_api.exams.decider import (Accommodation, AssignStudents, ChangeExamSettings, CloneExam,
                                       DeleteExam, DraftExam, ExamContent, ExamLayout,
                                       ExamSettings, ExtendExamWindow, GrantAccommodation,
                                       PublishExam, SetExamQuestions, UnassignStudents,
                                       UpdateExam, WithdrawAccommodation, exam_decider)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from schemas.envelope import Actor
from schemas.events.exam import (AccommodationGranted, AccommodationWithdrawn, ExamDeleted,
                                 GradeBand,
                                 ExamDrafted, ExamItem, ExamPublished, ExamQuestionsSet,
                                 ExamSection, ExamSettingsChanged, ExamUpdated,
                                 ExamWindowExtended, PinnedQuestion, ProctoringSettings,
                                 StudentsAssigned, StudentsUnassigned)

TEACHER = Actor(user_id="t-1", role="teacher")
OTHER_TEACHER = Actor(user_id="t-2", role="teacher")
STUDENT = Actor(user_id="s-1", role="student")
ADMIN = Actor(user_id="a-1", role="admin")
NOW = datetime(2027, 1, 1, 9, 0, tzinfo=timezone.utc)
CONTENT = ExamContent("Algebra I", "Midterm", "No calculators", 60,
                      NOW + timedelta(days=10), NOW + timedelta(days=10, hours=3))
DRAFTED = ExamDrafted(exam_id="e-1", teacher_id="t-1", **vars(CONTENT))


def pinned(*question_ids: str) -> list[PinnedQuestion]:
    return [PinnedQuestion(question_id=q, revision=1) for q in question_ids]


LAYOUT = ExamLayout((ExamSection(section_id="s1", title="Part A", items=[
    ExamItem(item_id="i1", candidates=pinned("q-1"), points=2),
    ExamItem(item_id="pool", candidates=pinned("q-2", "q-3", "q-4"), draw=2, points=1)]),))
QUESTIONS_SET = ExamQuestionsSet(exam_id="e-1", sections=list(LAYOUT.sections))
ASSIGNED = StudentsAssigned(exam_id="e-1", student_ids=["s-1", "s-2"])
READY = (DRAFTED, QUESTIONS_SET, ASSIGNED)
PUBLISHED = ExamPublished(exam_id="e-1", teacher_id="t-1", published_at=NOW)


def given(*events):
    return exam_decider.fold(list(events))


def when(state, command):
    return exam_decider.decide(command, state)


def test_a_teacher_drafts_an_exam():
    assert when(given(), DraftExam("e-1", TEACHER, CONTENT)) == [DRAFTED]


def test_a_student_cannot_create_an_exam():
    with pytest.raises(Forbidden) as refused:
        when(given(), DraftExam("e-1", STUDENT, CONTENT))
    assert refused.value.code == "not_a_teacher"


def test_the_same_exam_cannot_be_drafted_twice():
    with pytest.raises(DomainError, match="already exists"):
        when(given(DRAFTED), DraftExam("e-1", TEACHER, CONTENT))


@pytest.mark.parametrize("content,field", [
    (ExamContent(" ", "", "", 60), "title"),
    (ExamContent("T", "", "", 0), "duration_minutes"),
    (ExamContent("T", "", "", 60, NOW, None), "window_closes_at"),
    (ExamContent("T", "", "", 60, NOW, NOW - timedelta(hours=1)), "window_closes_at"),
    (ExamContent("T", "", "", 120, NOW, NOW + timedelta(minutes=90)), "window_closes_at"),
])
def test_invalid_content_is_refused_naming_the_field(content, field):
    with pytest.raises(Invalid) as refused:
        when(given(), DraftExam("e-1", TEACHER, content))
    assert refused.value.field == field


def test_the_owner_edits_a_draft():
    edited = ExamContent("Algebra I (v2)", "Midterm", "", 90)
    assert when(given(DRAFTED), UpdateExam("e-1", TEACHER, edited)) == [
        ExamUpdated(exam_id="e-1", **vars(edited))]


def test_a_published_exam_cannot_be_edited():
    with pytest.raises(DomainError) as refused:
        when(given(DRAFTED, PUBLISHED), UpdateExam("e-1", TEACHER, CONTENT))
    assert refused.value.code == "exam_not_draft" and refused.value.kind == "conflict"


def test_publishing_twice_is_refused():
    with pytest.raises(DomainError) as refused:
        when(given(DRAFTED, PUBLISHED), PublishExam("e-1", TEACHER, NOW))
    assert refused.value.code == "exam_already_published"


def test_the_owner_and_admins_publish():
    assert when(given(*READY), PublishExam("e-1", TEACHER, NOW)) == [PUBLISHED]
    assert when(given(*READY), PublishExam("e-1", ADMIN, NOW)) == [PUBLISHED]


@pytest.mark.parametrize("intruder", [OTHER_TEACHER, STUDENT])
def test_others_cannot_touch_an_exam_and_learn_nothing_about_it(intruder):
    for command in (UpdateExam("e-1", intruder, CONTENT), PublishExam("e-1", intruder, NOW),
                    DeleteExam("e-1", intruder)):
        with pytest.raises(NotFound):
            when(given(DRAFTED), command)


def test_an_exam_whose_window_closed_cannot_be_published():
    with pytest.raises(Invalid) as refused:
        when(given(*READY), PublishExam("e-1", TEACHER, NOW + timedelta(days=11)))
    assert refused.value.field == "window_closes_at"


def test_only_drafts_are_deleted_and_a_deleted_exam_is_gone():
    assert when(given(DRAFTED), DeleteExam("e-1", TEACHER)) == [ExamDeleted(exam_id="e-1")]
    with pytest.raises(DomainError):
        when(given(DRAFTED, PUBLISHED), DeleteExam("e-1", TEACHER))
    with pytest.raises(NotFound):
        when(given(DRAFTED, ExamDeleted(exam_id="e-1")), PublishExam("e-1", TEACHER, NOW))


def test_commands_on_an_exam_that_does_not_exist_are_not_found():
    with pytest.raises(NotFound):
        when(given(), PublishExam("e-9", TEACHER, NOW))



def test_publishing_lists_every_problem_at_once():
    bare = ExamDrafted(exam_id="e-1", teacher_id="t-1", title="T", description="",
                       instructions="", duration_minutes=60)
    with pytest.raises(Invalid) as refused:
        when(given(bare), PublishExam("e-1", TEACHER, NOW))
    assert {(e["field"], e["code"]) for e in refused.value.details["errors"]} == {
        ("sections", "no_questions"), ("window_opens_at", "window_missing"),
        ("assignments", "nobody_assigned")}


def test_a_layout_is_checked_whole_before_it_is_kept():
    assert when(given(DRAFTED), SetExamQuestions("e-1", TEACHER, LAYOUT)) == [QUESTIONS_SET]
    broken = ExamLayout((ExamSection(section_id="s1", title=" ", items=[
        ExamItem(item_id="i1", candidates=pinned("q-1"), points=0),
        ExamItem(item_id="i1", candidates=pinned("q-1", "q-2"), draw=3)]),))
    with pytest.raises(Invalid) as refused:
        when(given(DRAFTED), SetExamQuestions("e-1", TEACHER, broken))
    assert {e["code"] for e in refused.value.details["errors"]} == {
        "section_title_empty", "zero_points", "item_id_repeated", "pool_too_small",
        "question_repeated"}


def test_settings_change_in_a_draft_only():
    settings = ExamSettings(late_entry_minutes=15, attempts_allowed=2, navigation="linear",
                            results_release="after_window", pass_mark_percent=50,
                            proctoring=ProctoringSettings(enabled=True, detectors=["face", "phone"]))
    assert when(given(DRAFTED), ChangeExamSettings("e-1", TEACHER, settings)) == [
        ExamSettingsChanged(exam_id="e-1", **vars(settings))]
    with pytest.raises(DomainError) as refused:
        when(given(*READY, PUBLISHED), ChangeExamSettings("e-1", TEACHER, settings))
    assert refused.value.code == "exam_not_draft"
    with pytest.raises(Invalid) as refused:
        when(given(DRAFTED), ChangeExamSettings("e-1", TEACHER, ExamSettings(
            attempts_allowed=0, navigation="sideways",
            proctoring=ProctoringSettings(detectors=["mind_reading"]))))
    assert {e["field"] for e in refused.value.details["errors"]} == {
        "attempts_allowed", "navigation", "proctoring.detectors"}


def test_grade_bands_are_kept_highest_first_and_must_cover_every_score():
    bands = (GradeBand(letter="C", min_percent=50), GradeBand(letter="A", min_percent=85),
             GradeBand(letter="F", min_percent=0))
    [changed] = when(given(DRAFTED), ChangeExamSettings("e-1", TEACHER, ExamSettings(
        pass_mark_percent=50, grade_bands=bands)))
    assert [(b.letter, b.min_percent) for b in changed.grade_bands] == [
        ("A", 85), ("C", 50), ("F", 0)]
    for broken, field in (((GradeBand(letter="A", min_percent=50),), "grade_bands"),
                          ((GradeBand(letter="A", min_percent=50),
                            GradeBand(letter="A", min_percent=0)), "grade_bands"),
                          ((GradeBand(letter="A", min_percent=120),
                            GradeBand(letter="F", min_percent=0)), "grade_bands.0.min_percent"),
                          ((GradeBand(letter=" ", min_percent=0),), "grade_bands.0.letter")):
        with pytest.raises(Invalid) as refused:
            when(given(DRAFTED), ChangeExamSettings("e-1", TEACHER, ExamSettings(
                grade_bands=broken)))
        assert field in {e["field"] for e in refused.value.details["errors"]}, broken


def test_after_publishing_assignments_accommodations_and_a_longer_window_still_change():
    published = given(*READY, PUBLISHED)
    assert when(published, AssignStudents("e-1", TEACHER, ("s-2", "s-3"))) == [
        StudentsAssigned(exam_id="e-1", student_ids=["s-3"])]
    assert when(published, UnassignStudents("e-1", TEACHER, ("s-2", "s-9"))) == [
        StudentsUnassigned(exam_id="e-1", student_ids=["s-2"])]
    extra = Accommodation(extra_minutes=30, reason="pd1:sealed")
    granted = AccommodationGranted(exam_id="e-1", student_id="s-1", extra_minutes=30,
                                   reason="pd1:sealed")
    assert when(published, GrantAccommodation("e-1", TEACHER, "s-1", extra)) == [granted]
    assert when(given(*READY, PUBLISHED, granted),
                GrantAccommodation("e-1", TEACHER, "s-1", extra)) == []
    assert when(given(*READY, granted), WithdrawAccommodation("e-1", TEACHER, "s-1")) == [
        AccommodationWithdrawn(exam_id="e-1", student_id="s-1")]
    later = CONTENT.window_closes_at + timedelta(hours=1)
    assert when(published, ExtendExamWindow("e-1", TEACHER, later)) == [
        ExamWindowExtended(exam_id="e-1", window_closes_at=later)]
    with pytest.raises(Invalid) as refused:
        when(published, ExtendExamWindow("e-1", TEACHER, CONTENT.window_closes_at))
    assert refused.value.code == "window_not_extended"
    assert given(*READY, PUBLISHED, ExamWindowExtended(
        exam_id="e-1", window_closes_at=later)).content.window_closes_at == later


def test_accommodations_are_for_assigned_students_and_say_something():
    with pytest.raises(Invalid) as refused:
        when(given(*READY), GrantAccommodation("e-1", TEACHER, "s-9", Accommodation(10)))
    assert refused.value.code == "student_not_assigned"
    with pytest.raises(Invalid) as refused:
        when(given(*READY), GrantAccommodation("e-1", TEACHER, "s-1", Accommodation(reason="x")))
    assert refused.value.code == "accommodation_empty"
    unassigned = given(*READY, AccommodationGranted(exam_id="e-1", student_id="s-1",
                                                    extra_percent=25),
                       StudentsUnassigned(exam_id="e-1", student_ids=["s-1"]))
    assert unassigned.accommodations == {}


def test_others_cannot_assign_or_accommodate():
    for command in (AssignStudents("e-1", OTHER_TEACHER, ("s-1",)),
                    GrantAccommodation("e-1", STUDENT, "s-1", Accommodation(10)),
                    SetExamQuestions("e-1", OTHER_TEACHER, LAYOUT)):
        with pytest.raises(NotFound):
            when(given(*READY), command)


def test_a_clone_is_a_new_draft_with_the_layout_and_settings_but_no_students():
    settings = ExamSettingsChanged(exam_id="e-1", attempts_allowed=3)
    source = given(*READY, settings, PUBLISHED)
    events = when(given(), CloneExam("e-2", TEACHER, source, "Algebra I (resit)"))
    assert [type(e).__name__ for e in events] == ["ExamDrafted", "ExamQuestionsSet",
                                                  "ExamSettingsChanged"]
    clone = given(*events)
    assert (clone.status, clone.content.title, clone.layout, clone.settings.attempts_allowed,
            clone.assigned) == ("draft", "Algebra I (resit)", LAYOUT, 3, ())


# --- results ------------------------------------------------------------------------------

def test_results_are_published_to_everyone_once():
    from command_api.exams.decider import PublishResults
    from schemas.events.exam import ResultsPublished

    state = given(*READY, PUBLISHED)
    [event] = when(state, PublishResults("e-1", TEACHER, None, NOW))
    assert isinstance(event, ResultsPublished) and event.student_ids is None
    assert event.published_by == "t-1"
    assert when(given(*READY, PUBLISHED, event), PublishResults("e-1", ADMIN, None, NOW)) == []
    assert when(given(*READY, PUBLISHED, event),
                PublishResults("e-1", TEACHER, ("s-1",), NOW)) == []


def test_results_are_published_to_some_students_each_once():
    from command_api.exams.decider import PublishResults

    state = given(*READY, PUBLISHED)
    [first] = when(state, PublishResults("e-1", TEACHER, ("s-2", "s-2"), NOW))
    assert first.student_ids == ["s-2"]
    state = exam_decider.fold([first], state)
    assert state.results_for == ("s-2",) and not state.results_for_all
    [second] = when(state, PublishResults("e-1", TEACHER, ("s-1", "s-2"), NOW))
    assert second.student_ids == ["s-1"]


def test_publishing_results_is_refused_with_the_reason():
    from command_api.exams.decider import PublishResults

    with pytest.raises(DomainError) as draft:
        when(given(*READY), PublishResults("e-1", TEACHER, None, NOW))
    assert draft.value.code == "exam_not_published"
    with pytest.raises(NotFound):
        when(given(*READY, PUBLISHED), PublishResults("e-1", OTHER_TEACHER, None, NOW))
    with pytest.raises(NotFound):
        when(given(*READY, PUBLISHED), PublishResults("e-1", STUDENT, None, NOW))
    with pytest.raises(Invalid) as stranger:
        when(given(*READY, PUBLISHED), PublishResults("e-1", TEACHER, ("s-1", "s-9"), NOW))
    assert stranger.value.field == "student_ids.1"


def test_a_students_results_are_released_by_the_teacher_or_the_exams_policy():
    from security.visibility import results_released

    closes = NOW + timedelta(hours=1)

    def released(release, status="graded", now=NOW, for_all=False, for_=()):
        return results_released(release, for_all, list(for_), "s-1", status, closes, now)

    assert not released("when_published")
    assert released("when_published", for_all=True, status="grading")  # marked so far
    assert released("when_published", for_=("s-1",)) and not released("when_published",
                                                                       for_=("s-2",))
    assert released("when_graded") and not released("when_graded", status="grading")
    assert not released("after_window") and released("after_window", now=closes)
    assert not released("after_window", status="grading", now=closes)
