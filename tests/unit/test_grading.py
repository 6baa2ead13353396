"""The auto-grader's rules per question type, and the grading aggregate (given events, when a
command, then events)."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from command_api.grading.decider import (AutoGrade, GradeAnswer, GradeItem, JudgeVerdict,
                                         RequestJudging,
                                         grading_decider, judge_request_id)
from command_api.grading.rules import Mark, mark, rubric_points
from schemas.envelope import Actor
from schemas.events.grading import (AnswerRepinned, AnswersGraded, AttemptGraded, GradingOpened,
                                    JudgeRequested)
from schemas.events.question import (AcceptedAnswer, ChoiceOption, ChoiceSpec, CodingSpec,
                                     LongAnswerSpec, NumericAnswer, QuestionContent,
                                     RubricCriterion, RubricLevel, ShortAnswerSpec,
                                     TrueFalseSpec)
from schemas.refusals import DomainError, Invalid, NotFound
from stream_processors.judge.queue import FairQueue, Job, Offsets
from stream_processors.judge.worker import keep_fetching

NOW = datetime(2027, 1, 1, 12, 0, tzinfo=timezone.utc)


def choice(kind: str, correct: set[str], scoring: str = "all_or_nothing",
           penalty: float = 0.0) -> QuestionContent:
    return QuestionContent(question_type=kind, stem="Pick", choice=ChoiceSpec(
        options=[ChoiceOption(option_id=o, text=o.upper(), correct=o in correct)
                 for o in ("a", "b", "c", "d")], scoring=scoring, wrong_pick_penalty=penalty))


def short(**spec) -> QuestionContent:
    return QuestionContent(question_type="short_answer", stem="?",
                           short_answer=ShortAnswerSpec(**spec))


def picks(*ids: str) -> dict:
    return {"option_ids": list(ids)}


# --- single choice, true/false -----------------------------------------------------------

def test_single_choice_scores_the_right_option_only():
    content = choice("single_choice", {"b"})
    assert mark(content, picks("b"), 2) == Mark(2, "right")
    assert mark(content, picks("a"), 2) == Mark(0.0, "wrong")
    assert mark(content, picks("a", "b"), 2).points == 0.0  # two picks where one is asked
    assert mark(content, picks("zz"), 2).points == 0.0


def test_true_false():
    content = QuestionContent(question_type="true_false", stem="?",
                              true_false=TrueFalseSpec(correct=False))
    assert mark(content, picks("false"), 1).points == 1
    assert mark(content, picks("true"), 1).points == 0
    assert mark(content, picks("true", "false"), 1) == Mark(0.0, "not a true/false answer")


@pytest.mark.parametrize("answer", [None, {}, {"option_ids": []}, {"text": ""}])
def test_an_unanswered_question_scores_zero_for_every_type(answer):
    for content in (choice("single_choice", {"a"}), short(accepted=[AcceptedAnswer(text="x")]),
                    QuestionContent(question_type="long_answer", stem="?",
                                    long_answer=LongAnswerSpec())):
        assert mark(content, answer, 3) == Mark(0.0, "not answered")


# --- multiple choice ---------------------------------------------------------------------

def test_multiple_choice_all_or_nothing_needs_exactly_the_right_set():
    content = choice("multiple_choice", {"a", "c"})
    assert mark(content, picks("c", "a"), 4).points == 4
    assert mark(content, picks("a"), 4).points == 0
    assert mark(content, picks("a", "c", "d"), 4).points == 0


def test_multiple_choice_per_option_earns_shares_minus_penalties_floored_at_zero():
    content = choice("multiple_choice", {"a", "b", "c"}, scoring="per_option", penalty=1.0)
    assert mark(content, picks("a", "b", "c"), 3).points == 3
    assert mark(content, picks("a", "b"), 3).points == 2
    assert mark(content, picks("a", "b", "d"), 3).points == 1  # one wrong costs one share
    assert mark(content, picks("a", "d"), 3).points == 0
    assert mark(content, picks("d"), 3).points == 0  # floored, never negative
    half = choice("multiple_choice", {"a", "b", "c"}, scoring="per_option", penalty=0.5)
    assert mark(half, picks("a", "d"), 1).points == pytest.approx(0.1667, abs=1e-4)
    assert mark(half, picks("a", "d"), 1).detail == "1 of 3 right options picked, 1 wrong"


def test_a_detail_never_names_the_key():
    content = choice("multiple_choice", {"a", "c"})
    for answer in (picks("a"), picks("b"), picks("a", "c")):
        detail = mark(content, answer, 1).detail
        assert not any(f" {o} " in f" {detail} " or o.upper() in detail for o in "abcd")


# --- short answers -----------------------------------------------------------------------

def test_short_answer_accepted_texts_with_case_and_whitespace_options():
    loose = short(accepted=[AcceptedAnswer(text="New  York")])
    assert mark(loose, {"text": "  new york "}, 1).points == 1
    assert mark(loose, {"text": "Newyork"}, 1).points == 0
    strict = short(accepted=[AcceptedAnswer(text="pH", case_sensitive=True,
                                            normalize_whitespace=False)])
    assert mark(strict, {"text": "pH"}, 1).points == 1
    assert mark(strict, {"text": "PH"}, 1).points == 0
    assert mark(strict, {"text": " pH"}, 1).points == 0


def test_short_answer_pattern_must_match_the_whole_answer():
    content = short(pattern=r"colou?r")
    assert mark(content, {"text": "color"}, 1).points == 1
    assert mark(content, {"text": " colour "}, 1).points == 1  # surrounding blanks ignored
    assert mark(content, {"text": "colors"}, 1).points == 0


def test_a_pathological_pattern_gives_up_rather_than_hanging_the_grader():
    content = short(pattern=r"(a+)+$")
    started = time.monotonic()
    assert mark(content, {"text": "a" * 40 + "!"}, 1).points == 0
    assert time.monotonic() - started < 5


def test_short_answer_numeric_with_tolerance_and_decimal_commas():
    content = short(numeric=NumericAnswer(value=3.14, tolerance=0.01))
    assert mark(content, {"text": "3.14"}, 2).points == 2
    assert mark(content, {"text": "3,15"}, 2).points == 2  # a decimal comma; the edge counts
    assert mark(content, {"text": "3.16"}, 2).points == 0
    assert mark(content, {"text": "pi"}, 2).points == 0
    assert mark(content, {"text": "nan"}, 2).points == 0
    exact = short(numeric=NumericAnswer(value=0.3))
    assert mark(exact, {"text": "0.30"}, 1).points == 1


def test_essays_and_code_wait_for_a_person_or_the_judge():
    essay = QuestionContent(question_type="long_answer", stem="?", long_answer=LongAnswerSpec())
    code = QuestionContent(question_type="coding", stem="?", coding=CodingSpec(language="python"))
    assert mark(essay, {"text": "An essay"}, 5) is None
    assert mark(code, {"code": "print(1)"}, 5) is None


# --- the grading aggregate ---------------------------------------------------------------

def auto_grade(*items: GradeItem) -> AutoGrade:
    return AutoGrade("a-1", "e-1", "s-1", items, NOW)


ITEMS = (GradeItem("q-1", 1, 2, Mark(2, "right")), GradeItem("q-2", 4, 1, Mark(0.0, "wrong")),
         GradeItem("q-3", 1, 5, None))


def test_auto_grading_marks_what_a_key_decides_and_leaves_the_rest_pending():
    events = grading_decider.decide(auto_grade(*ITEMS), grading_decider.initial)
    assert [type(e) for e in events] == [GradingOpened, AnswersGraded, AttemptGraded]
    opened, graded, total = events
    assert [(q.question_id, q.max_points) for q in opened.questions] == [
        ("q-1", 2), ("q-2", 1), ("q-3", 5)]
    assert [(m.question_id, m.points, m.max_points) for m in graded.marks] == [
        ("q-1", 2, 2), ("q-2", 0, 1)]
    assert graded.method == "auto" and graded.graded_by == "system"
    assert (total.score, total.max_score, total.pending) == (2, 8, ["q-3"])
    state = grading_decider.fold(events)
    assert state.status == "grading" and state.pending == ("q-3",)
    assert state.max_points == {"q-1": 2, "q-2": 1, "q-3": 5}


def test_an_attempt_is_auto_graded_once():
    state = grading_decider.fold(grading_decider.decide(auto_grade(*ITEMS),
                                                        grading_decider.initial))
    assert grading_decider.decide(auto_grade(*ITEMS), state) == []


def test_an_attempt_with_only_objective_questions_is_graded_at_once():
    events = grading_decider.decide(auto_grade(*ITEMS[:2]), grading_decider.initial)
    state = grading_decider.fold(events)
    assert (state.status, state.score, state.max_score) == ("graded", 2, 3)


def test_an_attempt_with_only_essays_opens_with_nothing_graded():
    events = grading_decider.decide(auto_grade(ITEMS[2]), grading_decider.initial)
    assert [type(e) for e in events] == [GradingOpened, AttemptGraded]
    assert grading_decider.fold(events).score == 0


def test_marks_keep_four_decimals_and_the_total_is_their_sum():
    items = tuple(GradeItem(f"q-{i}", 1, 1, Mark(round(1 / 3, 4), "part")) for i in range(3))
    total = grading_decider.decide(auto_grade(*items), grading_decider.initial)[-1]
    assert total.score == 0.9999 and total.max_score == 3


# --- grading by hand ---------------------------------------------------------------------

TEACHER = Actor(user_id="t-1", role="teacher")


def auto_graded():
    return grading_decider.fold(grading_decider.decide(auto_grade(*ITEMS),
                                                       grading_decider.initial))


def by_hand(question_id: str, points: float, actor: Actor = TEACHER, **more) -> GradeAnswer:
    return GradeAnswer("a-1", actor, "t-1", question_id, points, more.get("detail", ""),
                       more.get("feedback"), more.get("rubric"), NOW)


def test_a_teacher_grades_the_pending_essay_and_the_attempt_is_graded():
    events = grading_decider.decide(by_hand("q-3", 3.5, feedback="sealed"), auto_graded())
    assert [type(e) for e in events] == [AnswersGraded, AttemptGraded]
    assert events[0].method == "manual" and events[0].graded_by == "t-1"
    assert events[0].marks[0].feedback == "sealed"
    assert (events[1].score, events[1].max_score, events[1].pending) == (5.5, 8, [])
    assert grading_decider.fold(events, auto_graded()).status == "graded"


def test_a_manual_grade_replaces_an_automatic_mark():
    events = grading_decider.decide(by_hand("q-2", 0.5), auto_graded())
    assert (events[1].score, events[1].pending) == (2.5, ["q-3"])


def test_grading_by_hand_is_refused_with_the_reason():
    state = auto_graded()
    with pytest.raises(NotFound) as outsider:
        grading_decider.decide(by_hand("q-3", 1, Actor(user_id="t-2", role="teacher")), state)
    assert outsider.value.code == "attempt_not_found"
    with pytest.raises(NotFound):  # a student, even the attempt's own
        grading_decider.decide(by_hand("q-3", 1, Actor(user_id="s-1", role="student")), state)
    admin = grading_decider.decide(by_hand("q-3", 1, Actor(user_id="x", role="admin")), state)
    assert admin[0].graded_by == "x"
    with pytest.raises(Invalid) as too_many:
        grading_decider.decide(by_hand("q-3", 5.5), state)
    assert too_many.value.field == "points"
    with pytest.raises(NotFound) as elsewhere:
        grading_decider.decide(by_hand("q-9", 1), state)
    assert elsewhere.value.field == "question_id"
    with pytest.raises(DomainError) as early:
        grading_decider.decide(by_hand("q-3", 1), grading_decider.initial)
    assert early.value.code == "grading_not_open"


ESSAY = QuestionContent(question_type="long_answer", stem="?", long_answer=LongAnswerSpec(
    rubric=[RubricCriterion(criterion_id="idea", title="Idea", levels=[
        RubricLevel(label="none", points=0), RubricLevel(label="some", points=2),
        RubricLevel(label="clear", points=4)]),
        RubricCriterion(criterion_id="style", title="Style", levels=[
            RubricLevel(label="poor", points=0), RubricLevel(label="good", points=1)])]))


def test_a_rubric_scoring_is_scaled_to_the_questions_points():
    assert rubric_points(ESSAY, {"idea": 2, "style": 1}, 2) == Mark(2, "rubric: 5 of 5")
    assert rubric_points(ESSAY, {"idea": 1, "style": 1}, 10) == Mark(6, "rubric: 3 of 5")


@pytest.mark.parametrize("picks, field", [({"idea": 1}, "rubric.style"),
                                          ({"idea": 3, "style": 0}, "rubric.idea"),
                                          ({"idea": 1, "style": 0, "tone": 0}, "rubric.tone")])
def test_a_rubric_scoring_names_what_is_wrong(picks, field):
    with pytest.raises(Invalid) as refused:
        rubric_points(ESSAY, picks, 2)
    assert refused.value.field == field
    with pytest.raises(Invalid):
        rubric_points(short(pattern="x"), {"idea": 0}, 2)


# --- regrading with a corrected key ------------------------------------------------------

def regrade(question_id: str, points: float, revision: int = 2, actor: Actor = TEACHER):
    from command_api.grading.decider import RegradeAnswer
    return RegradeAnswer("a-1", actor, "t-1", question_id, revision, Mark(points, "right"), NOW)


def test_a_corrected_key_regrades_an_automatic_mark_once():
    state = auto_graded()
    events = grading_decider.decide(regrade("q-2", 1), state)
    assert [type(e) for e in events] == [AnswersGraded, AttemptGraded]
    assert events[0].marks[0].revision == 2 and events[0].method == "auto"
    assert events[0].marks[0].detail == "right (regraded with revision 2)"
    assert events[1].score == 3
    after = grading_decider.fold(events, state)
    assert after.revisions["q-2"] == 2
    assert grading_decider.decide(regrade("q-2", 1), after) == []  # again: nothing changes
    assert grading_decider.decide(regrade("q-2", 0, revision=3), after)  # a later correction


def test_a_regrade_keeps_a_teachers_grade():
    state = grading_decider.fold(grading_decider.decide(by_hand("q-2", 0.5), auto_graded()),
                                 auto_graded())
    assert grading_decider.decide(regrade("q-2", 1), state) == []


def test_only_the_exams_teacher_or_an_admin_regrades():
    with pytest.raises(NotFound):
        grading_decider.decide(regrade("q-2", 1, actor=Actor(user_id="t-2", role="teacher")),
                               auto_graded())


# --- rescoring with a corrected rubric ---------------------------------------------------

def rescore(points: float | None, revision: int = 2, actor: Actor = TEACHER):
    from command_api.grading.decider import RescoreRubric
    return RescoreRubric("a-1", actor, "t-1", "q-3", revision,
                         None if points is None else Mark(points, "rubric: x of y"), NOW)


def graded_with_rubric():
    state = auto_graded()  # the essay q-3 (5 points) pending
    return grading_decider.fold(grading_decider.decide(by_hand(
        "q-3", 3, rubric={"idea": 1, "style": 1}, feedback="sealed"), state), state)


def test_a_corrected_rubric_rescores_a_rubric_grade_keeping_levels_and_feedback():
    state = graded_with_rubric()
    events = grading_decider.decide(rescore(4), state)
    assert [type(e) for e in events] == [AnswersGraded, AttemptGraded]
    [m] = events[0].marks
    assert (m.points, m.rubric, m.feedback, m.revision) == (
        4, {"idea": 1, "style": 1}, "sealed", 2)
    assert events[0].method == "manual" and m.detail.endswith("(rescored with revision 2)")
    assert events[1].score == 6
    after = grading_decider.fold(events, state)
    assert grading_decider.decide(rescore(4), after) == []  # again: nothing changes


def test_an_essay_to_grade_is_graded_with_the_corrected_rubric():
    state = auto_graded()
    events = grading_decider.decide(rescore(None), state)
    assert [type(e) for e in events] == [AnswerRepinned]
    assert (events[0].question_id, events[0].revision, events[0].repinned_by) == ("q-3", 2, "t-1")
    after = grading_decider.fold(events, state)
    assert after.revisions["q-3"] == 2 and after.pending == ("q-3",)
    assert grading_decider.decide(rescore(None), after) == []


def test_levels_the_corrected_rubric_lacks_send_the_answer_back_to_grade():
    state = graded_with_rubric()
    events = grading_decider.decide(rescore(None), state)
    assert [type(e) for e in events] == [AnswerRepinned]
    after = grading_decider.fold(events, state)
    assert after.marks["q-3"].points == 3  # its grade stays until the teacher grades it again


def test_a_rescore_leaves_points_given_by_hand_and_keys_marks_alone():
    state = grading_decider.fold(grading_decider.decide(by_hand("q-3", 2.5), auto_graded()),
                                 auto_graded())
    assert grading_decider.decide(rescore(4), state) == []
    assert grading_decider.decide(rescore(None), state) == []
    with pytest.raises(NotFound):
        grading_decider.decide(rescore(4, actor=Actor(user_id="t-2", role="teacher")), state)


# --- the judge ---------------------------------------------------------------------------

PROGRAM = GradeItem("q-4", 3, 4, None, judge_language="python")


def submitted_with_a_program():
    events = grading_decider.decide(auto_grade(*ITEMS, PROGRAM), grading_decider.initial)
    return events, grading_decider.fold(events)


def verdict(request_id: str, share: float = 0.75, question_id: str = "q-4", revision: int = 3):
    return JudgeVerdict("a-1", request_id, question_id, revision, share, "3 of 4 hidden tests "
                        "passed", "sealed report", NOW)


def test_a_program_answer_is_sent_to_the_judge_once_and_stays_pending():
    events, state = submitted_with_a_program()
    [request] = [e for e in events if isinstance(e, JudgeRequested)]
    assert (request.question_id, request.revision, request.language, request.exam_id) == (
        "q-4", 3, "python", "e-1")
    assert request.request_id == judge_request_id("a-1", "q-4", 3)
    assert events[-1].pending == ["q-3", "q-4"]
    assert state.judging == {"q-4": request.request_id}
    assert grading_decider.decide(auto_grade(*ITEMS, PROGRAM), state) == []


def test_the_judges_verdict_grades_the_program_with_its_share_of_the_points():
    _, state = submitted_with_a_program()
    events = grading_decider.decide(verdict(state.judging["q-4"]), state)
    assert [type(e) for e in events] == [AnswersGraded, AttemptGraded]
    [judged] = events[0].marks
    assert (events[0].method, events[0].graded_by) == ("judge", "system")
    assert (judged.points, judged.max_points, judged.judge_report) == (3, 4, "sealed report")
    assert judged.revision is None  # the tests of the revision the attempt pinned
    assert (events[1].score, events[1].pending) == (5, ["q-3"])


def test_a_verdict_counts_once_and_a_stale_one_not_at_all():
    _, state = submitted_with_a_program()
    request_id = state.judging["q-4"]
    judged = grading_decider.fold(grading_decider.decide(verdict(request_id), state), state)
    assert judged.judging == {}
    assert grading_decider.decide(verdict(request_id, share=1), judged) == []  # redelivered
    assert grading_decider.decide(verdict("another request"), state) == []  # superseded


def test_a_teachers_grade_stands_over_a_late_verdict():
    _, state = submitted_with_a_program()
    request_id = state.judging["q-4"]
    by_teacher = grading_decider.fold(grading_decider.decide(by_hand("q-4", 1), state), state)
    assert grading_decider.decide(verdict(request_id, share=1), by_teacher) == []
    assert by_teacher.marks["q-4"].points == 1


def test_a_share_outside_zero_to_one_is_clamped():
    _, state = submitted_with_a_program()
    [graded, _] = grading_decider.decide(verdict(state.judging["q-4"], share=1.5), state)
    assert graded.marks[0].points == 4


def test_a_blank_program_scores_zero_without_the_judge():
    code = QuestionContent(question_type="coding", stem="?", coding=CodingSpec(language="c"))
    assert mark(code, {"code": "  \n"}, 5) == Mark(0.0, "no program")


# --- the judge's waiting room: exams served in turn ----------------------------------------

def job(exam: str, offset: int, partition: int = 0) -> Job:
    return Job(exam, partition, offset, request=None)


async def test_the_judge_serves_exams_in_turn_not_in_arrival_order():
    queue = FairQueue()
    for offset in range(500):  # a big exam's burst arrives first...
        await queue.put(job("big", offset))
    for offset in range(500, 503):  # ...then a small exam's three programs
        await queue.put(job("small", offset))
    served = [queue.take_nowait().exam_id for _ in range(6)]
    assert served == ["big", "small", "big", "small", "big", "small"]
    assert len(queue) == 497 and queue.exams() == {"big": 497}


async def test_jobs_of_a_revoked_partition_are_dropped_for_their_next_owner():
    queue = FairQueue()
    for offset in range(4):
        await queue.put(job("e", offset, partition=offset % 2))
    assert queue.drop({1}) == 2
    assert [queue.take_nowait().offset for _ in range(2)] == [0, 2]
    assert queue.take_nowait() is None


def test_a_partition_commits_up_to_its_lowest_unfinished_request():
    offsets = Offsets()
    for offset in (10, 11, 12):
        offsets.read("p0", offset)
    offsets.finished("p0", 11)
    offsets.finished("p0", 12)
    assert offsets.committable() == {"p0": 10}  # 10 is still running: redo from there
    offsets.committed({"p0": 10})
    assert offsets.committable() == {}
    offsets.finished("p0", 10)
    assert offsets.committable() == {"p0": 13}


def rejudge(revision: int = 4, actor: Actor = TEACHER) -> RequestJudging:
    return RequestJudging("a-1", actor, "t-1", "q-4", revision, "python", NOW)


def test_corrected_tests_send_a_judged_program_to_the_judge_again_once():
    _, state = submitted_with_a_program()
    judged = grading_decider.fold(grading_decider.decide(verdict(state.judging["q-4"]), state),
                                  state)
    [asked] = grading_decider.decide(rejudge(), judged)
    assert (asked.revision, asked.request_id) == (4, judge_request_id("a-1", "q-4", 4))
    asking = grading_decider.fold([asked], judged)
    assert grading_decider.decide(rejudge(), asking) == []  # asked already
    [graded, _] = grading_decider.decide(verdict(asked.request_id, share=1, revision=4), asking)
    assert (graded.marks[0].points, graded.marks[0].revision) == (4, 4)
    rejudged = grading_decider.fold([graded], asking)
    assert grading_decider.decide(rejudge(), rejudged) == []  # judged with these tests


def test_a_teachers_grade_and_a_missing_program_are_not_rejudged():
    _, state = submitted_with_a_program()
    by_teacher = grading_decider.fold(grading_decider.decide(by_hand("q-4", 1), state), state)
    assert grading_decider.decide(rejudge(), by_teacher) == []
    blank = GradeItem("q-4", 3, 4, Mark(0.0, "not answered"))
    unanswered = grading_decider.fold(grading_decider.decide(auto_grade(*ITEMS, blank),
                                                             grading_decider.initial))
    assert grading_decider.decide(rejudge(), unanswered) == []
    with pytest.raises(NotFound):
        grading_decider.decide(rejudge(actor=Actor(user_id="t-2", role="teacher")), state)


def test_a_judge_worker_stops_fetching_at_its_bound_and_starts_again_below_half():
    assert keep_fetching(4_999, 5_000, fetching=True)
    assert not keep_fetching(5_000, 5_000, fetching=True)
    assert not keep_fetching(2_500, 5_000, fetching=False)  # still paused
    assert keep_fetching(2_499, 5_000, fetching=False)
