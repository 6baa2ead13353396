"""Exam and item statistics against an independent computation with numpy."""
from __future__ import annotations

import random

import numpy as np
import pytest

from query_api.statistics import Graded, exam_statistics, item_statistics

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
