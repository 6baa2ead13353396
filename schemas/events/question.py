"""Events of the question aggregate (one stream per bank question: ``question-<id>``).

A question's content is one record with a section per question type (exactly one of them is
set, the one its ``question_type`` names); Avro has no tagged unions beyond ``X | None``, and
a flat record keeps every type's answer key in one place that the student view strips
(``command_api.questions.content.for_students``). Every content change is a new revision
(``QuestionAuthored`` is revision 1): exams pin ``(question_id, revision)``, so an edit never
changes an exam already built from the question.
"""
from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent, EventPart


QUESTION = Aggregate("question", stream_prefix="question")


class QuestionType(StrEnum):
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    TRUE_FALSE = "true_false"
    SHORT_ANSWER = "short_answer"
    LONG_ANSWER = "long_answer"
    CODING = "coding"


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


class ChoiceScoring(StrEnum):
    """How a multiple-choice answer scores: all or nothing, or each right pick earns its share
    and each wrong pick costs ``wrong_pick_penalty`` shares, the total floored at 0."""

    ALL_OR_NOTHING = "all_or_nothing"
    PER_OPTION = "per_option"


class QuestionStatus(StrEnum):
    ACTIVE = "active"
    ARCHIVED = "archived"  # hidden from the bank; exams that pinned it keep it



class ChoiceOption(EventPart):
    option_id: str  # stable across shuffles and edits: answers name options by it
    text: str
    correct: bool = False
    feedback: str = ""


class ChoiceSpec(EventPart):
    options: list[ChoiceOption]
    scoring: str = ChoiceScoring.ALL_OR_NOTHING.value
    wrong_pick_penalty: float = 0.0


class TrueFalseSpec(EventPart):
    correct: bool


class AcceptedAnswer(EventPart):
    text: str
    case_sensitive: bool = False
    normalize_whitespace: bool = True


class NumericAnswer(EventPart):
    value: float
    tolerance: float = 0.0


class ShortAnswerSpec(EventPart):
    accepted: list[AcceptedAnswer] = []
    pattern: str | None = None  # a regular expression the whole answer must match
    numeric: NumericAnswer | None = None


class RubricLevel(EventPart):
    label: str
    points: float
    description: str = ""


class RubricCriterion(EventPart):
    criterion_id: str
    title: str
    levels: list[RubricLevel]


class LongAnswerSpec(EventPart):
    rubric: list[RubricCriterion] = []
    model_answer: str = ""
    max_words: int | None = None


class CodeTest(EventPart):
    test_id: str
    stdin: str
    expected_stdout: str
    weight: float = 1.0


class CodingSpec(EventPart):
    language: str
    starter_code: str = ""
    time_limit_ms: int = 2000
    memory_limit_mb: int = 256
    sample_tests: list[CodeTest] = []  # students see these
    hidden_tests: list[CodeTest] = []  # the score; never shown to students


class QuestionContent(EventPart):
    """Everything an edit can change. Exactly one type section is set."""

    question_type: str
    stem: str
    difficulty: str = Difficulty.MEDIUM.value
    tags: list[str] = []
    topic: str = ""
    estimated_minutes: int = 2
    media_ids: list[str] = []
    # A text alternative per image (by media id) for students who cannot see it; "" marks
    # an image as decorative. An image with no entry is undescribed (the editor says so).
    media_alt: dict[str, str] = {}
    choice: ChoiceSpec | None = None  # single_choice, multiple_choice
    true_false: TrueFalseSpec | None = None
    short_answer: ShortAnswerSpec | None = None
    long_answer: LongAnswerSpec | None = None
    coding: CodingSpec | None = None


class QuestionEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = QUESTION
    abstract: ClassVar[bool] = True


class QuestionAuthored(QuestionEvent):
    """Revision 1 of a question, in its author's bank (``copied_from``: the question it was
    copied from, when it was)."""

    abstract: ClassVar[bool] = False
    schema_version: ClassVar[int] = 2  # v2: content.media_alt
    question_id: str
    owner_id: str
    content: QuestionContent
    copied_from: str | None = None


class QuestionRevised(QuestionEvent):
    """The full content of a new revision (not a diff); ``restored_from``: the earlier
    revision whose content this one brings back, when it is a restore."""

    abstract: ClassVar[bool] = False
    schema_version: ClassVar[int] = 2  # v2: content.media_alt, restored_from
    question_id: str
    revision: int
    content: QuestionContent
    restored_from: int | None = None


class QuestionShared(QuestionEvent):
    """These teachers may now read and copy the question."""

    abstract: ClassVar[bool] = False
    question_id: str
    teacher_ids: list[str]


class QuestionUnshared(QuestionEvent):
    abstract: ClassVar[bool] = False
    question_id: str
    teacher_ids: list[str]


class QuestionArchived(QuestionEvent):
    abstract: ClassVar[bool] = False
    question_id: str


class QuestionRestored(QuestionEvent):
    abstract: ClassVar[bool] = False
    question_id: str
