"""Given events, when a command, then events or a refusal: the attempt aggregate."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from command_api.attempts.decider import (SAVE_GRACE, ExtendAttempt, KeepPlace, PauseAttempt,
                                          ResumeAttempt, SaveAnswer, StartAttempt,
                                          SubmitAttempt, attempt_decider)
from command_api.exams.decider import exam_decider
from schemas.envelope import Actor
from schemas.events.attempt import (AnswerRefused, AnswerSaved, AttemptStarted,
                                    AttemptSubmitted, PlaceKept)
from schemas.events.exam import (AccommodationGranted, ExamDrafted, ExamItem, ExamPublished,
                                 ExamQuestionsSet, ExamSection, ExamSettingsChanged,
                                 PinnedQuestion, StudentsAssigned)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound

OPENS = datetime(2027, 1, 1, 9, 0, tzinfo=timezone.utc)
CLOSES = OPENS + timedelta(hours=3)
STUDENT = Actor(user_id="s-1", role="student")
CLASSMATE = Actor(user_id="s-2", role="student")
OUTSIDER = Actor(user_id="s-9", role="student")
TEACHER = Actor(user_id="t-1", role="teacher")

EXAM_EVENTS = [
    ExamDrafted(exam_id="e-1", teacher_id="t-1", title="Algebra", description="",
                instructions="", duration_minutes=60, window_opens_at=OPENS,
                window_closes_at=CLOSES),
    ExamQuestionsSet(exam_id="e-1", shuffle_options=True, sections=[ExamSection(
        section_id="s1", title="Part A", items=[
            ExamItem(item_id="i1", candidates=[PinnedQuestion(question_id="q-1", revision=3)],
                     points=2),
            ExamItem(item_id="pool", draw=2, points=1, candidates=[
                PinnedQuestion(question_id=q, revision=1) for q in ("q-2", "q-3", "q-4")])])]),
    StudentsAssigned(exam_id="e-1", student_ids=["s-1", "s-2"]),
    ExamPublished(exam_id="e-1", teacher_id="t-1", published_at=OPENS - timedelta(days=1)),
]
EXAM = exam_decider.fold(EXAM_EVENTS)


def given(*events):
    return attempt_decider.fold(list(events))


def when(state, command):
    return attempt_decider.decide(command, state)


def start(at: datetime, actor: Actor = STUDENT, exam=EXAM, number: int = 1) -> StartAttempt:
    return StartAttempt("a-1", actor, "e-1", exam, number, "seed-1", at)


def started(at: datetime = OPENS + timedelta(minutes=5)) -> AttemptStarted:
    return when(given(), start(at))[0]


def save(q: str, seq: int, at: datetime, actor: Actor = STUDENT) -> SaveAnswer:
    return SaveAnswer("a-1", actor, q, seq, f"sealed:{q}:{seq}", at)


def test_a_student_starts_and_the_attempt_fixes_the_draw_and_the_deadline():
    at = OPENS + timedelta(minutes=5)
    [event] = when(given(), start(at))
    assert (event.student_id, event.number, event.seed, event.started_at) == \
        ("s-1", 1, "seed-1", at)
    assert event.deadline == at + timedelta(minutes=60)
    assert [q.question_id for q in event.questions][0] == "q-1"
    assert event.questions[0].revision == 3 and event.questions[0].points == 2
    assert len(event.questions) == 3 and event.shuffle_options
    again = when(given(), StartAttempt("a-1", STUDENT, "e-1", EXAM, 1, "seed-1", at))
    assert again == [event]  # the same seed draws the same exam


def test_starting_twice_is_the_same_attempt():
    assert when(given(started()), start(OPENS + timedelta(minutes=6))) == []


def test_the_deadline_is_the_windows_close_when_that_comes_first():
    [event] = when(given(), start(CLOSES - timedelta(minutes=20)))
    assert event.deadline == CLOSES


def test_extra_time_and_an_own_window_come_from_the_accommodation():
    exam = exam_decider.fold([*EXAM_EVENTS, AccommodationGranted(
        exam_id="e-1", student_id="s-1", extra_minutes=10, extra_percent=25,
        window_opens_at=OPENS + timedelta(days=1), window_closes_at=CLOSES + timedelta(days=1))])
    with pytest.raises(DomainError) as refused:
        when(given(), start(OPENS + timedelta(minutes=5), exam=exam))
    assert refused.value.code == "exam_not_open"  # their own window opens a day later
    at = OPENS + timedelta(days=1, minutes=1)
    [event] = when(given(), start(at, exam=exam))
    assert event.deadline == at + timedelta(minutes=60 + 10 + 15)


@pytest.mark.parametrize("at, code", [
    (OPENS - timedelta(minutes=1), "exam_not_open"),
    (CLOSES, "exam_closed"),
])
def test_outside_the_window_nobody_starts(at, code):
    with pytest.raises(DomainError) as refused:
        when(given(), start(at))
    assert refused.value.code == code


def test_late_entry_is_refused_after_the_cut_off():
    exam = exam_decider.fold([*EXAM_EVENTS[:3], ExamSettingsChanged(
        exam_id="e-1", late_entry_minutes=15), EXAM_EVENTS[3]])
    assert when(given(), start(OPENS + timedelta(minutes=15), exam=exam))
    with pytest.raises(DomainError) as refused:
        when(given(), start(OPENS + timedelta(minutes=16), exam=exam))
    assert refused.value.code == "late_entry_closed"


def test_only_assigned_students_start_and_only_within_the_attempts_allowed():
    with pytest.raises(NotFound):
        when(given(), start(OPENS, actor=OUTSIDER))
    with pytest.raises(Forbidden):
        when(given(), start(OPENS, actor=TEACHER))
    with pytest.raises(NotFound):  # a draft is nobody's exam yet
        when(given(), start(OPENS, exam=exam_decider.fold(EXAM_EVENTS[:3])))
    with pytest.raises(DomainError) as refused:
        when(given(), start(OPENS, number=2))
    assert refused.value.code == "no_attempts_left"


def test_a_save_is_acknowledged_with_its_receipt_and_the_newest_save_wins():
    begun = started()
    q = begun.questions[1].question_id
    at = OPENS + timedelta(minutes=10)
    [saved] = when(given(begun), save(q, 2, at))
    assert saved == AnswerSaved(attempt_id="a-1", question_id=q, client_seq=2,
                                answer=f"sealed:{q}:2", saved_at=at)
    state = given(begun, saved)
    assert state.receipts[q].client_seq == 2 and state.receipts[q].version == 2
    assert when(state, save(q, 1, at)) == []  # older, arriving late: not applied
    assert when(state, save(q, 2, at)) == []
    assert when(state, save(q, 3, at))[0].client_seq == 3


def test_a_late_save_is_kept_for_appeals_and_refused():
    begun = started()
    q = begun.questions[0].question_id
    after = begun.deadline + SAVE_GRACE + timedelta(seconds=1)
    assert when(given(begun), save(q, 1, begun.deadline + SAVE_GRACE))[0].client_seq == 1
    [refused] = when(given(begun), save(q, 1, after))
    assert isinstance(refused, AnswerRefused) and refused.reason == "deadline_passed"
    assert refused.answer == f"sealed:{q}:1"
    submitted = AttemptSubmitted(attempt_id="a-1", reason="student",
                                 submitted_at=OPENS + timedelta(minutes=30), submitted_by="s-1")
    [refused] = when(given(begun, submitted), save(q, 1, OPENS + timedelta(minutes=31)))
    assert refused.reason == "attempt_submitted"
    assert q not in given(begun, submitted, refused).receipts


def test_nobody_else_saves_into_or_submits_an_attempt():
    begun = started()
    q = begun.questions[0].question_id
    for intruder in (CLASSMATE, TEACHER):
        with pytest.raises(NotFound):
            when(given(begun), save(q, 1, OPENS, actor=intruder))
        with pytest.raises(NotFound):
            when(given(begun), SubmitAttempt("a-1", intruder, "student", OPENS))
    with pytest.raises(NotFound) as missing:
        when(given(begun), save("q-unknown", 1, OPENS))
    assert missing.value.field == "question_id"


def test_submitting_once_records_why_and_when():
    begun = started()
    at = OPENS + timedelta(minutes=40)
    [submitted] = when(given(begun), SubmitAttempt("a-1", STUDENT, "student", at))
    assert (submitted.reason, submitted.submitted_at, submitted.submitted_by) == \
        ("student", at, "s-1")
    assert when(given(begun, submitted), SubmitAttempt("a-1", STUDENT, "student", at)) == []


def test_the_clock_submits_at_the_deadline_not_before():
    begun = started()
    clock = Actor(user_id="system", role="system")
    with pytest.raises(DomainError) as early:
        when(given(begun), SubmitAttempt("a-1", clock, "deadline",
                                         begun.deadline - timedelta(seconds=1)))
    assert early.value.code == "deadline_not_reached"
    [submitted] = when(given(begun), SubmitAttempt("a-1", clock, "deadline", begun.deadline))
    assert (submitted.reason, submitted.submitted_by) == ("deadline", "system")
    with pytest.raises(NotFound):
        when(given(), SubmitAttempt("a-1", clock, "deadline", begun.deadline))


PROCTOR = Actor(user_id="p-1", role="proctor")
OTHER_TEACHER = Actor(user_id="t-2", role="teacher")


def test_a_proctor_or_the_exams_teacher_extends_the_deadline():
    begun = started()
    at = OPENS + timedelta(minutes=20)
    for supervisor in (PROCTOR, TEACHER):
        [extended] = when(given(begun), ExtendAttempt("a-1", supervisor, "t-1", 15, "sealed",
                                                      at))
        assert extended.deadline == begun.deadline + timedelta(minutes=15)
        assert extended.extended_by == supervisor.user_id
    assert given(begun, extended).deadline == begun.deadline + timedelta(minutes=15)
    for outsider in (OTHER_TEACHER, STUDENT):
        with pytest.raises(NotFound):
            when(given(begun), ExtendAttempt("a-1", outsider, "t-1", 15, None, at))
    with pytest.raises(Invalid) as refused:
        when(given(begun), ExtendAttempt("a-1", PROCTOR, "t-1", 0, None, at))
    assert refused.value.field == "minutes"


def test_a_pause_stops_the_clock_and_the_deadline_moves_by_its_length():
    begun = started()
    paused_at = OPENS + timedelta(minutes=20)
    [paused] = when(given(begun), PauseAttempt("a-1", PROCTOR, "t-1", "sealed", paused_at))
    assert when(given(begun, paused), PauseAttempt("a-1", PROCTOR, "t-1", None, paused_at)) == []
    q = begun.questions[0].question_id
    [refused] = when(given(begun, paused), save(q, 1, paused_at + timedelta(minutes=1)))
    assert refused.reason == "attempt_paused"
    clock = Actor(user_id="system", role="system")
    with pytest.raises(DomainError):  # the clock does not run out while paused
        when(given(begun, paused), SubmitAttempt("a-1", clock, "deadline",
                                                 begun.deadline + timedelta(minutes=1)))
    [resumed] = when(given(begun, paused),
                     ResumeAttempt("a-1", PROCTOR, "t-1", paused_at + timedelta(minutes=7)))
    assert resumed.deadline == begun.deadline + timedelta(minutes=7)
    state = given(begun, paused, resumed)
    assert state.paused_at is None and state.deadline == resumed.deadline
    assert when(state, save(q, 1, paused_at + timedelta(minutes=8)))[0].client_seq == 1


def test_a_submitted_attempts_time_cannot_change():
    begun = started()
    submitted = AttemptSubmitted(attempt_id="a-1", reason="student",
                                 submitted_at=OPENS + timedelta(minutes=30), submitted_by="s-1")
    with pytest.raises(DomainError) as refused:
        when(given(begun, submitted), ExtendAttempt("a-1", PROCTOR, "t-1", 5, None, OPENS))
    assert refused.value.code == "attempt_submitted"


def test_the_students_place_is_kept_only_when_it_changes():
    begun = started()
    first, second = (q.question_id for q in begun.questions[:2])
    [kept] = when(given(begun), KeepPlace("a-1", STUDENT, (second, first, second), second))
    assert kept == PlaceKept(attempt_id="a-1", flagged=[second, first],
                             current_question_id=second)
    state = given(begun, kept)
    assert (state.flagged, state.current_question_id) == ((second, first), second)
    assert when(state, KeepPlace("a-1", STUDENT, (second, first), second)) == []
    assert when(state, KeepPlace("a-1", STUDENT, (), first))[0].flagged == []


def test_a_place_names_only_the_attempts_questions_and_only_its_student_keeps_it():
    begun = started()
    mine = begun.questions[0].question_id
    with pytest.raises(Invalid) as unknown:
        when(given(begun), KeepPlace("a-1", STUDENT, (mine, "q-unknown"), None))
    assert unknown.value.field == "flagged.1"
    with pytest.raises(Invalid) as unknown:
        when(given(begun), KeepPlace("a-1", STUDENT, (), "q-unknown"))
    assert unknown.value.field == "current_question_id"
    with pytest.raises(NotFound):
        when(given(begun), KeepPlace("a-1", CLASSMATE, (mine,), None))
    submitted = AttemptSubmitted(attempt_id="a-1", reason="student",
                                 submitted_at=OPENS + timedelta(minutes=30), submitted_by="s-1")
    with pytest.raises(DomainError) as over:
        when(given(begun, submitted), KeepPlace("a-1", STUDENT, (mine,), None))
    assert over.value.code == "attempt_submitted"
