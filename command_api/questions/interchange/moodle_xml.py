"""Moodle XML import (``<quiz><question type="...">``, the format of Moodle's question bank
export).

- multichoice: ``single`` true -> single_choice (the 100 % answer is correct), false ->
  multiple_choice scored per option (the answers with a positive fraction are correct; the
  largest negative fraction, relative to a right answer's, becomes the wrong-pick penalty).
  multichoiceset (Moodle's all-or-nothing plugin) -> multiple_choice, all_or_nothing.
- truefalse -> true_false; shortanswer -> short_answer (``usecase`` is case sensitivity;
  answers with ``*`` wildcards become one regular expression); numerical -> a numeric short
  answer with its tolerance; essay -> long_answer (``graderinfo`` becomes the model answer,
  ``maxwordlimit`` the word limit).
- The category path becomes the topic (``$course$/top/Physics/Optics`` -> ``Physics /
  Optics``); Moodle tags become tags.
- HTML is converted to plain text: paragraphs and list items on their own lines (items start
  with "- "), entities decoded, every other tag dropped; images are reported, not imported.

What does not map (other question types, partial credit, answer feedback outside choices,
hints, general feedback, units, attachments...) is reported per question, by its name.
Points (``defaultgrade``) and ``penalty`` are not part of a bank question: SOEMS sets points
per exam, and an exam attempt has one try.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable
from xml.etree.ElementTree import Element

from command_api.questions.content import problems
from command_api.questions.interchange.csv_format import default_option_ids
from command_api.questions.interchange.safe_input import UnsafeInput, parse_xml
from schemas.events.question import (AcceptedAnswer, ChoiceOption, ChoiceScoring, ChoiceSpec,
                                     LongAnswerSpec, NumericAnswer, QuestionContent, QuestionType,
                                     ShortAnswerSpec, TrueFalseSpec)

KNOWN_UNMAPPABLE = {
    "matching": "matching", "multianswer": "embedded answers (cloze)",
    "ddwtos": "drag and drop into text", "gapselect": "select missing words",
    "calculated": "calculated", "calculatedsimple": "simple calculated",
    "calculatedmulti": "calculated multichoice", "randomsamatch": "random short-answer matching",
    "ddimageortext": "drag and drop onto image", "ddmarker": "drag and drop markers",
    "ordering": "ordering", "random": "random question",
}


@dataclass(frozen=True)
class MoodleQuestion:
    name: str  # the question's name in Moodle, as the teacher knows it
    moodle_type: str
    content: QuestionContent | None  # None when nothing could be imported
    not_mapped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MoodleImport:
    file_errors: list[str]
    questions: list[MoodleQuestion]

    @property
    def valid(self) -> list[QuestionContent]:
        return [q.content for q in self.questions if q.content is not None]


def import_moodle_xml(data: bytes) -> MoodleImport:
    """Every ``<question>`` of a Moodle XML file as question content, or why it is not."""
    try:
        quiz = parse_xml(data)
    except UnsafeInput as refused:
        return MoodleImport([str(refused)], [])
    if quiz.tag != "quiz":
        return MoodleImport([f"the root element is <{quiz.tag}>, not <quiz>: not a Moodle XML "
                             f"question file"], [])
    questions: list[MoodleQuestion] = []
    topic = ""
    for number, element in enumerate(quiz.iter("question"), start=1):
        kind = element.get("type", "")
        if kind == "category":
            topic = _topic(_text(element, "category/text"))
            continue
        questions.append(_question(element, kind, topic, number))
    return MoodleImport([], questions)


def _topic(path: str) -> str:
    """``$course$/top/Default for Physics/Optics`` -> ``Optics``; Moodle's context and default
    categories name no topic."""
    parts = [p.strip() for p in path.split("/")]
    kept = [p for p in parts if p and not (p.startswith("$") and p.endswith("$"))
            and p != "top" and not p.lower().startswith("default for ")]
    return " / ".join(kept)


def _question(element: Element, kind: str, topic: str, number: int) -> MoodleQuestion:
    name = _text(element, "name/text").strip() or f"question {number}"
    reader = _READERS.get(kind)
    if reader is None:
        what = KNOWN_UNMAPPABLE.get(kind, kind or "without a type")
        reason = ("a description is text between questions, not a question" if kind ==
                  "description" else f"Moodle's '{what}' questions have no SOEMS question type")
        return MoodleQuestion(name, kind, None, [f"not imported: {reason}"])
    lost: list[str] = []
    stem = _formatted(element.find("questiontext"), "the question text", lost)
    _report_extras(element, lost)
    section = reader(element, lost)
    content = QuestionContent(stem=stem, topic=topic, tags=_tags(element), **section)
    found = problems(content)
    if found:
        return MoodleQuestion(name, kind, None, [*lost, *(f"{p.field}: {p.message}"
                                                          for p in found)])
    return MoodleQuestion(name, kind, content, lost)


def _text(element: Element | None, path: str) -> str:
    found = None if element is None else element.find(path)
    return "" if found is None or found.text is None else found.text


def _formatted(element: Element | None, what: str, lost: list[str]) -> str:
    """A Moodle text field (``<x format="html"><text>...</text></x>``) as plain text."""
    if element is None:
        return ""
    raw = _text(element, "text")
    if element.get("format", "html") in ("plain_text", "markdown"):
        return raw.strip()
    text, media = html_to_text(raw)
    for source in media:
        lost.append(f"{what}: the image '{source}' is not imported: upload it in the editor")
    return text


def _tags(element: Element) -> list[str]:
    tags: list[str] = []
    for tag in element.findall("tags/tag"):
        text = _text(tag, "text").strip()
        if text and text.lower() not in {t.lower() for t in tags}:
            tags.append(text)
    return tags


def _report_extras(element: Element, lost: list[str]) -> None:
    if _formatted(element.find("generalfeedback"), "general feedback", []):
        lost.append("the general feedback is not imported")
    if element.findall("hint"):
        lost.append(f"{len(element.findall('hint'))} hint(s) are not imported")
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        if _formatted(element.find(tag), tag, []):
            lost.append(f"the {tag.replace('feedback', '')} feedback is not imported")


def _answers(element: Element, lost: list[str]) -> list[tuple[float, str, str]]:
    """(fraction in percent, text, feedback) of every answer."""
    found = []
    for answer in element.findall("answer"):
        try:
            fraction = float(answer.get("fraction", "0"))
        except ValueError:
            lost.append(f"an answer's fraction '{answer.get('fraction')}' is not a number")
            fraction = 0.0
        text = _formatted(answer, "an answer", lost)
        found.append((fraction, text, _formatted(answer.find("feedback"), "feedback", lost)))
    return found


def _read_multichoice(element: Element, lost: list[str]) -> dict:
    answers = _answers(element, lost)
    single = _text(element, "single").strip().lower() in ("true", "1")
    if single:
        for fraction, text, _ in answers:
            if 0 < fraction < 99.99:
                lost.append(f"'{text}' earned {fraction:g} %: partial credit is not imported "
                            f"(a single-choice question has one correct option)")
        return _choice(answers, QuestionType.SINGLE_CHOICE, lambda f: f >= 99.99,
                       ChoiceScoring.ALL_OR_NOTHING, 0.0)
    right = [f for f, _, _ in answers if f > 0]
    wrong = [f for f, _, _ in answers if f <= 0]
    # Moodle writes fractions with 5 decimals (33.33333): compare at 0.01 %, divide unrounded
    if len({round(f, 2) for f in right}) > 1:
        lost.append("right answers with unequal fractions: each now earns an equal share")
    share = sum(right) / len(right) if right else 100.0
    penalty = round(max([0.0, *(-f for f in wrong)]) / share, 4)
    if len({round(f, 2) for f in wrong}) > 1:
        lost.append("wrong answers with unequal penalties: each now costs the largest")
    if penalty > 1:
        lost.append(f"a wrong pick cost {penalty:g} right picks; SOEMS caps it at 1")
    return _choice(answers, QuestionType.MULTIPLE_CHOICE, lambda f: f > 0,
                   ChoiceScoring.PER_OPTION, min(penalty, 1.0))


def _read_multichoiceset(element: Element, lost: list[str]) -> dict:
    return _choice(_answers(element, lost), QuestionType.MULTIPLE_CHOICE, lambda f: f > 0,
                   ChoiceScoring.ALL_OR_NOTHING, 0.0)


def _choice(answers: list[tuple[float, str, str]], qtype: QuestionType,
            is_correct: Callable[[float], bool], scoring: ChoiceScoring,
            penalty: float) -> dict:
    ids = default_option_ids(len(answers))
    options = [ChoiceOption(option_id=i, text=text, correct=is_correct(fraction),
                            feedback=feedback)
               for i, (fraction, text, feedback) in zip(ids, answers)]
    return {"question_type": qtype.value,
            "choice": ChoiceSpec(options=options, scoring=scoring.value,
                                 wrong_pick_penalty=penalty)}


def _read_truefalse(element: Element, lost: list[str]) -> dict:
    answers = _answers(element, lost)
    correct = next((text.strip().lower() for fraction, text, _ in answers if fraction >= 99.99),
                   "")
    if correct not in ("true", "false"):
        lost.append("no answer 'true' or 'false' earns 100 %: the question cannot be read")
    if any(feedback for _, _, feedback in answers):
        lost.append("feedback on the true and false answers is not imported")
    return {"question_type": QuestionType.TRUE_FALSE.value,
            "true_false": None if correct not in ("true", "false")
            else TrueFalseSpec(correct=correct == "true")}


def _read_shortanswer(element: Element, lost: list[str]) -> dict:
    case_sensitive = _text(element, "usecase").strip() == "1"
    accepted, wildcards = [], []
    for fraction, text, feedback in _answers(element, lost):
        if fraction < 99.99:
            lost.append(f"the answer '{text}' at {fraction:g} % is not imported (only fully "
                        f"correct answers are)")
            continue
        if feedback:
            lost.append(f"feedback on the answer '{text}' is not imported")
        if re.search(r"(?<!\\)\*", text):
            wildcards.append(text)
        else:
            accepted.append(AcceptedAnswer(text=text.replace("\\*", "*"),
                                           case_sensitive=case_sensitive))
    return {"question_type": QuestionType.SHORT_ANSWER.value,
            "short_answer": ShortAnswerSpec(accepted=accepted,
                                            pattern=_wildcard_pattern(wildcards,
                                                                      case_sensitive))}


def _wildcard_pattern(answers: list[str], case_sensitive: bool) -> str | None:
    """Moodle's ``*`` matches any run of characters (``\\*`` is a star)."""
    if not answers:
        return None
    alternatives = ["".join(".*" if part == "*" else re.escape(part.replace("\\*", "*"))
                            for part in re.split(r"((?<!\\)\*)", answer.strip()))
                    for answer in answers]
    flags = "" if case_sensitive else "(?i)"
    return f"{flags}(?:{'|'.join(alternatives)})"


def _read_numerical(element: Element, lost: list[str]) -> dict:
    numeric = None
    for answer in element.findall("answer"):
        fraction, raw = answer.get("fraction", "0"), _text(answer, "text").strip()
        if numeric is not None or raw == "*" or _number(fraction) is None \
                or _number(fraction) < 99.99:
            lost.append(f"the answer '{raw}' at {fraction} % is not imported (one fully "
                        f"correct number is)")
            continue
        value = _number(raw)
        if value is None:
            lost.append(f"the answer '{raw}' is not a number")
            continue
        numeric = NumericAnswer(value=value,
                                tolerance=abs(_number(_text(answer, "tolerance")) or 0.0))
    if element.findall("units/unit"):
        lost.append("units are not imported: students answer with the number alone")
    return {"question_type": QuestionType.SHORT_ANSWER.value,
            "short_answer": ShortAnswerSpec(numeric=numeric)}


def _number(raw: str) -> float | None:
    try:
        return float(raw.strip())
    except ValueError:
        return None


def _read_essay(element: Element, lost: list[str]) -> dict:
    words = _text(element, "maxwordlimit").strip()
    if _text(element, "minwordlimit").strip() not in ("", "0"):
        lost.append("the minimum word limit is not imported")
    if _text(element, "attachments").strip() not in ("", "0"):
        lost.append("file attachments are not imported: answers are typed")
    if _formatted(element.find("responsetemplate"), "the response template", []):
        lost.append("the response template is not imported")
    return {"question_type": QuestionType.LONG_ANSWER.value,
            "long_answer": LongAnswerSpec(
                model_answer=_formatted(element.find("graderinfo"), "the grader information",
                                        lost),
                max_words=int(words) if words.isdigit() and int(words) > 0 else None)}


_READERS: dict[str, Callable[[Element, list[str]], dict]] = {
    "multichoice": _read_multichoice, "multichoiceset": _read_multichoiceset,
    "truefalse": _read_truefalse, "shortanswer": _read_shortanswer,
    "numerical": _read_numerical, "essay": _read_essay,
}


# --- HTML to plain text ------------------------------------------------------------------

class _PlainText(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "ul", "ol",
              "table", "tr", "section", "article", "figure", "hr", "dl", "dt", "dd"}
    HIDDEN = {"script", "style", "head", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[list[str]] = [[]]
        self.media: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag == "br":
            self.paragraphs[-1].append("\n")
        elif tag == "li":
            self.paragraphs.append(["- "])
        elif tag in self.BLOCKS:
            self.paragraphs.append([])
        elif tag in ("img", "audio", "video", "source", "object", "embed"):
            source = dict(attrs).get("src") or dict(attrs).get("data")
            if source:
                self.media.append(source)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS or tag == "li":
            self.paragraphs.append([])

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.paragraphs[-1].append(re.sub(r"[ \t\n\r\f]+", " ", data))

    def text(self) -> str:
        blocks = ("\n".join(re.sub(r" {2,}", " ", line.strip())
                             for line in "".join(p).split("\n")).strip()
                  for p in self.paragraphs)
        out: list[str] = []
        for block in (b for b in blocks if b and b != "-"):
            # list items sit on consecutive lines; other blocks are apart by a blank line
            if out and not (block.startswith("- ") and out[-1].startswith("- ")):
                out.append("")
            out.append(block)
        return "\n".join(out)


def html_to_text(html: str) -> tuple[str, list[str]]:
    """(plain text, sources of the images and other media it referred to)."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return parser.text(), parser.media
