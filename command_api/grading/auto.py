"""The auto-grader's command: grade one submitted attempt against the keys of the question
revisions it pinned, exactly once.

Run by the auto-grading stream processor (``stream_processors/auto_grading.py``) for every
``AttemptSubmitted``. Everything is read from the event store (the attempt's stream, the
questions' streams), never from read models that may lag. The command id derives from the
attempt, so a redelivery or a restart grades nothing twice.
"""
from __future__ import annotations

import json
from collections import OrderedDict
from datetime import datetime, timezone
from uuid import NAMESPACE_URL, UUID, uuid5

from command_api.grading.decider import AutoGrade, GradeItem, grading_decider
from command_api.grading.rules import mark
from command_api.handling import handle
from eventlog.store import CommandContext, ConcurrencyError, DuplicateCommand, EventStore
from schemas.envelope import SYSTEM
from schemas.events.attempt import (ANSWER_FIELD, ATTEMPT, AnswerSaved, AttemptStarted,
                                    AttemptSubmitted)
from schemas.events.grading import GRADING
from schemas.events.question import (QUESTION, QuestionAuthored, QuestionContent,
                                     QuestionRevised)
from schemas.refusals import DomainError
from security.personal_data import PersonalData

_AUTO_GRADES = uuid5(NAMESPACE_URL, "https://soems.org/grading/auto")


class Revisions:
    """Question contents by (question, revision). A revision never changes once written, so
    it is read from its stream once per process and kept (the most recent ``size``)."""

    def __init__(self, size: int = 20_000):
        self.size = size
        self._held: OrderedDict[tuple[str, int], QuestionContent] = OrderedDict()

    async def content(self, store: EventStore, question_id: str,
                      revision: int) -> QuestionContent:
        held = self._held.get((question_id, revision))
        if held is not None:
            self._held.move_to_end((question_id, revision))
            return held
        stream = await store.load(QUESTION.stream_id(question_id))
        for recorded in stream.events:  # keep every revision seen: its siblings come next
            event = recorded.payload
            if isinstance(event, QuestionAuthored):
                self._held[(question_id, 1)] = event.content
            elif isinstance(event, QuestionRevised):
                self._held[(question_id, event.revision)] = event.content
        while len(self._held) > self.size:
            self._held.popitem(last=False)
        found = self._held.get((question_id, revision))
        if found is None:
            raise DomainError("revision_not_found", f"question {question_id} has no revision "
                              f"{revision}")
        return found


REVISIONS = Revisions()


async def grade_submitted(store: EventStore, personal: PersonalData, attempt_id: str,
                          caused_by: UUID | None = None,
                          revisions: Revisions = REVISIONS) -> dict:
    """Grade the attempt's answers that a key decides; leave the rest pending. ``caused_by``:
    the ``AttemptSubmitted`` event (for the audit)."""
    started, answers = await submitted_answers(store, attempt_id)
    opened = await personal.reveal_fields(
        [(started.student_id, ANSWER_FIELD, answers.get(q.question_id))
         for q in started.questions])
    ctx = CommandContext(command_id=uuid5(_AUTO_GRADES, attempt_id), actor=SYSTEM,
                         causation_id=caused_by)
    command = AutoGrade(attempt_id, started.exam_id, started.student_id,
                        await _items(store, revisions, started, opened),
                        datetime.now(timezone.utc))
    return await handle(store, grading_decider, attempt_id, command, ctx,
                        lambda state: {"attempt_id": attempt_id, "status": state.status,
                                       "score": state.score, "max_score": state.max_score,
                                       "pending": list(state.pending)})


async def grade_submitted_batch(store: EventStore, personal: PersonalData,
                                submissions: list[tuple[str, UUID | None]],
                                revisions: Revisions = REVISIONS) -> list[str]:
    """Grade a batch of submitted attempts at once: their streams in one read, their keys in
    one query, their grading streams started in one transaction. All or nothing: the ids
    graded, or none when any of them cannot be (not submitted, graded before: a redelivery),
    and the caller grades them one by one (``grade_submitted``, idempotent). A few round
    trips for the batch rather than five per attempt: what bounded the auto-grader's rate.
    ``submissions``: (attempt id, its ``AttemptSubmitted`` event id: each grading's cause)."""
    caused_by = dict(submissions)
    ids = list(caused_by)
    streams = await store.load_many([ATTEMPT.stream_id(a) for a in ids])
    try:
        found = [_submitted(a, stream.events) for a, stream in zip(ids, streams)]
    except DomainError:
        return []
    opened = await personal.reveal_fields(
        [(started.student_id, ANSWER_FIELD, answers.get(q.question_id))
         for started, answers in found for q in started.questions])
    now, at, new = datetime.now(timezone.utc), 0, []
    for attempt_id, (started, _) in zip(ids, found):
        answers, at = opened[at:at + len(started.questions)], at + len(started.questions)
        new.append((GRADING.stream_id(attempt_id), grading_decider.decide(AutoGrade(
            attempt_id, started.exam_id, started.student_id,
            await _items(store, revisions, started, answers), now), grading_decider.initial)))
    ctx = CommandContext(command_id=uuid5(_AUTO_GRADES, "batch:" + ",".join(sorted(ids))),
                         actor=SYSTEM)
    try:
        await store.start_streams(new, ctx, {"graded": ids}, causes={
            GRADING.stream_id(a): caused_by[a] for a in ids if caused_by[a] is not None})
    except (ConcurrencyError, DuplicateCommand):
        return []  # one of them was graded already: each on its own, then
    return ids


async def _items(store: EventStore, revisions: Revisions, started: AttemptStarted,
                 answers: list[str | None]) -> tuple[GradeItem, ...]:
    """Each question of the attempt marked by its pinned revision's key (None: an essay or a
    program, with the program's language for the judge), from its opened answer."""
    items = []
    for question, answer in zip(started.questions, answers):
        content = await revisions.content(store, question.question_id, question.revision)
        marked = mark(content, parsed(answer), question.points)
        items.append(GradeItem(question.question_id, question.revision, question.points, marked,
                               judge_language=content.coding.language
                               if marked is None and content.coding is not None else None))
    return tuple(items)


async def submitted_answers(store: EventStore, attempt_id: str
                            ) -> tuple[AttemptStarted, dict[str, str]]:
    """A submitted attempt's start (its questions) and its last saved answer to each question
    (sealed), from its stream."""
    stream = await store.load(ATTEMPT.stream_id(attempt_id))
    return _submitted(attempt_id, stream.events)


def _submitted(attempt_id: str, events) -> tuple[AttemptStarted, dict[str, str]]:
    started, answers, submitted = None, {}, False
    for recorded in events:
        match recorded.payload:
            case AttemptStarted() as event:
                started = event
            case AnswerSaved() as event:  # only newer saves are appended: the last one holds
                answers[event.question_id] = event.answer
            case AttemptSubmitted():
                submitted = True
    if started is None or not submitted:
        raise DomainError("attempt_not_submitted", f"attempt {attempt_id} is not submitted")
    return started, answers


def parsed(answer: str | None) -> dict | None:
    """The saved answer's JSON; an erased student's answer (unreadable) counts as none."""
    if answer is None:
        return None
    try:
        parsed = json.loads(answer)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
