"""Each student's draw from an exam's pools: reproducible from the attempt's seed, different
between students, always within the pools, and every question once."""
from __future__ import annotations

from collections import Counter

from command_api.exams.decider import ExamLayout
from command_api.exams.draw import draw_questions
from security.student_view import option_order
from schemas.events.exam import ExamItem, ExamSection, PinnedQuestion


def pool(prefix: str, size: int) -> list[PinnedQuestion]:
    return [PinnedQuestion(question_id=f"{prefix}-{n}", revision=n + 1) for n in range(size)]


LAYOUT = ExamLayout((
    ExamSection(section_id="a", title="Part A", items=[
        ExamItem(item_id="intro", candidates=pool("fixed", 1), points=5),
        ExamItem(item_id="algebra", candidates=pool("alg", 10), draw=3, points=2)]),
    ExamSection(section_id="b", title="Part B", items=[
        ExamItem(item_id="geometry", candidates=pool("geo", 6), draw=2, points=4)])),
    shuffle_questions=False)


def test_the_same_seed_draws_the_same_exam():
    assert draw_questions(LAYOUT, "attempt-1") == draw_questions(LAYOUT, "attempt-1")


def test_a_draw_takes_n_of_each_pool_keeps_the_pinned_revision_and_the_section_order():
    drawn = draw_questions(LAYOUT, "attempt-1")
    assert Counter(d.item_id for d in drawn) == {"intro": 1, "algebra": 3, "geometry": 2}
    assert [d.section_id for d in drawn] == ["a"] * 4 + ["b"] * 2
    assert drawn[0].question_id == "fixed-0" and drawn[0].points == 5
    assert all(d.revision == int(d.question_id.rsplit("-", 1)[1]) + 1 for d in drawn)
    assert len({d.question_id for d in drawn}) == 6


def test_students_get_different_draws_and_every_candidate_is_used():
    draws = [tuple(d.question_id for d in draw_questions(LAYOUT, f"attempt-{n}"))
             for n in range(200)]
    assert len(set(draws)) > 150
    used = Counter(q for draw in draws for q in draw if q.startswith("alg"))
    assert set(used) == {f"alg-{n}" for n in range(10)}
    assert min(used.values()) > 30  # 600 picks over 10 questions: about 60 each


def test_shuffling_reorders_within_a_section_only():
    shuffled = ExamLayout(LAYOUT.sections, shuffle_questions=True)
    orders = {tuple(d.question_id for d in draw_questions(shuffled, f"s-{n}")[:4])
              for n in range(50)}
    assert len(orders) > 10
    for n in range(50):
        assert [d.section_id for d in draw_questions(shuffled, f"s-{n}")] == ["a"] * 4 + ["b"] * 2


def test_option_order_is_fixed_by_the_seed_and_only_when_asked():
    options = ["a", "b", "c", "d", "e"]
    assert option_order(options, "s", "q-1", shuffle=False) == options
    once = option_order(options, "s", "q-1", shuffle=True)
    assert once == option_order(options, "s", "q-1", shuffle=True)
    assert sorted(once) == options
    assert len({tuple(option_order(options, f"s{n}", "q-1", True)) for n in range(40)}) > 10
