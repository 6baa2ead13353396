"""Exam and item statistics, pure: what Moodle's quiz statistics and Canvas's item analysis
report, computed from graded attempts.

- Exam: mean, median, standard deviation (population), lowest, highest, a histogram of
  percentages, the pass rate at the pass mark.
- Per question: facility (mean share of its points), the discrimination index (facility in the
  top 27 % of attempts by total score minus the bottom 27 %), and the item-rest point-biserial
  correlation (the question's points against the rest of the total, so a question does not
  correlate with itself; what Moodle calls the discrimination efficiency's companion).
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

GROUP_SHARE = 0.27  # Kelley's upper and lower groups
HISTOGRAM_BINS = 10  # 0-10 %, ..., 90-100 %


@dataclass(frozen=True)
class Graded:
    """One graded attempt: its total, its maximum, and each question's (points, max)."""

    score: float
    max_score: float
    marks: dict[str, tuple[float, float]]


def exam_statistics(attempts: list[Graded], pass_mark_percent: float | None) -> dict:
    percents = [100 * a.score / a.max_score if a.max_score else 0.0 for a in attempts]
    if not attempts:
        return {"graded": 0, "mean": None, "median": None, "std": None, "lowest": None,
                "highest": None, "mean_percent": None, "pass_rate": None,
                "histogram": [0] * HISTOGRAM_BINS}
    scores = [a.score for a in attempts]
    histogram = [0] * HISTOGRAM_BINS
    for p in percents:
        histogram[min(HISTOGRAM_BINS - 1, max(0, int(p // (100 / HISTOGRAM_BINS))))] += 1
    passed = None if pass_mark_percent is None else \
        sum(1 for p in percents if p >= pass_mark_percent - 1e-9) / len(attempts)
    return {"graded": len(attempts), "mean": statistics.fmean(scores),
            "median": statistics.median(scores), "std": statistics.pstdev(scores),
            "lowest": min(scores), "highest": max(scores),
            "mean_percent": statistics.fmean(percents), "pass_rate": passed,
            "histogram": histogram}


def item_statistics(attempts: list[Graded], question_ids: list[str]) -> list[dict]:
    ranked = sorted(attempts, key=lambda a: a.score)
    group = max(1, round(len(ranked) * GROUP_SHARE)) if ranked else 0
    lower, upper = ranked[:group], ranked[-group:] if group else []
    found = []
    for question_id in question_ids:
        having = [a for a in attempts if question_id in a.marks]
        shares = [_share(a.marks[question_id]) for a in having]
        found.append({
            "question_id": question_id, "answered": len(having),
            "facility": statistics.fmean(shares) if shares else None,
            "discrimination_index": _facility(upper, question_id) - _facility(lower, question_id)
            if len(having) >= 2 and upper else None,
            "point_biserial": _correlation(
                [a.marks[question_id][0] for a in having],
                [a.score - a.marks[question_id][0] for a in having]),
        })
    return found


def _share(mark: tuple[float, float]) -> float:
    points, top = mark
    return points / top if top else 0.0


def _facility(group: list[Graded], question_id: str) -> float:
    shares = [_share(a.marks[question_id]) for a in group if question_id in a.marks]
    return statistics.fmean(shares) if shares else 0.0


def _correlation(xs: list[float], ys: list[float]) -> float | None:
    """Pearson's r; None when either side does not vary (every student got it right)."""
    if len(xs) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sxy / math.sqrt(sxx * syy)
