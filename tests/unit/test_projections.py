"""Projections, given events then rows: pure folds, no database, no Kafka."""
from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from eventlog.projection import Folded, fold, given
from projections import all_projections
from projections.attempts import attempt_clock, projection as attempts
from projections.exam_catalogue import projection as exam_catalogue
from projections.exam_documents import projection as exam_documents
from projections.question_bank import projection as question_bank
from projections.question_revisions import projection as question_revisions
from projections.users import projection as users
from schemas.envelope import Actor, RecordedEvent, new_envelope
from schemas.events.attempt import (ATTEMPT, AnswerRefused, AnswerSaved, AttemptExtended,
                                    AttemptPaused, AttemptQuestion, AttemptResumed,
                                    AttemptStarted, AttemptSubmitted, PlaceKept)
from schemas.events.exam import (EXAM, AccommodationGranted, ExamDeleted, ExamDrafted,
                                 ExamItem, ExamPublished, ExamQuestionsSet, ExamSection,
                                 ExamStatus, ExamUpdated, PinnedQuestion, StudentsAssigned,
                                 StudentsUnassigned)
from schemas.events.question import (QUESTION, ChoiceOption, ChoiceSpec, QuestionArchived,
                                     QuestionAuthored, QuestionContent, QuestionRevised,
                                     QuestionShared, QuestionUnshared)
from schemas.events.identity import (IDENTITY, UserDisabled, UserEnabled, UserPasswordChanged,
                                     UserProfileUpdated, UserRegistered, UserRoleChanged)

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
TEACHER = Actor(user_id="t-1", role="teacher")


def stream(aggregate, entity_id: str, *payloads) -> list[RecordedEvent]:
    return [RecordedEvent(envelope=new_envelope(
        p, aggregate.stream_id(entity_id), i + 1, TEACHER, uuid.uuid4(),
        occurred_at=T0 + timedelta(minutes=i)), payload=p) for i, p in enumerate(payloads)]


def exam_events(exam_id: str = "e-1") -> list[RecordedEvent]:
    return stream(
        EXAM, exam_id,
        ExamDrafted(exam_id=exam_id, teacher_id="t-1", title="Algebra", description="d",
                    instructions="i", duration_minutes=60),
        ExamUpdated(exam_id=exam_id, title="Algebra II", description="d2", instructions="i2",
                    duration_minutes=90, window_opens_at=T0, window_closes_at=T0 + timedelta(days=1)),
        ExamPublished(exam_id=exam_id, teacher_id="t-1", published_at=T0 + timedelta(hours=1)))


def test_the_registry_names_every_projection_once():
    assert set(all_projections()) == {"users", "exam_catalogue", "exam_documents",
                                      "question_bank", "question_revisions", "media_library",
                                      "cohorts", "attempts", "attempt_grades"}


def test_a_fold_is_given_only_the_envelope_fields_its_projection_declares():
    """The runners decode only what ``reads_envelope`` names (the rest is never read off the
    wire), and ``given`` folds the same way: a read of anything else fails these tests."""
    who = replace(exam_catalogue, evolve=lambda row, event: {"by": event.envelope.actor.user_id})
    assert given(who, exam_events()[:1]) == {}  # refused: the catalogue does not read actors
    declared = replace(who, reads_envelope=("actor",))
    assert given(declared, exam_events()[:1]) == {"e-1": {"by": "t-1", "version": 1}}
    assert given(replace(who, reads_envelope=None), exam_events()[:1])  # the whole envelope


def test_an_exam_drafted_edited_and_published_is_one_catalogue_row():
    rows = given(exam_catalogue, exam_events())
    assert rows == {"e-1": {
        "exam_id": "e-1", "teacher_id": "t-1", "title": "Algebra II", "status": "published",
        "duration_minutes": 90, "window_opens_at": T0, "window_closes_at": T0 + timedelta(days=1),
        "created_at": T0, "updated_at": T0 + timedelta(minutes=2),
        "published_at": T0 + timedelta(hours=1), "question_count": 0, "total_points": 0.0,
        "assigned": "[]", "accommodations": "{}", "results_release": "when_published",
        "results_for_all": False, "results_for": "[]", "pass_mark_percent": None,
        "grade_bands": "[]",
        "version": 3}}


def test_the_catalogue_row_knows_the_layout_size_who_is_assigned_and_their_terms():
    pool = [PinnedQuestion(question_id=f"q-{n}", revision=1) for n in range(5)]
    events = stream(
        EXAM, "e-1", exam_events()[0].payload,
        ExamQuestionsSet(exam_id="e-1", sections=[ExamSection(section_id="s", title="A", items=[
            ExamItem(item_id="fixed", candidates=pool[:1], points=4),
            ExamItem(item_id="pool", candidates=pool[1:], draw=2, points=1.5)])]),
        StudentsAssigned(exam_id="e-1", student_ids=["s-2", "s-1"]),
        AccommodationGranted(exam_id="e-1", student_id="s-1", extra_percent=25,
                             reason="pd1:sealed"),
        AccommodationGranted(exam_id="e-1", student_id="s-2", extra_minutes=10),
        StudentsUnassigned(exam_id="e-1", student_ids=["s-2"]))
    row = given(exam_catalogue, events)["e-1"]
    assert (row["question_count"], row["total_points"]) == (3, 7.0)
    assert json.loads(row["assigned"]) == ["s-1"]
    assert json.loads(row["accommodations"]) == {"s-1": {
        "extra_minutes": 0, "extra_percent": 25, "window_opens_at": None,
        "window_closes_at": None, "reason": "pd1:sealed"}}
    doc = given(exam_documents, events)["e-1"]
    assert [i["item_id"] for i in doc["sections"][0]["items"]] == ["fixed", "pool"]


def test_a_deleted_draft_stays_as_a_deleted_row():
    events = stream(EXAM, "e-2", exam_events("e-2")[0].payload, ExamDeleted(exam_id="e-2"))
    assert given(exam_catalogue, events)["e-2"]["status"] == ExamStatus.DELETED


def test_a_redelivered_older_event_changes_nothing():
    events = exam_events()
    rows = given(exam_catalogue, events)
    again = fold(exam_catalogue, [(None, events[1]), (None, events[0])], rows)
    assert again.changed == {} and again.applied == 0
    assert rows["e-1"]["title"] == "Algebra II" and rows["e-1"]["version"] == 3


def test_events_of_an_exam_never_drafted_here_make_no_row():
    assert given(exam_catalogue, exam_events()[1:]) == {}


def test_a_batch_reports_the_changed_rows_and_the_events_behind_them():
    events = exam_events("e-3") + exam_events("e-4")
    folded = fold(exam_catalogue, [(f"m{i}", e) for i, e in enumerate(events)], {})
    assert isinstance(folded, Folded) and folded.applied == 6 and not folded.failed
    assert set(folded.changed) == {"e-3", "e-4"}
    assert folded.touched_by["e-4"] == ["m3", "m4", "m5"]


def test_an_event_the_projection_cannot_apply_is_reported_and_the_others_go_on():
    def picky(row, event):
        if isinstance(event.payload, ExamUpdated):
            raise ValueError("cannot apply this one")
        return exam_catalogue.evolve(row, event)

    events = exam_events("e-5")
    folded = fold(replace(exam_catalogue, evolve=picky),
                  [("ok", events[0]), ("bad", events[1]), ("ok2", events[2])], {})
    assert [m for m, _ in folded.failed] == ["bad"]
    assert folded.changed["e-5"]["status"] == "published"
    assert folded.changed["e-5"]["title"] == "Algebra"


def test_the_exam_document_holds_the_whole_content():
    doc = given(exam_documents, exam_events())["e-1"]
    assert doc["description"] == "d2" and doc["instructions"] == "i2"
    assert doc["status"] == "published" and doc["version"] == 3
    assert doc["published_at"] == T0 + timedelta(hours=1)


def test_an_account_follows_its_identity_events():
    events = stream(
        IDENTITY, "u-1",
        UserRegistered(user_id="u-1", email="a@example.edu", name="Ada", role="student",
                       registered_via="self"),
        UserProfileUpdated(user_id="u-1", name="Ada L."),
        UserRoleChanged(user_id="u-1", old_role="student", new_role="teacher"),
        UserDisabled(user_id="u-1", reason="left"),
        UserEnabled(user_id="u-1"),
        UserPasswordChanged(user_id="u-1"))
    row = given(users, events)["u-1"]
    assert (row["name"], row["role"], row["disabled"], row["version"]) == \
        ("Ada L.", "teacher", False, 6)
    assert row["registered_at"] == T0 and row["updated_at"] == T0 + timedelta(minutes=4)
    assert given(users, events[:4])["u-1"]["disabled"] is True


# --- the question bank --------------------------------------------------------------------

def question_events(question_id: str = "q-1") -> list[RecordedEvent]:
    first = QuestionContent(question_type="single_choice", stem="Which is prime?",
                            tags=["Numbers"], topic="arithmetic", choice=ChoiceSpec(options=[
                                ChoiceOption(option_id="a", text="four"),
                                ChoiceOption(option_id="b", text="seven", correct=True)]))
    second = first.model_copy(update={"stem": "Which number is prime?", "difficulty": "easy"})
    return stream(
        QUESTION, question_id,
        QuestionAuthored(question_id=question_id, owner_id="t-1", content=first),
        QuestionShared(question_id=question_id, teacher_ids=["t-2", "t-3"]),
        QuestionRevised(question_id=question_id, revision=2, content=second),
        QuestionUnshared(question_id=question_id, teacher_ids=["t-3"]),
        QuestionArchived(question_id=question_id))


def test_the_bank_row_holds_the_current_revision_and_who_may_read_it():
    row = given(question_bank, question_events())["q-1"]
    assert {k: row[k] for k in ("owner_id", "question_type", "stem", "options_text",
                                "difficulty", "topic", "status", "revision", "version")} == {
        "owner_id": "t-1", "question_type": "single_choice", "stem": "Which number is prime?",
        "options_text": "four\nseven", "difficulty": "easy", "topic": "arithmetic",
        "status": "archived", "revision": 2, "version": 5}
    assert json.loads(row["shared_with"]) == ["t-2"]
    assert json.loads(row["tags"]) == ["Numbers"]
    assert QuestionContent.model_validate_json(row["content"]).stem == "Which number is prime?"


def test_every_revision_is_kept_as_written():
    rows = given(question_revisions, question_events())
    assert sorted(rows) == ["q-1/1", "q-1/2"]
    assert [QuestionContent.model_validate_json(rows[k]["content"]).stem
            for k in ("q-1/1", "q-1/2")] == ["Which is prime?", "Which number is prime?"]
    assert rows["q-1/2"]["written_by"] == "t-1"


def test_an_attempt_row_keeps_the_newest_answer_per_question_sealed_and_counts_refusals():
    events = stream(
        ATTEMPT, "a-1",
        AttemptStarted(attempt_id="a-1", exam_id="e-1", student_id="s-1", number=1,
                       seed="seed", started_at=T0, deadline=T0 + timedelta(minutes=30),
                       questions=[AttemptQuestion(question_id="q-1", revision=2,
                                                  section_id="main", item_id="i", points=1)]),
        AnswerSaved(attempt_id="a-1", question_id="q-1", client_seq=1, answer="pd1:first",
                    saved_at=T0 + timedelta(minutes=1)),
        AnswerSaved(attempt_id="a-1", question_id="q-1", client_seq=3, answer="pd1:third",
                    saved_at=T0 + timedelta(minutes=2)),
        AttemptSubmitted(attempt_id="a-1", reason="student", submitted_at=T0 +
                         timedelta(minutes=3), submitted_by="s-1"),
        AnswerRefused(attempt_id="a-1", question_id="q-1", client_seq=4, answer="pd1:late",
                      reason="attempt_submitted", refused_at=T0 + timedelta(minutes=4)))
    row = given(attempts, events)["a-1"]
    assert (row["status"], row["submit_reason"], row["refused_saves"], row["version"]) == \
        ("submitted", "student", 1, 5)
    assert json.loads(row["answers"]) == {"q-1": {
        "answer": "pd1:third", "client_seq": 3,
        "saved_at": (T0 + timedelta(minutes=2)).isoformat()}}
    assert json.loads(row["questions"])[0]["revision"] == 2


def test_an_attempt_row_follows_its_extensions_and_pauses():
    started = AttemptStarted(attempt_id="a-1", exam_id="e-1", student_id="s-1", number=1,
                             seed="seed", started_at=T0, deadline=T0 + timedelta(minutes=30),
                             questions=[])
    extended = AttemptExtended(attempt_id="a-1", minutes=10, extended_by="p-1",
                               deadline=T0 + timedelta(minutes=40))
    paused = AttemptPaused(attempt_id="a-1", paused_at=T0 + timedelta(minutes=5),
                           paused_by="p-1")
    rows = given(attempts, stream(ATTEMPT, "a-1", started, extended, paused))
    assert (rows["a-1"]["deadline"], rows["a-1"]["paused_at"]) == (
        T0 + timedelta(minutes=40), T0 + timedelta(minutes=5))
    resumed = AttemptResumed(attempt_id="a-1", resumed_at=T0 + timedelta(minutes=8),
                             deadline=T0 + timedelta(minutes=43), resumed_by="p-1")
    rows = given(attempts, stream(ATTEMPT, "a-1", started, extended, paused, resumed))
    assert (rows["a-1"]["deadline"], rows["a-1"]["paused_at"]) == (
        T0 + timedelta(minutes=43), None)


def test_an_attempt_row_keeps_the_students_place():
    started = AttemptStarted(attempt_id="a-1", exam_id="e-1", student_id="s-1", number=1,
                             seed="seed", started_at=T0, deadline=T0 + timedelta(minutes=30),
                             questions=[])
    kept = PlaceKept(attempt_id="a-1", flagged=["q-2", "q-1"], current_question_id="q-2")
    row = given(attempts, stream(ATTEMPT, "a-1", started))["a-1"]
    assert (json.loads(row["flagged"]), row["current_question_id"]) == ([], None)
    row = given(attempts, stream(ATTEMPT, "a-1", started, kept))["a-1"]
    assert (json.loads(row["flagged"]), row["current_question_id"]) == (["q-2", "q-1"], "q-2")
    # What the live channel is told of it: the clock did not move.
    assert attempt_clock(row) == {"status": "in_progress", "paused_at": None,
                                  "deadline": row["deadline"].isoformat()}


def test_an_attempt_row_counts_the_time_each_question_was_on_screen():
    # One event a minute (``stream``): the place changes when the command API recorded it.
    def at(minutes: float):
        return T0 + timedelta(minutes=minutes)
    questions = [AttemptQuestion(question_id=q, revision=1, section_id="main", item_id=q,
                                 points=1) for q in ("q-1", "q-2", "q-3")]
    events = stream(
        ATTEMPT, "a-1",
        AttemptStarted(attempt_id="a-1", exam_id="e-1", student_id="s-1", number=1,
                       seed="seed", started_at=at(0), deadline=at(30), questions=questions),
        # until now the first question was on screen
        PlaceKept(attempt_id="a-1", flagged=[], current_question_id="q-1"),  # minute 1
        PlaceKept(attempt_id="a-1", flagged=[], current_question_id="q-2"),  # minute 2
        AttemptPaused(attempt_id="a-1", paused_at=at(2.5), paused_by="p-1"),
        # moving while paused: the clock of the screen is stopped
        PlaceKept(attempt_id="a-1", flagged=["q-2"], current_question_id="q-1"),  # minute 4
        AttemptResumed(attempt_id="a-1", resumed_at=at(5), deadline=at(32.5),
                       resumed_by="p-1"),
        AttemptSubmitted(attempt_id="a-1", reason="student", submitted_at=at(7),
                         submitted_by="s-1"))
    row = given(attempts, events)["a-1"]
    assert json.loads(row["question_seconds"]) == {"q-1": 60 + 60 + 120, "q-2": 30}
    assert row["on_screen_since"] is None
    # A redelivered place change counts nothing twice.
    row = given(attempts, events[:3] + events[2:3])["a-1"]
    assert json.loads(row["question_seconds"]) == {"q-1": 120}


def test_an_attempts_grades_are_one_row_with_every_mark_and_what_is_pending():
    from command_api.grading.decider import AutoGrade, GradeItem, grading_decider
    from command_api.grading.rules import Mark
    from projections.attempt_grades import projection as attempt_grades
    from schemas.events.grading import GRADING

    decided = grading_decider.decide(AutoGrade("a-1", "e-1", "s-1", (
        GradeItem("q-1", 1, 2, Mark(2, "right")), GradeItem("q-2", 1, 3, None)), T0),
        grading_decider.initial)
    row = given(attempt_grades, stream(GRADING, "a-1", *decided))["a-1"]
    assert (row["exam_id"], row["student_id"], row["status"]) == ("e-1", "s-1", "grading")
    assert (row["score"], row["max_score"], json.loads(row["pending"])) == (2, 5, ["q-2"])
    marks = json.loads(row["marks"])
    assert set(marks) == {"q-1"} and marks["q-1"]["points"] == 2
    assert marks["q-1"]["method"] == "auto" and marks["q-1"]["detail"] == "right"
    assert row["version"] == 3


def test_the_catalogue_row_knows_when_results_are_released():
    from schemas.events.exam import ExamSettingsChanged, ResultsPublished

    row = given(exam_catalogue, exam_events())["e-1"]
    assert (row["results_release"], row["results_for_all"], row["results_for"]) == (
        "when_published", False, "[]")
    later = [e.payload for e in exam_events()] + [
        ExamSettingsChanged(exam_id="e-1", results_release="after_window",
                            pass_mark_percent=50),
        ResultsPublished(exam_id="e-1", student_ids=["s-2", "s-1"], published_by="t-1",
                         published_at=T0),
        ResultsPublished(exam_id="e-1", published_by="t-1", published_at=T0)]
    row = given(exam_catalogue, stream(EXAM, "e-1", *later))["e-1"]
    assert (row["results_release"], row["pass_mark_percent"]) == ("after_window", 50)
    assert json.loads(row["results_for"]) == ["s-1", "s-2"] and row["results_for_all"] is True
