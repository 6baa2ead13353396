"""How each question type is marked against its key, pure: the auto-grader's rules.

``mark`` returns the points for one answer, or None when a person (long answers) or the judge
(coding) must grade it. An answer is the JSON the exam page saved (``AnswerIn``): the options
picked (``option_ids``; true/false as "true"/"false"), a ``text`` or ``code``. No answer at
all scores 0 for every type, essays and code included: there is nothing to read.

``detail`` tells the teacher (and, once results are published, the student) why, without ever
naming the key: "2 of 3 right options picked, 1 wrong", never which options were right.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import regex

from schemas.events.question import (AcceptedAnswer, ChoiceScoring, QuestionContent,
                                     QuestionType)
from schemas.refusals import Invalid

# A teacher's pattern runs against a student's text: a pathological pattern (nested
# quantifiers) must not hang the grader. The `regex` module stops a match after this long.
PATTERN_TIMEOUT_SECONDS = 0.25
_WHITESPACE = re.compile(r"\s+")
DECIMALS = 4  # points are kept to 4 decimals: 1/3 of a point is 0.3333, sums stay stable


@dataclass(frozen=True)
class Mark:
    points: float
    detail: str


def mark(content: QuestionContent, answer: dict | None, points: float) -> Mark | None:
    """The points of ``answer`` (``None``: not answered) to a question worth ``points``."""
    kind = content.question_type
    if not answer or not any(answer.get(k) for k in ("option_ids", "text", "code")):
        return Mark(0.0, "not answered")
    match kind:
        case QuestionType.SINGLE_CHOICE:
            return _single_choice(content, answer, points)
        case QuestionType.MULTIPLE_CHOICE:
            return _multiple_choice(content, answer, points)
        case QuestionType.TRUE_FALSE:
            picked = answer.get("option_ids") or []
            if picked not in (["true"], ["false"]):
                return Mark(0.0, "not a true/false answer")
            right = (picked == ["true"]) == content.true_false.correct
            return Mark(points if right else 0.0, "right" if right else "wrong")
        case QuestionType.SHORT_ANSWER:
            return _short_answer(content, answer.get("text") or "", points)
        case QuestionType.CODING if not str(answer.get("code") or "").strip():
            return Mark(0.0, "no program")
    return None  # long answers: a teacher; coding: the judge


def rounded(value: float) -> float:
    return round(value, DECIMALS) + 0.0  # + 0.0: never -0.0


def _single_choice(content: QuestionContent, answer: dict, points: float) -> Mark:
    picked = answer.get("option_ids") or []
    if len(picked) != 1:
        return Mark(0.0, f"{len(picked)} options picked where one is asked for")
    right = {o.option_id for o in content.choice.options if o.correct}
    return Mark(points, "right") if picked[0] in right else Mark(0.0, "wrong")


def _multiple_choice(content: QuestionContent, answer: dict, points: float) -> Mark:
    spec = content.choice
    known = {o.option_id for o in spec.options}
    right = {o.option_id for o in spec.options if o.correct}
    picked = set(answer.get("option_ids") or []) & known
    hits, misses = len(picked & right), len(picked - right)
    detail = f"{hits} of {len(right)} right options picked, {misses} wrong"
    if spec.scoring == ChoiceScoring.PER_OPTION and right:
        share = points / len(right)
        return Mark(rounded(max(0.0, (hits - misses * spec.wrong_pick_penalty) * share)),
                    detail)
    return Mark(points if picked == right else 0.0, detail)


def _short_answer(content: QuestionContent, text: str, points: float) -> Mark:
    spec = content.short_answer
    if any(_same_text(text, accepted) for accepted in spec.accepted):
        return Mark(points, "an accepted answer")
    if spec.pattern and _matches(spec.pattern, text):
        return Mark(points, "matches the accepted form")
    if spec.numeric is not None:
        number = _number(text)
        if number is not None and abs(number - spec.numeric.value) <= spec.numeric.tolerance \
                + 1e-12 * max(1.0, abs(spec.numeric.value)):
            return Mark(points, "within the tolerance")
    return Mark(0.0, "not an accepted answer")


def _normal(text: str, accepted: AcceptedAnswer) -> str:
    if accepted.normalize_whitespace:
        text = _WHITESPACE.sub(" ", text).strip()
    return text if accepted.case_sensitive else text.casefold()


def _same_text(text: str, accepted: AcceptedAnswer) -> bool:
    return _normal(text, accepted) == _normal(accepted.text, accepted)


def _matches(pattern: str, text: str) -> bool:
    try:
        return regex.fullmatch(pattern, text.strip(), timeout=PATTERN_TIMEOUT_SECONDS) \
            is not None
    except TimeoutError:
        return False  # counted wrong; the teacher sees the detail and can mark it by hand
    except regex.error:
        return False


def _number(text: str) -> float | None:
    """A number as students type it: "3.14", "3,14" (a decimal comma), " -2e3 "."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def rubric_points(content: QuestionContent, picks: dict[str, int],
                  max_points: float) -> Mark:
    """The points of a rubric scoring: one level per criterion of the question's rubric, the
    levels' points summed and scaled to the points the exam gives the question (a rubric of
    10 points on a 2-point question gives 1.4 for 7)."""
    rubric = content.long_answer.rubric if content.long_answer is not None else []
    if not rubric:
        raise Invalid("no_rubric", "this question has no rubric: give points instead",
                      field="rubric")
    criteria = {c.criterion_id: c for c in rubric}
    for criterion_id, level in picks.items():
        if criterion_id not in criteria:
            raise Invalid("unknown_criterion", f"the rubric has no criterion {criterion_id}",
                          field=f"rubric.{criterion_id}")
        if not 0 <= level < len(criteria[criterion_id].levels):
            raise Invalid("unknown_level", f"criterion {criterion_id} has levels 0 to "
                          f"{len(criteria[criterion_id].levels) - 1}",
                          field=f"rubric.{criterion_id}")
    missing = [c for c in criteria if c not in picks]
    if missing:
        raise Invalid("criterion_not_scored", f"pick a level for every criterion; missing: "
                      f"{', '.join(missing)}", field=f"rubric.{missing[0]}")
    got = sum(criteria[c].levels[level].points for c, level in picks.items())
    top = sum(max(level.points for level in c.levels) for c in rubric)
    points = rounded(max_points * got / top) if top > 0 else 0.0
    return Mark(min(max(points, 0.0), max_points), f"rubric: {got:g} of {top:g}")
