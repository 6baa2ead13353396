"""Exam and item statistics against an independent computation with numpy."""
from __future__ import annotations

import random

import numpy as np
import pytest

from query_api.statistics import (Graded, exam_statistics, histogram, item_statistics,
                                  option_statistics, result_grade)

QUESTIONS = [f"q{n}" for n in range(8)]


def cohort(seed: int, size: int) -> list[Graded]:
    """Students of differing ability: abler ones get more questions right (so items
    discriminate), with one question everybody gets right."""
    rng = random.Random(seed)
    attempts = []
    for _ in range(size):
        ability = rng.random()
        marks = {}
        for n, q in enumerate(QUESTIONS):
            top = 1 + n % 3
            right = n == 0 or rng.random() < 0.2 + 0.7 * ability
            marks[q] = (float(top if right else rng.choice([0, 0, top / 2])), float(top))
        attempts.append(Graded(sum(p for p, _ in marks.values()),
                               sum(t for _, t in marks.values()), marks))
    return attempts


@pytest.mark.parametrize("seed, size", [(1, 10), (2, 37), (3, 200)])
def test_exam_statistics_equal_numpys(seed, size):
    attempts = cohort(seed, size)
    scores = np.array([a.score for a in attempts])
    percents = 100 * scores / np.array([a.max_score for a in attempts])
    found = exam_statistics(attempts, pass_mark_percent=50)
    assert found["mean"] == pytest.approx(scores.mean())
    assert found["median"] == pytest.approx(np.median(scores))
    assert found["std"] == pytest.approx(scores.std())  # population (ddof=0)
    assert (found["lowest"], found["highest"]) == (scores.min(), scores.max())
    assert found["pass_rate"] == pytest.approx((percents >= 50).mean())
    counts, _ = np.histogram(percents, bins=10, range=(0, 100))
    assert found["histogram"] == counts.tolist()


@pytest.mark.parametrize("seed, size", [(4, 11), (5, 100)])
def test_item_statistics_equal_numpys(seed, size):
    attempts = cohort(seed, size)
    found = {i["question_id"]: i for i in item_statistics(attempts, QUESTIONS)}
    totals = np.array([a.score for a in attempts])
    order = np.argsort(totals, kind="stable")
    group = max(1, round(size * 0.27))
    for q in QUESTIONS:
        points = np.array([a.marks[q][0] for a in attempts])
        shares = points / np.array([a.marks[q][1] for a in attempts])
        assert found[q]["facility"] == pytest.approx(shares.mean())
        expected = shares[order[-group:]].mean() - shares[order[:group]].mean()
        assert found[q]["discrimination_index"] == pytest.approx(expected)
        rest = totals - points
        if points.std() == 0:
            assert found[q]["point_biserial"] is None  # everybody right: no correlation
        else:
            assert found[q]["point_biserial"] == pytest.approx(np.corrcoef(points, rest)[0, 1])
    assert found["q0"]["facility"] == 1.0


@pytest.mark.parametrize("seed, size", [(6, 12), (7, 150)])
def test_option_statistics_equal_numpys(seed, size):
    """A single choice question, "b" right: abler students pick it; "c" tempts the strong
    (a misleading distractor), "a" the weak; some leave it blank."""
    rng = random.Random(seed)
    attempts = []
    for _ in range(size):
        ability = rng.random()
        roll = rng.random()
        pick = "b" if roll < ability * 0.8 else "c" if roll < ability else \
            "a" if roll < 0.95 else None
        rest = rng.random() * 10 * ability
        right = float(pick == "b")
        attempts.append(Graded(rest + right, 11.0, {"q": (right, 1.0)},
                               {"q": frozenset([pick]) if pick else frozenset()}))
    found = {o["option_id"]: o for o in option_statistics(attempts, "q", ["a", "b", "c"],
                                                          {"b"})}
    picked = np.array([next(iter(a.picks["q"]), "") for a in attempts])
    order = np.argsort(np.array([a.score for a in attempts]), kind="stable")
    group = max(1, round(size * 0.27))
    for option, label in (("a", "a"), ("b", "b"), ("c", "c"), (None, "")):
        chosen = picked == label
        assert found[option]["picked"] == int(chosen.sum())
        assert found[option]["share"] == pytest.approx(chosen.mean())
        assert found[option]["upper_share"] == pytest.approx(chosen[order[-group:]].mean())
        assert found[option]["lower_share"] == pytest.approx(chosen[order[:group]].mean())
    assert found["b"]["correct"] and not found["c"]["correct"] and not found[None]["correct"]


def test_time_histogram_equals_numpys():
    minutes = [0.0, 3.2, 9.99, 10.0, 29.9, 30.0, 45.0]
    counts, _ = np.histogram([min(m, 30.0) for m in minutes], bins=10, range=(0, 30))
    assert histogram(minutes, 30.0) == counts.tolist()


def test_no_graded_attempt_is_no_statistics():
    assert exam_statistics([], 50)["mean"] is None
    assert item_statistics([], ["q1"]) == [{"question_id": "q1", "answered": 0,
                                            "facility": None, "discrimination_index": None,
                                            "point_biserial": None}]


def test_exported_csv_is_utf8_with_a_bom_and_inert_for_spreadsheets():
    import base64
    import csv
    import io

    from query_api.exports import csv_file

    made = csv_file("r.csv", ["student", "score"], [["=HYPERLINK(\"x\")", 3.5],
                                                     ["-2+3", -1], ["Zoë", None]])
    text = base64.b64decode(made["data_base64"]).decode("utf-8")
    assert text.startswith("\ufeff") and made["content_type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["student", "score"], ["'=HYPERLINK(\"x\")", "3.5"], ["'-2+3", "-1"],
                    ["Zoë", ""]]


def test_a_result_gets_its_band_and_pass_once_every_answer_is_graded():
    bands = [{"letter": "C", "min_percent": 50}, {"letter": "A", "min_percent": 85},
             {"letter": "F", "min_percent": 0}, {"letter": "B", "min_percent": 70}]
    assert result_grade(85.0, True, bands, 50) == {"grade": "A", "passed": True}
    assert result_grade(84.99, True, bands, 50) == {"grade": "B", "passed": True}
    assert result_grade(49.5, True, bands, 50) == {"grade": "F", "passed": False}
    assert result_grade(50.0, True, bands, None) == {"grade": "C", "passed": None}
    assert result_grade(95.0, False, bands, 50) == {"grade": None, "passed": None}
    assert result_grade(95.0, True, [], None) == {"grade": None, "passed": None}
