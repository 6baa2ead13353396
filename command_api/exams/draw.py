"""Each student's exam: which questions a layout's pools draw, in which order, with which
order of options (``security.student_view.option_order``), all fixed by one seed stored when
the attempt starts, so the same attempt always shows the same exam, on any device, after any
reload.

``random.Random`` seeded with a string is stable across processes and Python versions
(its seeding hashes the string with SHA-512), unlike ``hash()``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass

from command_api.exams.decider import ExamLayout


@dataclass(frozen=True)
class DrawnQuestion:
    section_id: str
    item_id: str
    question_id: str
    revision: int
    points: float


def draw_questions(layout: ExamLayout, seed: str) -> list[DrawnQuestion]:
    """The questions one student gets, in the order they see them: sections in order; within
    a section, items in order (or shuffled, when the layout says so), each item's draw."""
    drawn: list[DrawnQuestion] = []
    for section in layout.sections:
        in_section = []
        for item in section.items:
            chooser = random.Random(f"{seed}/draw/{item.item_id}")
            for pinned in chooser.sample(item.candidates, item.draw):
                in_section.append(DrawnQuestion(section.section_id, item.item_id,
                                                pinned.question_id, pinned.revision,
                                                item.points))
        if layout.shuffle_questions:
            random.Random(f"{seed}/order/{section.section_id}").shuffle(in_section)
        drawn += in_section
    return drawn
