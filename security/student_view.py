"""What a student may see of a bank question: the one place that strips answer keys.

Answer keys, correctness feedback, rubrics' model answers and hidden tests never reach a
student; every route that shows a question to a student (the preview today, the attempt in
the exam-day issue) renders it through ``question_for_students``.
"""
from __future__ import annotations

import random
from typing import Any

from schemas.events.question import QuestionContent, QuestionType


def option_order(option_ids: list[str], seed: str, question_id: str, shuffle: bool) -> list[str]:
    """The order a student sees a choice question's options in: fixed by the attempt's seed
    (``random.Random`` seeded with a string is stable across processes and versions)."""
    order = list(option_ids)
    if shuffle:
        random.Random(f"{seed}/options/{question_id}").shuffle(order)
    return order


def question_for_students(question_id: str, revision: int, c: QuestionContent,
                          seed: str | None = None, shuffle_options: bool = False
                          ) -> dict[str, Any]:
    """The question as a student sees it while answering: no answer key of any kind; in an
    attempt (``seed``), its options in the order that attempt fixed."""
    view: dict[str, Any] = {
        "question_id": question_id, "revision": revision, "question_type": c.question_type,
        "stem": c.stem, "media_ids": list(c.media_ids),
        "media_alt": {m: c.media_alt[m] for m in c.media_ids if m in c.media_alt},
        "estimated_minutes": c.estimated_minutes,
    }
    if c.choice is not None:
        text_of = {o.option_id: o.text for o in c.choice.options}
        order = option_order(list(text_of), seed or "", question_id,
                             shuffle_options and seed is not None)
        view["options"] = [{"option_id": o, "text": text_of[o]} for o in order]
        view["pick"] = "one" if c.question_type == QuestionType.SINGLE_CHOICE else "many"
    if c.true_false is not None:
        view["options"] = [{"option_id": "true", "text": "True"},
                           {"option_id": "false", "text": "False"}]
        view["pick"] = "one"
    if c.long_answer is not None:
        view["max_words"] = c.long_answer.max_words
        # Criteria and their levels tell a student how the essay is marked; the model answer
        # does not belong to them.
        view["rubric"] = [{"title": cr.title, "levels": [{"label": lv.label, "points": lv.points}
                                                         for lv in cr.levels]}
                          for cr in c.long_answer.rubric]
    if c.coding is not None:
        view["coding"] = {
            "language": c.coding.language, "starter_code": c.coding.starter_code,
            "time_limit_ms": c.coding.time_limit_ms, "memory_limit_mb": c.coding.memory_limit_mb,
            "sample_tests": [t.model_dump(exclude={"weight"}) for t in c.coding.sample_tests]}
    return view
