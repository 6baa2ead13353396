"""What makes question content valid: ``problems`` lists every fault of a question at once
(the editor and the CSV import show them all, each naming its field). What a student may see of
a question is decided elsewhere, once, for both APIs: ``security.student_view``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from schemas.events.question import ChoiceScoring, Difficulty, QuestionContent, QuestionType
from schemas.text import CONTROL_CHARACTERS, is_entity_id

CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}
SECTION_OF = {
    QuestionType.SINGLE_CHOICE: "choice", QuestionType.MULTIPLE_CHOICE: "choice",
    QuestionType.TRUE_FALSE: "true_false", QuestionType.SHORT_ANSWER: "short_answer",
    QuestionType.LONG_ANSWER: "long_answer", QuestionType.CODING: "coding",
}
SECTIONS = ("choice", "true_false", "short_answer", "long_answer", "coding")
LANGUAGES = ("python", "c", "cpp")  # what the judge runs (the grading issue)
MAX_OPTIONS = 20
MAX_TAGS = 20
MAX_MEDIA = 10  # images and audio files one question shows
# Long texts (a stem, a model answer, code, a test's input or output) and short ones (an
# option, a tag, a label), in characters.
LONG_TEXT, SHORT_TEXT = 50_000, 2_000
_LONG_FIELDS = {"stem", "model_answer", "starter_code", "stdin", "expected_stdout",
                "description"}
_SCALARS = (bool, int, float)
_QUESTION_TYPES, _DIFFICULTIES, _SCORINGS = (frozenset(QuestionType), frozenset(Difficulty),
                                             frozenset(ChoiceScoring))


@dataclass(frozen=True)
class Problem:
    field: str  # a dotted path into the content: "choice.options.2.text"
    code: str
    message: str


def problems(c: QuestionContent) -> list[Problem]:
    """Every fault of ``c``; empty when the question can be saved."""
    found: list[Problem] = []

    def fault(field: str, code: str, message: str) -> None:
        found.append(Problem(field, code, message))

    # Most questions have no fault in any text: one pass over the strings alone says so, and
    # only a question that may have one is walked again with every text's path (building the
    # paths was half of a 10,000-row import's checking).
    strings = _strings(c, [])
    suspect = any(len(text) > SHORT_TEXT for text in strings) or \
        CONTROL_CHARACTERS.search("\n".join(strings)) is not None
    for path, text in _texts(c) if suspect else ():
        limit = LONG_TEXT if path.rsplit(".", 1)[-1] in _LONG_FIELDS else SHORT_TEXT
        if len(text) > limit:
            fault(path, "text_too_long", f"at most {limit:,} characters ({len(text):,} given)")
        control = CONTROL_CHARACTERS.search(text)
        if control:
            fault(path, "control_character", f"must not contain control characters (found "
                  f"U+{ord(control.group()):04X} at position {control.start()})")
    if c.question_type not in _QUESTION_TYPES:
        fault("question_type", "unknown_question_type",
              f"question_type must be one of {', '.join(QuestionType)}")
        return found
    qtype = QuestionType(c.question_type)
    if not c.stem.strip():
        fault("stem", "stem_empty", "the question text must not be blank")
    if c.difficulty not in _DIFFICULTIES:
        fault("difficulty", "unknown_difficulty",
              f"difficulty must be one of {', '.join(Difficulty)}")
    if len(c.tags) > MAX_TAGS:
        fault("tags", "too_many_tags", f"at most {MAX_TAGS} tags")
    for i, tag in enumerate(c.tags):
        if not tag.strip():
            fault(f"tags.{i}", "tag_empty", "a tag must not be blank")
    if len({t.strip().lower() for t in c.tags}) != len(c.tags):
        fault("tags", "tag_repeated", "each tag once (tags are compared case-insensitively)")
    if len(c.media_ids) > MAX_MEDIA:
        fault("media_ids", "too_many_media", f"at most {MAX_MEDIA} images or audio files")
    if len(set(c.media_ids)) != len(c.media_ids):
        fault("media_ids", "media_repeated", "each image or audio file once")
    for i, media_id in enumerate(c.media_ids):  # control characters: reported with all texts
        if not is_entity_id(media_id) and not CONTROL_CHARACTERS.search(media_id):
            fault(f"media_ids.{i}", "media_id_invalid",
                  "a media id is 1 to 200 characters without spaces")
    shown = set(c.media_ids)
    for media_id in c.media_alt:
        if media_id not in shown:  # keys are checked here, their texts with all texts
            fault(f"media_alt.{media_id[:200]}", "media_alt_unknown",
                  "describes a file the question does not show")
    if not 1 <= c.estimated_minutes <= 600:
        fault("estimated_minutes", "estimated_minutes_out_of_range",
              "estimated_minutes must be between 1 and 600")
    wanted = SECTION_OF[qtype]
    if getattr(c, wanted) is None:
        fault(wanted, "section_missing", f"a {qtype} question needs its '{wanted}' section")
    for other in SECTIONS:
        if other != wanted and getattr(c, other) is not None:
            fault(other, "section_not_allowed", f"a {qtype} question has no '{other}' section")
    if getattr(c, wanted) is not None:
        _check_section(qtype, c, fault)
    return found


def _strings(value: Any, found: list[str]) -> list[str]:
    """Every string in the content (``_texts`` without the paths)."""
    if isinstance(value, str):
        found.append(value)
    elif isinstance(value, list):
        for item in value:
            _strings(item, found)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, found)
    elif isinstance(value, BaseModel):
        for item in value.__dict__.values():
            if item is not None and item.__class__ not in _SCALARS:
                _strings(item, found)
    return found


def _texts(value: Any, path: str = "", found: list[tuple[str, str]] | None = None
           ) -> list[tuple[str, str]]:
    """Every string in the content with its dotted path (one list filled in place: the CSV
    import checks 10,000 questions at a time)."""
    found = [] if found is None else found
    if isinstance(value, str):
        found.append((path, value))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _texts(item, f"{path}.{i}", found)
    elif isinstance(value, dict):  # media_alt: a text per media id
        for key, item in value.items():
            _texts(item, f"{path}.{key[:200]}", found)
    elif isinstance(value, BaseModel):
        for name, item in value.__dict__.items():
            # isinstance against a pydantic model is slow (an ABC check): skip scalars first
            if item is not None and item.__class__ not in _SCALARS:
                _texts(item, f"{path}.{name}" if path else name, found)
    return found


def _check_section(qtype: QuestionType, c: QuestionContent, fault) -> None:
    if qtype in CHOICE_TYPES:
        options = c.choice.options
        if not 2 <= len(options) <= MAX_OPTIONS:
            fault("choice.options", "option_count", f"give between 2 and {MAX_OPTIONS} options")
        ids = [o.option_id for o in options]
        if len(set(ids)) != len(ids):
            fault("choice.options", "option_id_repeated", "each option_id once")
        for i, o in enumerate(options):
            if not o.option_id.strip():
                fault(f"choice.options.{i}.option_id", "option_id_empty", "option_id is blank")
            if not o.text.strip():
                fault(f"choice.options.{i}.text", "option_text_empty", "an option needs text")
        correct = sum(o.correct for o in options)
        if qtype == QuestionType.SINGLE_CHOICE and correct != 1:
            fault("choice.options", "single_choice_needs_one_correct",
                  f"a single-choice question has exactly one correct option ({correct} given)")
        if qtype == QuestionType.MULTIPLE_CHOICE and correct < 1:
            fault("choice.options", "multiple_choice_needs_a_correct_option",
                  "mark at least one option correct")
        if c.choice.scoring not in _SCORINGS:
            fault("choice.scoring", "unknown_scoring",
                  f"scoring must be one of {', '.join(ChoiceScoring)}")
        elif qtype == QuestionType.SINGLE_CHOICE and c.choice.scoring != ChoiceScoring.ALL_OR_NOTHING:
            fault("choice.scoring", "scoring_not_allowed",
                  "a single-choice question is scored all or nothing")
        if not 0 <= c.choice.wrong_pick_penalty <= 1:
            fault("choice.wrong_pick_penalty", "penalty_out_of_range",
                  "wrong_pick_penalty is a share of an option's points, between 0 and 1")
    elif qtype == QuestionType.SHORT_ANSWER:
        s = c.short_answer
        if not s.accepted and s.pattern is None and s.numeric is None:
            fault("short_answer", "no_accepted_answer",
                  "give accepted answers, a pattern or a numeric answer")
        for i, a in enumerate(s.accepted):
            if not a.text.strip():
                fault(f"short_answer.accepted.{i}.text", "accepted_answer_empty",
                      "an accepted answer must not be blank")
        if s.pattern is not None:
            try:
                re.compile(s.pattern)
            except re.error as exc:
                fault("short_answer.pattern", "pattern_invalid",
                      f"not a regular expression: {exc}")
        if s.numeric is not None and not s.numeric.tolerance >= 0:
            fault("short_answer.numeric.tolerance", "tolerance_negative",
                  "tolerance must be 0 or more")
    elif qtype == QuestionType.LONG_ANSWER:
        for i, criterion in enumerate(c.long_answer.rubric):
            where = f"long_answer.rubric.{i}"
            if not criterion.title.strip():
                fault(f"{where}.title", "criterion_title_empty", "a criterion needs a title")
            if not criterion.levels:
                fault(f"{where}.levels", "criterion_without_levels",
                      "a criterion needs at least one level")
            for j, level in enumerate(criterion.levels):
                if level.points < 0:
                    fault(f"{where}.levels.{j}.points", "level_points_negative",
                          "a level's points must be 0 or more")
        ids = [cr.criterion_id for cr in c.long_answer.rubric]
        if len(set(ids)) != len(ids):
            fault("long_answer.rubric", "criterion_id_repeated", "each criterion_id once")
        if c.long_answer.max_words is not None and c.long_answer.max_words < 1:
            fault("long_answer.max_words", "max_words_out_of_range", "max_words must be 1 or more")
    elif qtype == QuestionType.CODING:
        k = c.coding
        if k.language not in LANGUAGES:
            fault("coding.language", "unknown_language",
                  f"language must be one of {', '.join(LANGUAGES)}")
        if not 100 <= k.time_limit_ms <= 30_000:
            fault("coding.time_limit_ms", "time_limit_out_of_range",
                  "time_limit_ms must be between 100 and 30000")
        if not 16 <= k.memory_limit_mb <= 2048:
            fault("coding.memory_limit_mb", "memory_limit_out_of_range",
                  "memory_limit_mb must be between 16 and 2048")
        if not k.hidden_tests:
            fault("coding.hidden_tests", "no_hidden_tests",
                  "a coding question is scored by at least one hidden test")
        tests = [*k.sample_tests, *k.hidden_tests]
        if len({t.test_id for t in tests}) != len(tests):
            fault("coding", "test_id_repeated", "each test_id once across sample and hidden tests")
        for i, t in enumerate(k.hidden_tests):
            if not t.weight > 0:
                fault(f"coding.hidden_tests.{i}.weight", "test_weight_not_positive",
                      "a hidden test's weight must be more than 0")
