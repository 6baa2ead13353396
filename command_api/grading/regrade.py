"""Regrade: after a teacher corrects a question's key (a new revision of the question), mark
every submitted answer to it in an exam again with the corrected key, and show what changes
before anything does. A coding question's corrected tests send its programs to the judge
again (``RequestJudging``): the preview lists them, the verdicts come as the judge runs them.
An essay's corrected rubric rescores the answers graded with the rubric (the teacher's levels
stay, their points follow the new rubric) and has the ones still to grade graded with it
(``RescoreRubric``).

The affected attempts are found from the exam itself, not from a read model: an attempt's id
derives from (exam, student, number), so the exam's students and its attempts allowed name
every attempt there can be. Each attempt is then decided on its own grading stream
(``RegradeAnswer``); the preview runs the same decisions without storing them. A command id
derived from (attempt, question, revision) makes a repeated regrade change nothing.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import NAMESPACE_URL, uuid5

from command_api.attempts.routes import attempt_id_for
from command_api.exams.decider import exam_decider
from command_api.grading.auto import REVISIONS, parsed, submitted_answers
from command_api.grading.decider import (GradedAnswer, Grading, RegradeAnswer, RequestJudging,
                                         RescoreRubric, grading_decider, may_grade)
from command_api.grading.rules import Mark, mark, rubric_points
from command_api.handling import LOADS_AT_ONCE, handle, load_state
from command_api.questions.decider import question_decider
from eventlog.store import CommandContext, EventStore
from schemas.envelope import Actor
from schemas.events.attempt import ANSWER_FIELD
from schemas.events.grading import AnswerRepinned, AnswersGraded, GradingMethod
from schemas.events.question import QuestionContent, QuestionType
from schemas.refusals import DomainError, Invalid, NotFound
from security.personal_data import PersonalData

_REGRADES = uuid5(NAMESPACE_URL, "https://soems.org/grading/regrade")


@dataclass(frozen=True)
class Change:
    attempt_id: str
    student_id: str
    before: float | None  # None: not graded yet
    after: float | None  # None: unchanged (kept), or sent to the judge
    # Why its points do not change: "graded_by_hand", "same"; an essay's "to_grade" (graded
    # by hand with the corrected rubric: not graded yet) or "levels_gone" (graded with levels
    # the corrected rubric no longer has: to grade again)
    kept: str | None
    judging: bool = False  # a program sent to the judge again (its verdict comes later)


async def regrade(store: EventStore, personal: PersonalData, actor: Actor, exam_id: str,
                  question_id: str, revision: int | None, apply: bool,
                  correlation_id=None) -> dict:
    exam, _ = await load_state(store, exam_decider, exam_id)
    if exam.status in ("none", "deleted") or not may_grade(actor, exam.teacher_id):
        raise NotFound("exam_not_found", f"exam {exam_id} does not exist", field="exam_id")
    question, _ = await load_state(store, question_decider, question_id)
    if not question.visible_to(actor):
        raise NotFound("question_not_found", f"question {question_id} does not exist",
                       field="question_id")
    revision = revision or question.revision
    if not 1 <= revision <= question.revision:
        raise Invalid("revision_not_found", f"question {question_id} has revisions 1 to "
                      f"{question.revision}", field="revision")
    content = await REVISIONS.content(store, question_id, revision)
    essay = content.question_type == QuestionType.LONG_ANSWER
    if essay and not (content.long_answer and content.long_answer.rubric):
        raise Invalid("no_rubric", f"revision {revision} of this essay has no rubric: essays "
                      f"without one are graded by a teacher only", field="revision")
    candidates = [attempt_id_for(exam_id, student_id, n) for student_id in exam.assigned
                  for n in range(1, exam.settings.attempts_allowed + 1)]
    gate = asyncio.Semaphore(LOADS_AT_ONCE)
    now = datetime.now(timezone.utc)

    async def one(attempt_id: str) -> Change | None:
        async with gate:
            state, _ = await load_state(store, grading_decider, attempt_id)
            top = state.max_points.get(question_id)
            if state.status == "none" or top is None:
                return None  # not submitted (or not graded yet), or drawn without it
            if essay:
                command = RescoreRubric(attempt_id, actor, exam.teacher_id, question_id,
                                        revision, _rubric_mark(content, state, question_id),
                                        now)
            elif content.coding is not None:
                command = RequestJudging(attempt_id, actor, exam.teacher_id, question_id,
                                         revision, content.coding.language, now)
            else:
                started, answers = await submitted_answers(store, attempt_id)
                [answer] = await personal.reveal_fields(
                    [(started.student_id, ANSWER_FIELD, answers.get(question_id))])
                command = RegradeAnswer(attempt_id, actor, exam.teacher_id, question_id,
                                        revision, mark(content, parsed(answer), top), now)
            events = grading_decider.decide(command, state)
            if events and apply:
                ctx = CommandContext(command_id=uuid5(_REGRADES, f"{attempt_id}/{question_id}/"
                                                                 f"{revision}"),
                                     actor=actor, correlation_id=correlation_id)
                await handle(store, grading_decider, attempt_id, command, ctx,
                             lambda s: {"attempt_id": attempt_id, "score": s.score})
            return _change(attempt_id, state.student_id, state.marks.get(question_id), events)

    found = [c for c in await asyncio.gather(*(one(a) for a in candidates)) if c is not None]
    return {"exam_id": exam_id, "question_id": question_id, "revision": revision,
            "applied": apply, "attempts": len(found),
            "changed": sum(1 for c in found if c.after is not None and c.after != c.before),
            "judging": sum(1 for c in found if c.judging),
            "to_grade": sum(1 for c in found if c.kept in ("to_grade", "levels_gone")),
            "changes": [vars(c) for c in sorted(found, key=lambda c: c.attempt_id)]}


def _rubric_mark(content: QuestionContent, state: Grading, question_id: str) -> Mark | None:
    """The corrected rubric's points for the levels the teacher picked; None when the answer
    was not graded with the rubric, or when its levels are gone from the corrected one."""
    earlier = state.marks.get(question_id)
    if earlier is None or earlier.rubric is None:
        return None
    try:
        return rubric_points(content, earlier.rubric, state.max_points[question_id])
    except DomainError:
        return None


def _change(attempt_id: str, student_id: str, earlier: GradedAnswer | None,
            events: list) -> Change:
    before = earlier.points if earlier is not None else None
    if not events:
        kept = "graded_by_hand" if earlier is not None and earlier.method == \
            GradingMethod.MANUAL and earlier.rubric is None else "same"
        return Change(attempt_id, student_id, before, None, kept)
    if isinstance(events[0], AnswerRepinned):
        return Change(attempt_id, student_id, before, None,
                      "to_grade" if earlier is None else "levels_gone")
    graded = next((e for e in events if isinstance(e, AnswersGraded)), None)
    if graded is None:  # sent to the judge
        return Change(attempt_id, student_id, before, None, None, judging=True)
    return Change(attempt_id, student_id, before, graded.marks[0].points, None)
