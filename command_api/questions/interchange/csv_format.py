"""The CSV template: one row per question, so that a teacher can write a bank in a spreadsheet.

Columns (header names are matched case-insensitively; spaces and hyphens count as ``_``):

============================  ==================================================================
``type`` (required)           single_choice, multiple_choice, true_false, short_answer,
                              long_answer (``essay`` is read as long_answer)
``stem`` (required)           the question text (line breaks allowed inside quotes)
``difficulty``                easy, medium (when empty), hard
``tags``                      ``|`` separated
``topic``                     free text
``estimated_minutes``         whole minutes, 2 when empty
``options``                   choice: the options' texts, ``|`` separated, in order
``option_ids``                choice: the options' ids, ``|`` separated; empty: a, b, c, ...
``option_feedback``           choice: feedback per option, ``|`` separated (may be empty)
``correct``                   choice: option letters (A, C) or numbers from 1, separated by
                              ``|``, ``,`` or spaces; true_false: true or false (yes/no, 1/0)
``scoring``                   multiple_choice: all_or_nothing (when empty) or per_option
``wrong_pick_penalty``        multiple_choice, per_option: a share between 0 and 1
``accepted_answers``          short_answer: ``|`` separated
``case_sensitive``            short_answer: true or false (false when empty); one value for
                              every answer, or one per answer, ``|`` separated
``normalize_whitespace``      short_answer: like case_sensitive (true when empty)
``pattern``                   short_answer: a regular expression the whole answer must match
``numeric_value``             short_answer: the expected number (a decimal comma is accepted)
``numeric_tolerance``         short_answer: how far off an answer may be (0 when empty)
``model_answer``              long_answer: the model answer markers see
``max_words``                 long_answer: a word limit, none when empty
============================  ==================================================================

In ``|`` separated cells, ``\\|`` is a literal bar and ``\\\\`` a literal backslash; items are
trimmed, and empty tags are skipped. A cell filled in a column that does not apply to the row's
type is an error, not ignored. Coding questions, long-answer rubrics and media do not fit in a
spreadsheet row: the question editor (and, for rubrics, QTI) carries them.

The file is UTF-8 (with or without the BOM Excel writes), separated by commas (or semicolons
or tabs, as some locales' Excel writes), with CRLF or LF line ends and quoted line breaks.
"""
from __future__ import annotations

import csv
import gc
import io
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from command_api.questions.content import Problem, problems
from schemas.events.question import (AcceptedAnswer, ChoiceOption, ChoiceScoring, ChoiceSpec,
                                     LongAnswerSpec, NumericAnswer, QuestionContent, QuestionType,
                                     ShortAnswerSpec, TrueFalseSpec)

MAX_ROWS = 10_000
MAX_BYTES = 20 * 1024 * 1024  # 10,000 rows of 2 KB each, the size a generous bank file has

COMMON = ("type", "stem", "difficulty", "tags", "topic", "estimated_minutes")
CHOICE_COLUMNS = ("options", "option_ids", "option_feedback", "correct", "scoring",
                  "wrong_pick_penalty")
SHORT_COLUMNS = ("accepted_answers", "case_sensitive", "normalize_whitespace", "pattern",
                 "numeric_value", "numeric_tolerance")
LONG_COLUMNS = ("model_answer", "max_words")
COLUMNS = (*COMMON, *CHOICE_COLUMNS, *SHORT_COLUMNS, *LONG_COLUMNS)
REQUIRED = ("type", "stem")
CSV_TYPES = (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE,
             QuestionType.SHORT_ANSWER, QuestionType.LONG_ANSWER)
_TYPE_ALIASES = {"essay": QuestionType.LONG_ANSWER.value}
APPLIES_TO: dict[str, tuple[str, ...]] = {
    QuestionType.SINGLE_CHOICE: CHOICE_COLUMNS, QuestionType.MULTIPLE_CHOICE: CHOICE_COLUMNS,
    QuestionType.TRUE_FALSE: ("correct",), QuestionType.SHORT_ANSWER: SHORT_COLUMNS,
    QuestionType.LONG_ANSWER: LONG_COLUMNS,
}
_APPLIES = {qtype: frozenset((*COMMON, *keys)) for qtype, keys in APPLIES_TO.items()}
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # option A is the first
_TRUE = {"true", "yes", "y", "1", "t", "x"}
_FALSE = {"false", "no", "n", "0", "f"}


@dataclass(frozen=True)
class CellError:
    """One fault: ``row`` as a spreadsheet numbers it (the header is row 1), ``column`` the
    header as the file spells it; both None for a fault of the whole file."""

    row: int | None
    column: str | None
    message: str


@dataclass(frozen=True)
class CsvRow:
    row: int
    content: QuestionContent | None  # None when the row has errors
    errors: list[CellError] = field(default_factory=list)
    # What the row says it is, even when it has errors: the teacher finds it by its text.
    question_type: str | None = None
    stem: str | None = None


@dataclass(frozen=True)
class CsvImport:
    """``file_errors`` (a missing or unknown column, a wrong encoding, too many rows) mean the
    file as a whole must not be imported; otherwise each row stands on its own."""

    file_errors: list[CellError]
    rows: list[CsvRow]

    @property
    def valid(self) -> list[QuestionContent]:
        return [r.content for r in self.rows if r.content is not None]

    @property
    def errors(self) -> list[CellError]:
        return [*self.file_errors, *(e for r in self.rows for e in r.errors)]


class NotExportable(ValueError):
    """Some questions cannot be written as CSV rows: ``reasons`` by index in the input."""

    def __init__(self, reasons: dict[int, list[str]]):
        self.reasons = reasons
        super().__init__("; ".join(f"question {i + 1}: {', '.join(r)}"
                                   for i, r in reasons.items()))


# --- reading -----------------------------------------------------------------------------

def parse_csv(data: bytes, *, max_rows: int = MAX_ROWS, max_bytes: int = MAX_BYTES) -> CsvImport:
    """Every row of a CSV file as question content or as its errors, all at once."""
    if len(data) > max_bytes:
        return _refused(f"the file is {len(data):,} bytes; at most {max_bytes:,} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return _refused(f"the file is not UTF-8 (byte {exc.start + 1}): save it as "
                        f"'CSV UTF-8' and try again")
    text = text.replace("\r\n", "\n")  # Excel's CRLF, also inside quoted cells: stems keep \n
    try:
        records = list(_records(text, max_rows + 1))
    except csv.Error as exc:
        return _refused(f"not a readable CSV file: {exc}")
    if not records:
        return _refused("the file is empty: it needs a header row")
    header, body = records[0][1], records[1:]
    if len(body) > max_rows:
        return _refused(f"at most {max_rows:,} questions in one file")
    columns, file_errors = _read_header(header)
    if _missing(columns):
        return CsvImport(file_errors, [])
    with _collector_paused():
        return CsvImport(file_errors, [_parse_row(n, cells, columns) for n, cells in body])


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Building 10,000 questions allocates some million objects and no reference cycles;
    the cycle collector's full passes over that growing heap took more than half the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _refused(message: str) -> CsvImport:
    return CsvImport([CellError(None, None, message)], [])


def _records(text: str, limit: int) -> Iterable[tuple[int, list[str]]]:
    """(spreadsheet row, cells) of each record that has something in it; quoted line breaks
    keep a record on one spreadsheet row, and blank rows are skipped but keep their number."""
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    kept = 0
    for number, cells in enumerate(reader, start=1):
        if not any(c.strip() for c in cells):
            continue
        yield number, cells
        kept += 1
        if kept > limit:
            return


def _normal(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


@dataclass(frozen=True)
class _Columns:
    index: dict[str, int]  # column key -> position
    spelled: dict[str, str]  # column key -> the header as the file spells it
    blank: tuple[int, ...]  # positions of header cells left empty
    width: int  # how many cells the header has

    def name(self, key: str) -> str:
        return self.spelled.get(key, key)

    def position(self, error: CellError) -> int:
        """Where the error's column is in the file: a row's errors read left to right."""
        key = next((k for k, spelled in self.spelled.items() if spelled == error.column), None)
        if key is not None:
            return self.index[key]
        unnamed = re.fullmatch(r"column (\d+)", error.column or "")
        return int(unnamed.group(1)) - 1 if unnamed else len(COLUMNS) + self.width


def _read_header(header: list[str]) -> tuple[_Columns, list[CellError]]:
    errors: list[CellError] = []
    index: dict[str, int] = {}
    spelled: dict[str, str] = {}
    blank: list[int] = []
    for position, raw in enumerate(header):
        key = _normal(raw)
        if not key:
            blank.append(position)
        elif key not in COLUMNS:
            errors.append(CellError(1, raw.strip(), f"unknown column '{raw.strip()}': the "
                                    f"template's columns are {', '.join(COLUMNS)}"))
        elif key in index:
            errors.append(CellError(1, raw.strip(), f"column '{raw.strip()}' appears twice"))
        else:
            index[key], spelled[key] = position, raw.strip()
    columns = _Columns(index, spelled, tuple(blank), len(header))
    errors += [CellError(1, key, f"required column '{key}' is missing")
               for key in _missing(columns)]
    return columns, errors


def _missing(columns: _Columns) -> list[str]:
    return [key for key in REQUIRED if key not in columns.index]


class _Row:
    """One record's cells by column key, and the errors found reading them."""

    def __init__(self, number: int, cells: list[str], columns: _Columns):
        self.number, self.columns = number, columns
        self.cells = {key: cells[i] if i < len(cells) else "" for key, i in columns.index.items()}
        self.errors: list[CellError] = []
        if not columns.blank and len(cells) <= columns.width:
            return
        for i, cell in enumerate(cells):
            if cell.strip() and (i in columns.blank or i >= columns.width):
                self.errors.append(CellError(number, f"column {i + 1}", "a value in a column "
                                             "without a header: give it one of the "
                                             "template's names or empty it"))

    def text(self, key: str) -> str:
        return self.cells.get(key, "")

    def fault(self, key: str, message: str) -> None:
        self.errors.append(CellError(self.number, self.columns.name(key), message))

    def faulted(self, key: str) -> bool:
        return any(e.column == self.columns.name(key) for e in self.errors)

    def read(self, key: str, convert: Callable[[str], object], default, expected: str):
        raw = self.text(key).strip()
        if not raw:
            return default
        try:
            return convert(raw)
        except ValueError:
            self.fault(key, f"'{raw}' is not {expected}")
            return default


def _parse_row(number: int, cells: list[str], columns: _Columns) -> CsvRow:
    row = _Row(number, cells, columns)
    qtype = _question_type(row)
    stem = row.text("stem").strip()[:200] or None
    if qtype is None:
        return CsvRow(number, None, sorted(row.errors, key=columns.position),
                      row.text("type").strip() or None, stem)
    for key, cell in row.cells.items():
        if cell and key not in _APPLIES[qtype] and cell.strip():
            row.fault(key, f"does not apply to a {qtype} question: leave it empty")
    content = _content(row, qtype)
    unreadable = {e.column for e in row.errors}  # their values were replaced by defaults
    for found in problems(content):
        key, message = _column_of(found)
        if columns.name(key) not in unreadable:
            row.fault(key, message)
    errors = sorted(row.errors, key=columns.position)
    return CsvRow(number, None if errors else content, errors, qtype, stem)


def _question_type(row: _Row) -> str | None:
    raw = _normal(row.text("type"))
    raw = _TYPE_ALIASES.get(raw, raw)
    if raw == QuestionType.CODING:
        row.fault("type", "coding questions do not fit in a CSV row: write them in the "
                  "question editor")
        return None
    if raw not in CSV_TYPES:
        row.fault("type", f"'{row.text('type').strip()}' is not a question type: one of "
                  f"{', '.join(CSV_TYPES)}" if raw else "the question type is empty")
        return None
    return raw


def _content(row: _Row, qtype: str) -> QuestionContent:
    sections: dict[str, object] = {}
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        sections["choice"] = _choice(row)
    elif qtype == QuestionType.TRUE_FALSE:
        sections["true_false"] = TrueFalseSpec(correct=_true_false(row))
    elif qtype == QuestionType.SHORT_ANSWER:
        sections["short_answer"] = _short_answer(row)
    else:
        sections["long_answer"] = LongAnswerSpec(
            model_answer=row.text("model_answer"),
            max_words=row.read("max_words", _whole, None, "a whole number"))
    return QuestionContent(
        question_type=qtype, stem=row.text("stem"),
        difficulty=row.text("difficulty").strip().lower() or "medium",
        tags=[t for t in split_list(row.text("tags")) if t],
        topic=row.text("topic").strip(),
        estimated_minutes=row.read("estimated_minutes", _whole, 2, "a whole number of minutes"),
        **sections)


def _choice(row: _Row) -> ChoiceSpec:
    texts = split_list(row.text("options")) if row.text("options").strip() else []
    ids = split_list(row.text("option_ids")) if row.text("option_ids").strip() else \
        default_option_ids(len(texts))
    feedback = split_list(row.text("option_feedback")) \
        if row.text("option_feedback").strip() else [""] * len(texts)
    for key, values in (("option_ids", ids), ("option_feedback", feedback)):
        if len(values) != len(texts):
            row.fault(key, f"{len(values)} values for {len(texts)} options: give one per option")
    correct = _choice_correct(row, len(texts))
    ids += default_option_ids(len(texts))[len(ids):]  # when too few were given (reported)
    options = [ChoiceOption(option_id=ids[i],
                            text=text, correct=i in correct,
                            feedback=feedback[i] if i < len(feedback) else "")
               for i, text in enumerate(texts)]
    return ChoiceSpec(options=options,
                      scoring=row.text("scoring").strip().lower()
                      or ChoiceScoring.ALL_OR_NOTHING.value,
                      wrong_pick_penalty=row.read("wrong_pick_penalty", _number, 0.0,
                                                  "a number between 0 and 1"))


def _choice_correct(row: _Row, count: int) -> set[int]:
    picked: set[int] = set()
    for token in re.split(r"[|,;\s]+", row.text("correct").strip()):
        if not token:
            continue
        upper = token.upper()
        position = int(token) - 1 if token.isdigit() else \
            LETTERS.find(upper) if len(upper) == 1 and upper in LETTERS else None
        if position is None or not 0 <= position < count:
            row.fault("correct", f"'{token}' is not one of the {count} options (give letters "
                      f"A-{_letter(max(count, 1) - 1)} or numbers 1-{count})")
            continue
        picked.add(position)
    return picked


def default_option_ids(count: int) -> list[str]:
    """a, b, c, ... as a spreadsheet's options are lettered; o27, o28 past z."""
    return [LETTERS[i].lower() if i < len(LETTERS) else f"o{i + 1}" for i in range(count)]


def _letter(index: int) -> str:
    return LETTERS[index] if index < len(LETTERS) else str(index + 1)


def _true_false(row: _Row) -> bool:
    raw = row.text("correct").strip().lower()
    if raw in _TRUE or raw in _FALSE:
        return raw in _TRUE
    row.fault("correct", "a true/false question needs 'true' or 'false' here")
    return True


def _short_answer(row: _Row) -> ShortAnswerSpec:
    texts = split_list(row.text("accepted_answers")) \
        if row.text("accepted_answers").strip() else []
    case = _flags(row, "case_sensitive", len(texts), False)
    spaces = _flags(row, "normalize_whitespace", len(texts), True)
    value = row.read("numeric_value", _number, None, "a number")
    tolerance = row.read("numeric_tolerance", _number, 0.0, "a number")
    if value is None and row.text("numeric_tolerance").strip() and not row.faulted("numeric_value"):
        row.fault("numeric_tolerance", "a tolerance needs a numeric_value")
    pattern = row.text("pattern")
    return ShortAnswerSpec(
        accepted=[AcceptedAnswer(text=t, case_sensitive=c, normalize_whitespace=s)
                  for t, c, s in zip(texts, case, spaces)],
        pattern=pattern if pattern.strip() else None,
        numeric=None if value is None else NumericAnswer(value=value, tolerance=tolerance))


def _flags(row: _Row, key: str, count: int, default: bool) -> list[bool]:
    """One flag for every accepted answer, or one per answer."""
    raw = row.text(key).strip()
    if not raw:
        return [default] * count
    values = [v.strip().lower() for v in raw.split("|")]
    if any(v not in _TRUE | _FALSE for v in values):
        row.fault(key, f"'{raw}' is not true or false")
        return [default] * count
    flags = [v in _TRUE for v in values]
    if len(flags) == 1:
        return flags * count
    if len(flags) != count:
        row.fault(key, f"{len(flags)} values for {count} accepted answers: give one value, or "
                  f"one per answer")
        return [default] * count
    return flags


def _whole(raw: str) -> int:
    number = float(raw)  # spreadsheets write 5 as 5.0 at times
    if not number.is_integer():
        raise ValueError(raw)
    return int(number)


def _number(raw: str) -> float:
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")  # a decimal comma, as a European spreadsheet writes it
    number = float(raw)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return number


def split_list(cell: str) -> list[str]:
    """``a | b\\|c`` -> ["a", "b|c"]: items trimmed; ``\\|`` and ``\\\\`` escape."""
    if "\\" not in cell:
        return [item.strip() for item in cell.split("|")]
    items, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            current.append(following if following in ("|", "\\") else char + following)
        elif char == "|":
            items.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    items.append("".join(current).strip())
    return items


def join_list(items: Iterable[str]) -> str:
    return "|".join(i.replace("\\", "\\\\").replace("|", "\\|") for i in items)


# Which column a problem found in built content concerns: by code first (several codes share
# the field "choice.options"), then by field.
_BY_CODE = {
    "single_choice_needs_one_correct": "correct",
    "multiple_choice_needs_a_correct_option": "correct",
    "option_count": "options", "option_id_repeated": "option_ids",
    "option_id_empty": "option_ids", "no_accepted_answer": "accepted_answers",
    "scoring_not_allowed": "scoring",
}
_BY_FIELD = [
    ("question_type", "type"), ("stem", "stem"), ("difficulty", "difficulty"),
    ("tags", "tags"), ("topic", "topic"), ("estimated_minutes", "estimated_minutes"),
    ("choice.options.*.feedback", "option_feedback"), ("choice.options.*.option_id", "option_ids"),
    ("choice.options", "options"), ("choice.scoring", "scoring"),
    ("choice.wrong_pick_penalty", "wrong_pick_penalty"), ("true_false", "correct"),
    ("short_answer.accepted", "accepted_answers"), ("short_answer.pattern", "pattern"),
    ("short_answer.numeric.tolerance", "numeric_tolerance"),
    ("short_answer.numeric", "numeric_value"), ("short_answer", "accepted_answers"),
    ("long_answer.model_answer", "model_answer"), ("long_answer.max_words", "max_words"),
]


def _column_of(found: Problem) -> tuple[str, str]:
    """(column key, message naming the option, answer or tag it concerns)."""
    parts = found.field.split(".")
    index = next((int(p) for p in parts if p.isdigit()), None)
    pattern = ".".join("*" if p.isdigit() else p for p in parts)
    key = _BY_CODE.get(found.code) or next(
        (column for prefix, column in _BY_FIELD
         if pattern == prefix or pattern.startswith(prefix + ".")), "type")
    if index is None:
        return key, found.message
    option = f"option {_letter(index)}"
    what = {"options": option, "option_ids": option, "option_feedback": option,
            "accepted_answers": f"answer {index + 1}", "tags": f"tag {index + 1}"}.get(key)
    return key, f"{what}: {found.message}" if what else found.message


# --- writing -----------------------------------------------------------------------------

def csv_unmappable(content: QuestionContent) -> list[str]:
    """Why ``content`` cannot be a CSV row (empty when it can, and reads back equal)."""
    reasons = []
    if content.question_type not in CSV_TYPES:
        reasons.append(f"{content.question_type} questions do not fit in a CSV row")
    if content.media_ids:
        reasons.append("media are not carried by CSV")
    if content.long_answer is not None and content.long_answer.rubric:
        reasons.append("a long-answer rubric is not carried by CSV")
    lists = [("tag", content.tags), ("topic", [content.topic])]
    if content.choice is not None:
        lists += [("option", [o.text for o in content.choice.options]),
                  ("option id", [o.option_id for o in content.choice.options]),
                  ("option feedback", [o.feedback for o in content.choice.options])]
    if content.short_answer is not None:
        lists.append(("accepted answer", [a.text for a in content.short_answer.accepted]))
        if content.short_answer.pattern is not None and not content.short_answer.pattern.strip():
            reasons.append("a blank pattern reads back as no pattern")
    for what, values in lists:
        if any(v != v.strip() for v in values):
            reasons.append(f"a {what} with leading or trailing spaces (CSV import trims them)")
    if any(not t.strip() for t in content.tags):
        reasons.append("a blank tag (CSV import skips them)")
    return reasons


def export_csv(contents: list[QuestionContent]) -> bytes:
    """The template's header and one row per question, UTF-8 with a BOM so that Excel reads it
    as UTF-8; raises ``NotExportable`` naming every question that does not fit."""
    reasons = {i: r for i, c in enumerate(contents) if (r := csv_unmappable(c))}
    if reasons:
        raise NotExportable(reasons)
    return _write([_row_of(c) for c in contents])


def template_csv() -> bytes:
    """The header and one example row per type the template carries."""
    return _write([_row_of(c) for c in TEMPLATE_EXAMPLES])


def _write(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _row_of(c: QuestionContent) -> dict[str, str]:
    row = {"type": c.question_type, "stem": c.stem, "difficulty": c.difficulty,
           "tags": join_list(c.tags), "topic": c.topic,
           "estimated_minutes": str(c.estimated_minutes)}
    if c.choice is not None:
        row.update(_choice_cells(c))
    elif c.true_false is not None:
        row["correct"] = "true" if c.true_false.correct else "false"
    elif c.short_answer is not None:
        row.update(_short_answer_cells(c.short_answer))
    elif c.long_answer is not None:
        row["model_answer"] = c.long_answer.model_answer
        row["max_words"] = "" if c.long_answer.max_words is None else str(c.long_answer.max_words)
    return row


def _choice_cells(c: QuestionContent) -> dict[str, str]:
    options = c.choice.options
    ids = [o.option_id for o in options]
    return {
        "options": join_list(o.text for o in options),
        "option_ids": "" if ids == default_option_ids(len(ids)) else join_list(ids),
        "option_feedback": join_list(o.feedback for o in options)
        if any(o.feedback for o in options) else "",
        "correct": "|".join(_letter(i) for i, o in enumerate(options) if o.correct),
        "scoring": c.choice.scoring,
        "wrong_pick_penalty": repr(c.choice.wrong_pick_penalty),
    }


def _short_answer_cells(s: ShortAnswerSpec) -> dict[str, str]:
    def flags(values: list[bool], default: bool) -> str:
        if all(v == default for v in values):
            return ""
        if len(set(values)) == 1:
            return "true" if values[0] else "false"
        return "|".join("true" if v else "false" for v in values)

    return {
        "accepted_answers": join_list(a.text for a in s.accepted),
        "case_sensitive": flags([a.case_sensitive for a in s.accepted], False),
        "normalize_whitespace": flags([a.normalize_whitespace for a in s.accepted], True),
        "pattern": s.pattern or "",
        "numeric_value": "" if s.numeric is None else repr(s.numeric.value),
        "numeric_tolerance": "" if s.numeric is None else repr(s.numeric.tolerance),
    }


TEMPLATE_EXAMPLES = [
    QuestionContent(
        question_type="single_choice", stem="Which planet is closest to the Sun?",
        difficulty="easy", tags=["astronomy", "planets"], topic="Solar system",
        estimated_minutes=1, choice=ChoiceSpec(options=[
            ChoiceOption(option_id="a", text="Venus"),
            ChoiceOption(option_id="b", text="Mercury", correct=True,
                         feedback="Mercury orbits at 0.39 AU"),
            ChoiceOption(option_id="c", text="Mars")])),
    QuestionContent(
        question_type="multiple_choice", stem="Which of these numbers are prime?",
        tags=["numbers"], topic="Arithmetic", choice=ChoiceSpec(
            options=[ChoiceOption(option_id=i, text=t, correct=ok)
                     for i, t, ok in (("a", "2", True), ("b", "9", False), ("c", "11", True),
                                      ("d", "15", False))],
            scoring=ChoiceScoring.PER_OPTION.value, wrong_pick_penalty=0.5)),
    QuestionContent(question_type="true_false", stem="Water boils at 100 °C at sea level.",
                    topic="Physics", true_false=TrueFalseSpec(correct=True)),
    QuestionContent(question_type="short_answer", stem="What is the capital of France?",
                    topic="Geography", short_answer=ShortAnswerSpec(
                        accepted=[AcceptedAnswer(text="Paris")])),
    QuestionContent(question_type="short_answer", stem="Give pi to two decimal places.",
                    difficulty="medium", topic="Arithmetic", short_answer=ShortAnswerSpec(
                        numeric=NumericAnswer(value=3.14, tolerance=0.005))),
    QuestionContent(question_type="long_answer",
                    stem="Explain why the sky is blue.\nUse the word 'scattering'.",
                    difficulty="hard", topic="Physics", estimated_minutes=15,
                    long_answer=LongAnswerSpec(
                        model_answer="Rayleigh scattering: shorter wavelengths scatter more.",
                        max_words=300)),
]
