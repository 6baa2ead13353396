"""Exam and item statistics, pure: what Moodle's quiz statistics and Canvas's item analysis
report, computed from graded attempts.

- Exam: mean, median, standard deviation (population), lowest, highest, a histogram of
  percentages, the pass rate at the pass mark.
- Per question: facility (mean share of its points), the discrimination index (facility in the
  top 27 % of attempts by total score minus the bottom 27 %), and the item-rest point-biserial
  correlation (the question's points against the rest of the total, so a question does not
  correlate with itself; what Moodle calls the discrimination efficiency's companion).
- Per option of a choice question (distractor analysis): how many picked it, overall and in
  the upper and lower groups. A wrong option the upper group picks more than the lower one
  is a distractor that misleads the strong students: often a key or wording problem.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field

GROUP_SHARE = 0.27  # Kelley's upper and lower groups
HISTOGRAM_BINS = 10  # 0-10 %, ..., 90-100 %


@dataclass(frozen=True)
class Graded:
    """One graded attempt: its total, its maximum, and each question's (points, max)."""

    score: float
    max_score: float
    marks: dict[str, tuple[float, float]]
    # Choice questions: the options picked (none: not answered), for distractor analysis.
    picks: dict[str, frozenset[str]] = field(default_factory=dict)


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


def groups(attempts: list[Graded]) -> tuple[list[Graded], list[Graded]]:
    """Kelley's lower and upper 27 % by total score (ties broken by the given order)."""
    ranked = sorted(attempts, key=lambda a: a.score)
    group = max(1, round(len(ranked) * GROUP_SHARE)) if ranked else 0
    return ranked[:group], ranked[-group:] if group else []


def item_statistics(attempts: list[Graded], question_ids: list[str]) -> list[dict]:
    lower, upper = groups(attempts)
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


def option_statistics(attempts: list[Graded], question_id: str, options: list[str],
                      correct: set[str]) -> list[dict]:
    """Per option of a choice question, then "no answer" (``option_id`` None): how many of the
    attempts that had the question picked it, and its share overall and in the upper and
    lower groups."""
    having = [a for a in attempts if question_id in a.marks]
    lower, upper = groups(having)

    def share(group: list[Graded], option: str | None) -> float | None:
        if not group:
            return None
        return sum(1 for a in group if _picked(a, question_id, option)) / len(group)

    return [{"option_id": option, "correct": option in correct if option else False,
             "picked": sum(1 for a in having if _picked(a, question_id, option)),
             "share": share(having, option), "upper_share": share(upper, option),
             "lower_share": share(lower, option)} for option in [*options, None]]


def _picked(attempt: Graded, question_id: str, option: str | None) -> bool:
    picks = attempt.picks.get(question_id, frozenset())
    return not picks if option is None else option in picks


def result_grade(percent: float, complete: bool, bands: list[dict],
                 pass_mark_percent: float | None) -> dict:
    """A result's grade by the exam's scheme: the letter of the highest band the percent
    reaches (bands ``{letter, min_percent}``), and whether it passes. None for both until
    every answer is graded: a provisional total must not read as a final grade."""
    if not complete:
        return {"grade": None, "passed": None}
    letter = next((b["letter"] for b in sorted(bands, key=lambda b: -b["min_percent"])
                   if percent >= b["min_percent"] - 1e-9), None)
    return {"grade": letter, "passed": None if pass_mark_percent is None
            else percent >= pass_mark_percent - 1e-9}


def histogram(values: list[float], top: float, bins: int = HISTOGRAM_BINS) -> list[int]:
    """Counts of ``values`` in ``bins`` equal bins from 0 to ``top`` (the last takes ``top``
    and anything above it)."""
    counts = [0] * bins
    width = top / bins if top > 0 else 1.0
    for value in values:
        counts[min(bins - 1, max(0, int(value // width)))] += 1
    return counts


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
