"""Given events, when a command, then events or a refusal: the exam aggregate."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from command_api.exams.decider import (DeleteExam, DraftExam, ExamContent, PublishExam,
                                       UpdateExam, exam_decider)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from schemas.envelope import Actor
from schemas.events.exam import ExamDeleted, ExamDrafted, ExamPublished, ExamUpdated

TEACHER = Actor(user_id="t-1", role="teacher")
OTHER_TEACHER = Actor(user_id="t-2", role="teacher")
STUDENT = Actor(user_id="s-1", role="student")
ADMIN = Actor(user_id="a-1", role="admin")
NOW = datetime(2027, 1, 1, 9, 0, tzinfo=timezone.utc)
CONTENT = ExamContent("Algebra I", "Midterm", "No calculators", 60,
                      NOW + timedelta(days=10), NOW + timedelta(days=10, hours=3))
DRAFTED = ExamDrafted(exam_id="e-1", teacher_id="t-1", **vars(CONTENT))
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
    assert when(given(DRAFTED), PublishExam("e-1", TEACHER, NOW)) == [PUBLISHED]
    assert when(given(DRAFTED), PublishExam("e-1", ADMIN, NOW)) == [PUBLISHED]


@pytest.mark.parametrize("intruder", [OTHER_TEACHER, STUDENT])
def test_others_cannot_touch_an_exam_and_learn_nothing_about_it(intruder):
    for command in (UpdateExam("e-1", intruder, CONTENT), PublishExam("e-1", intruder, NOW),
                    DeleteExam("e-1", intruder)):
        with pytest.raises(NotFound):
            when(given(DRAFTED), command)


def test_an_exam_whose_window_closed_cannot_be_published():
    with pytest.raises(Invalid) as refused:
        when(given(DRAFTED), PublishExam("e-1", TEACHER, NOW + timedelta(days=11)))
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
