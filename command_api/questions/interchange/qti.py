"""IMS QTI content packages: export as QTI 2.1 or 3.0, import QTI 2.1 and 3.0.

A package is a zip with ``imsmanifest.xml`` and one ``assessmentItem`` file per question.
A 3.0 package carries the same items: they are written in 2.1's names and renamed by
``_as_qti30`` (``<choiceInteraction responseIdentifier=...>`` becomes
``<qti-choice-interaction response-identifier=...>``), the inverse of ``_normalized``, which
reads 3.0 as 2.1. Mapping (SOEMS -> QTI, in 2.1's names):

- single / multiple choice: ``choiceInteraction`` with the correct options in
  ``correctResponse``; per-option scoring as a ``mapping`` (a right pick +1/k, a wrong one
  -penalty/k for k correct options, bounded by 0 and 1), all-or-nothing as ``match_correct``;
  option feedback as ``feedbackInline`` shown for the picked option.
- true/false: a two-option choice whose identifiers are ``true`` and ``false``.
- short answer: ``textEntryInteraction``; accepted answers as a string ``mapping`` (with
  ``caseSensitive``), a number as a float response scored by ``equal`` with an absolute
  tolerance. A regular expression has no QTI equivalent: reported, never written.
- long answer: ``extendedTextInteraction``; the model answer, the word limit and the rubric go
  into a ``rubricBlock`` that only scorers see, in a structure this module reads back.
- coding: QTI has no interaction that runs tests: reported, not exported.
- difficulty, tags, topic and estimated time: LOM metadata of the item's manifest resource.

Our own text (stems, options, feedback) is written in elements of class ``soems-text`` and read
back verbatim; text from other systems is read as HTML is shown (whitespace collapsed,
paragraphs as blank lines, ``<br/>`` as a line break).
"""
from __future__ import annotations

import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Callable, Literal
from xml.etree.ElementTree import Element, SubElement, tostring

from command_api.questions.content import problems
from command_api.questions.interchange.safe_input import UnsafeInput, parse_xml, read_zip
from schemas.events.question import (AcceptedAnswer, ChoiceOption, ChoiceScoring, ChoiceSpec,
                                     LongAnswerSpec, NumericAnswer, QuestionContent, QuestionType,
                                     RubricCriterion, RubricLevel, ShortAnswerSpec, TrueFalseSpec)

QTI21_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
QTI21_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
QTI30_NS = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI30_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqti_asiv3p0_v1p0.xsd"
CP30_NS = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
CP30_XSD = "https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd"
LOM_XSD = "https://purl.imsglobal.org/spec/md/v1p3/schema/xsd/imsmd_loose_v1p3p2.xsd"
TEMPLATES30 = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/"
ITEM_TYPES = ("imsqti_item_xmlv2p1", "imsqti_item_xmlv2p2", "imsqti_item_xmlv3p0")
RESPONSE = "RESPONSE"
OWN_TEXT = "soems-text"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*\Z")
_LOM_DIFFICULTY = {"easy": "easy", "medium": "medium", "hard": "difficult"}
_FROM_LOM = {"very easy": "easy", "easy": "easy", "medium": "medium", "difficult": "hard",
             "very difficult": "hard"}


@dataclass(frozen=True)
class ItemImport:
    """One item of a package: its content, or None when it could not be mapped; ``not_mapped``
    says what was lost or why nothing could be taken."""

    identifier: str
    content: QuestionContent | None
    not_mapped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QtiImport:
    package_errors: list[str]  # the package is refused as a whole (unsafe, no manifest...)
    items: list[ItemImport]
    notes: list[str] = field(default_factory=list)  # package parts that are not questions

    @property
    def valid(self) -> list[QuestionContent]:
        return [i.content for i in self.items if i.content is not None]


@dataclass(frozen=True)
class ItemExport:
    identifier: str
    exported: bool
    not_mapped: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QtiExport:
    package: bytes  # the zip
    items: list[ItemExport]  # one per question given, in order, exported or not


# --- export ------------------------------------------------------------------------------

QtiVersion = Literal["2.1", "3.0"]
VERSIONS: tuple[QtiVersion, ...] = ("2.1", "3.0")


def export_qti(questions: list[tuple[str, QuestionContent]],
               version: QtiVersion = "2.1") -> QtiExport:
    """A QTI 2.1 or 3.0 content package of every question that maps, and a report for each
    (the same in both versions: 3.0 renames 2.1's elements, it does not carry more)."""
    if version not in VERSIONS:
        raise ValueError(f"QTI version {version!r} is not one of {', '.join(VERSIONS)}")
    qti30 = version == "3.0"
    kind = ITEM_TYPES[2] if qti30 else ITEM_TYPES[0]
    files: dict[str, bytes] = {}
    resources: list[Element] = []
    reports: list[ItemExport] = []
    used: set[str] = set()
    for number, (question_id, content) in enumerate(questions, start=1):
        identifier = _item_identifier(question_id, number, used)
        lost: list[str] = []
        item = _item(identifier, content, lost)
        reports.append(ItemExport(identifier, item is not None, lost))
        if item is not None:
            href = f"items/{identifier}.xml"
            files[href] = _xml(_as_qti30(item) if qti30 else item)
            resources.append(_resource(identifier, href, content, kind))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", _xml(_manifest(resources, qti30)))
        for name, body in files.items():
            archive.writestr(name, body)
    return QtiExport(package.getvalue(), reports)


def _item_identifier(question_id: str, number: int, used: set[str]) -> str:
    identifier = question_id if _IDENTIFIER.match(question_id) else f"item-{number}"
    while identifier in used:
        identifier = f"{identifier}-{number}"
    used.add(identifier)
    return identifier


def _xml(root: Element) -> bytes:
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _el(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    child = SubElement(parent, tag, attrs)
    child.text = text
    return child


def _item(identifier: str, c: QuestionContent, lost: list[str]) -> Element | None:
    if c.question_type == QuestionType.CODING:
        lost.append("coding questions cannot be exported: QTI has no interaction that runs "
                    "tests on code")
        return None
    if c.media_ids:
        lost.append(f"{len(c.media_ids)} media file(s) are not exported")
    title = c.stem.strip().split("\n", 1)[0][:80] or identifier
    root = Element("assessmentItem", {
        "xmlns": QTI21_NS, "xmlns:xsi": XSI_NS,
        "xsi:schemaLocation": f"{QTI21_NS} {QTI21_XSD}", "identifier": identifier,
        "title": title, "adaptive": "false", "timeDependent": "false"})
    return root if _WRITERS[c.question_type](root, c, lost) else None


def _score(root: Element) -> None:
    outcome = _el(root, "outcomeDeclaration", identifier="SCORE", cardinality="single",
                  baseType="float")
    _el(_el(outcome, "defaultValue"), "value", "0")


def _write_text(parent: Element, text: str, tag: str = "div", **attrs: str) -> Element:
    """Paragraphs as <p>, line breaks as <br/>, the text itself verbatim."""
    block = _el(parent, tag, **{"class": OWN_TEXT, **attrs})
    for paragraph in text.split("\n\n"):
        _write_lines(_el(block, "p"), paragraph)
    return block


def _write_lines(element: Element, text: str) -> None:
    first, *more = text.split("\n")
    element.text = first
    for line in more:
        _el(element, "br").tail = line


def _write_choice(root: Element, c: QuestionContent, lost: list[str]) -> bool:
    spec = c.choice
    ids = [o.option_id for o in spec.options]
    if not all(_IDENTIFIER.match(i) for i in ids) or len(set(ids)) != len(ids):
        ids = [f"choice-{n}" for n in range(1, len(ids) + 1)]
        lost.append("option ids are not QTI identifiers: renamed choice-1, choice-2, ...")
    multiple = c.question_type == QuestionType.MULTIPLE_CHOICE
    per_option = multiple and spec.scoring == ChoiceScoring.PER_OPTION
    declaration = _el(root, "responseDeclaration", identifier=RESPONSE,
                      cardinality="multiple" if multiple else "single", baseType="identifier")
    correct = _el(declaration, "correctResponse")
    for option_id, option in zip(ids, spec.options):
        if option.correct:
            _el(correct, "value", option_id)
    if per_option:
        _write_mapping(declaration, spec, ids)
    elif spec.wrong_pick_penalty:
        lost.append("the wrong-pick penalty is not exported: it applies to per-option "
                    "scoring only")
    _score(root)
    with_feedback = any(o.feedback for o in spec.options)
    if with_feedback:
        _el(root, "outcomeDeclaration", identifier="FEEDBACK",
            cardinality="multiple" if multiple else "single", baseType="identifier")
    body = _el(root, "itemBody")
    _write_text(body, c.stem)
    interaction = _el(body, "choiceInteraction", responseIdentifier=RESPONSE, shuffle="false",
                      maxChoices="0" if multiple else "1")
    for option_id, option in zip(ids, spec.options):
        choice = _el(interaction, "simpleChoice", identifier=option_id, **{"class": OWN_TEXT})
        _write_lines(choice, option.text)
        if option.feedback:
            feedback = _el(choice, "feedbackInline", outcomeIdentifier="FEEDBACK",
                           identifier=option_id, showHide="show", **{"class": OWN_TEXT})
            _write_lines(feedback, option.feedback)
    _write_choice_processing(root, per_option, with_feedback)
    return True


def _write_mapping(declaration: Element, spec: ChoiceSpec, ids: list[str]) -> None:
    share = 1 / max(1, sum(o.correct for o in spec.options))
    mapping = _el(declaration, "mapping", lowerBound="0", upperBound="1", defaultValue="0")
    for option_id, option in zip(ids, spec.options):
        value = share if option.correct else -spec.wrong_pick_penalty * share
        _el(mapping, "mapEntry", mapKey=option_id, mappedValue=repr(value))


def _write_choice_processing(root: Element, per_option: bool, with_feedback: bool) -> None:
    if not with_feedback:  # the standard templates, which every QTI player knows
        template = "map_response" if per_option else "match_correct"
        _el(root, "responseProcessing", template=TEMPLATES + template)
        return
    processing = _el(root, "responseProcessing")
    if per_option:
        _el(_el(processing, "setOutcomeValue", identifier="SCORE"), "mapResponse",
            identifier=RESPONSE)
    else:
        branch = _el(_el(processing, "responseCondition"), "responseIf")
        match = _el(branch, "match")
        _el(match, "variable", identifier=RESPONSE)
        _el(match, "correct", identifier=RESPONSE)
        _el(_el(branch, "setOutcomeValue", identifier="SCORE"), "baseValue", "1",
            baseType="float")
    _el(_el(processing, "setOutcomeValue", identifier="FEEDBACK"), "variable",
        identifier=RESPONSE)


def _write_true_false(root: Element, c: QuestionContent, lost: list[str]) -> bool:
    declaration = _el(root, "responseDeclaration", identifier=RESPONSE, cardinality="single",
                      baseType="identifier")
    _el(_el(declaration, "correctResponse"), "value",
        "true" if c.true_false.correct else "false")
    _score(root)
    body = _el(root, "itemBody")
    _write_text(body, c.stem)
    interaction = _el(body, "choiceInteraction", responseIdentifier=RESPONSE, shuffle="false",
                      maxChoices="1")
    _el(interaction, "simpleChoice", "True", identifier="true")
    _el(interaction, "simpleChoice", "False", identifier="false")
    _el(root, "responseProcessing", template=TEMPLATES + "match_correct")
    return True


def _write_short_answer(root: Element, c: QuestionContent, lost: list[str]) -> bool:
    spec = c.short_answer
    if spec.pattern is not None:
        lost.append("the regular-expression answer is not exported: QTI has no pattern "
                    "matching for responses")
    if spec.accepted:
        if spec.numeric is not None:
            lost.append("the numeric answer is not exported: a QTI response is text or a "
                        "number, and this one carries the accepted texts")
        _write_accepted(root, c, lost)
    elif spec.numeric is not None:
        _write_numeric(root, c)
    else:
        lost.append("nothing left to score once the pattern is left out: not exported")
        return False
    return True


def _write_accepted(root: Element, c: QuestionContent, lost: list[str]) -> None:
    accepted = c.short_answer.accepted
    if not all(a.normalize_whitespace for a in accepted):
        lost.append("exact whitespace comparison is not exported (QTI compares text as typed; "
                    "SOEMS reads it back with whitespace normalized)")
    declaration = _el(root, "responseDeclaration", identifier=RESPONSE, cardinality="single",
                      baseType="string")
    _el(_el(declaration, "correctResponse"), "value", accepted[0].text)
    mapping = _el(declaration, "mapping", defaultValue="0", upperBound="1")
    seen: set[str] = set()
    for answer in accepted:
        if answer.text in seen:  # QTI keys a mapping by the text alone
            lost.append(f"the answer '{answer.text}' twice: its second entry is not exported")
            continue
        seen.add(answer.text)
        _el(mapping, "mapEntry", mapKey=answer.text, mappedValue="1",
            caseSensitive="true" if answer.case_sensitive else "false")
    _score(root)
    _text_entry_body(root, c)
    _el(root, "responseProcessing", template=TEMPLATES + "map_response")


def _write_numeric(root: Element, c: QuestionContent) -> None:
    numeric = c.short_answer.numeric
    declaration = _el(root, "responseDeclaration", identifier=RESPONSE, cardinality="single",
                      baseType="float")
    _el(_el(declaration, "correctResponse"), "value", repr(numeric.value))
    _score(root)
    _text_entry_body(root, c)
    branch = _el(_el(_el(root, "responseProcessing"), "responseCondition"), "responseIf")
    mode = {"toleranceMode": "absolute", "tolerance": repr(numeric.tolerance)} \
        if numeric.tolerance else {"toleranceMode": "exact"}
    equal = _el(branch, "equal", **mode)
    _el(equal, "variable", identifier=RESPONSE)
    _el(equal, "correct", identifier=RESPONSE)
    _el(_el(branch, "setOutcomeValue", identifier="SCORE"), "baseValue", "1", baseType="float")


def _text_entry_body(root: Element, c: QuestionContent) -> None:
    body = _el(root, "itemBody")
    _write_text(body, c.stem)
    _el(_el(body, "p"), "textEntryInteraction", responseIdentifier=RESPONSE,
        expectedLength="20")


def _write_long_answer(root: Element, c: QuestionContent, lost: list[str]) -> bool:
    spec = c.long_answer
    _el(root, "responseDeclaration", identifier=RESPONSE, cardinality="single",
        baseType="string")
    _score(root)
    body = _el(root, "itemBody")
    _write_text(body, c.stem)
    _el(body, "extendedTextInteraction", responseIdentifier=RESPONSE)
    if spec.model_answer or spec.rubric or spec.max_words is not None:
        _write_scorer_rubric(_el(body, "rubricBlock", view="scorer"), spec)
    return True


def _write_scorer_rubric(block: Element, spec: LongAnswerSpec) -> None:
    if spec.model_answer:
        _el(block, "p", "Model answer:")
        _write_text(block, spec.model_answer, **{"class": f"{OWN_TEXT} soems-model-answer"})
    if spec.max_words is not None:
        _el(block, "p", f"Word limit: {spec.max_words}", **{"class": "soems-max-words"})
    for criterion in spec.rubric:
        part = _el(block, "div", **{"class": "soems-criterion"})
        _el(part, "p", criterion.title, **{"class": "soems-criterion-title"})
        _el(part, "p", criterion.criterion_id, **{"class": "soems-criterion-id"})
        levels = _el(part, "ul")
        for level in criterion.levels:
            entry = _el(levels, "li", **{"class": "soems-level"})
            _el(entry, "span", level.label, **{"class": "soems-level-label"})
            _el(entry, "span", repr(level.points), **{"class": "soems-level-points"})
            _el(entry, "span", level.description, **{"class": "soems-level-description"})


_WRITERS: dict[str, Callable[[Element, QuestionContent, list[str]], bool]] = {
    QuestionType.SINGLE_CHOICE: _write_choice, QuestionType.MULTIPLE_CHOICE: _write_choice,
    QuestionType.TRUE_FALSE: _write_true_false, QuestionType.SHORT_ANSWER: _write_short_answer,
    QuestionType.LONG_ANSWER: _write_long_answer,
}


def _resource(identifier: str, href: str, c: QuestionContent, kind: str) -> Element:
    resource = Element("resource", identifier=f"RES-{identifier}", type=kind, href=href)
    lom = _el(_el(resource, "metadata"), "lom", xmlns=LOM_NS)
    general = _el(lom, "general")
    for tag in c.tags:
        _el(_el(general, "keyword"), "string", tag)
    educational = _el(lom, "educational")
    difficulty = _el(educational, "difficulty")
    _el(difficulty, "source", "LOMv1.0")
    _el(difficulty, "value", _LOM_DIFFICULTY.get(c.difficulty, c.difficulty))
    _el(_el(educational, "typicalLearningTime"), "duration", f"PT{c.estimated_minutes}M")
    if c.topic:
        classification = _el(lom, "classification")
        purpose = _el(classification, "purpose")
        _el(purpose, "source", "LOMv1.0")
        _el(purpose, "value", "discipline")
        path = _el(classification, "taxonPath")
        _el(_el(path, "source"), "string", "topic")
        _el(_el(_el(path, "taxon"), "entry"), "string", c.topic)
    _el(resource, "file", href=href)
    return resource


def _manifest(resources: list[Element], qti30: bool = False) -> Element:
    """The package's manifest: in IMS CP 1.1's namespace for 2.1, in QTI 3.0's content
    packaging namespace, with its schemas, for 3.0."""
    namespaces = {"xmlns": CP_NS} if not qti30 else {
        "xmlns": CP30_NS, "xmlns:xsi": XSI_NS,
        "xsi:schemaLocation": f"{CP30_NS} {CP30_XSD} {LOM_NS} {LOM_XSD}"}
    manifest = Element("manifest", {**namespaces, "identifier": "MANIFEST-soems-questions"})
    metadata = _el(manifest, "metadata")
    _el(metadata, "schema", "QTI Package" if qti30 else "QTIv2.1 Package")
    _el(metadata, "schemaversion", "3.0.0" if qti30 else "1.0.0")
    _el(manifest, "organizations")
    _el(manifest, "resources").extend(resources)
    return manifest


# --- QTI 3.0: 2.1's item renamed ---------------------------------------------------------

# The (X)HTML this module writes into an item body; every other element is QTI's.
_XHTML = frozenset({"div", "p", "br", "span", "ul", "ol", "li", "em", "strong", "b", "i",
                    "sub", "sup", "code", "pre", "blockquote", "h1", "h2", "h3", "h4", "h5",
                    "h6", "table", "thead", "tbody", "tr", "th", "td", "img", "a"})
# 3.0 wraps a block's content in <qti-content-body>.
_WITH_CONTENT_BODY = frozenset({"rubricBlock", "feedbackBlock", "modalFeedback"})


def _as_qti30(item: Element) -> Element:
    """The 2.1 item this module wrote, in QTI 3.0's names: ``<choiceInteraction
    responseIdentifier=...>`` becomes ``<qti-choice-interaction response-identifier=...>``,
    HTML stays as it is, the namespace, schema and response templates are 3.0's.
    The inverse of ``_normalized`` (which reads 3.0 as 2.1); changes ``item`` in place."""
    for element in list(item.iter()):
        if element.tag in _XHTML:
            continue
        if element.tag in _WITH_CONTENT_BODY:
            body = Element("qti-content-body")
            body.text, element.text = element.text, None
            body.extend(list(element))
            for child in list(element):
                element.remove(child)
            element.append(body)
            if element.tag == "rubricBlock":
                element.set("use", "scoring" if element.get("view") == "scorer"
                            else "instructions")
        if not element.tag.startswith("qti-"):
            element.tag = "qti-" + _kebab(element.tag)
        element.attrib = {key if ":" in key or key == "xmlns" else _kebab(key): value
                          for key, value in element.attrib.items()}
        template = element.get("template", "")
        if template.startswith(TEMPLATES):
            element.set("template", TEMPLATES30 + template[len(TEMPLATES):] + ".xml")
    item.set("xmlns", QTI30_NS)
    item.set("xsi:schemaLocation", f"{QTI30_NS} {QTI30_XSD}")
    return item


def _kebab(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", camel).lower()


# --- reading XML of either version -------------------------------------------------------

def _normalized(root: Element) -> Element:
    """QTI 3.0 spells ``<qti-choice-interaction response-identifier=...>`` what 2.1 spells
    ``<choiceInteraction responseIdentifier=...>``: rename to 2.1's names, namespaces off."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = element.tag.rsplit("}", 1)[-1]
        element.tag = _camel(name[4:]) if name.startswith("qti-") else name
        if any("-" in key or "}" in key for key in element.attrib):
            element.attrib = {_camel(key.rsplit("}", 1)[-1]): value
                              for key, value in element.attrib.items()}
    return root


def _camel(kebab: str) -> str:
    first, *rest = kebab.split("-")
    return first + "".join(word[:1].upper() + word[1:] for word in rest)


def _classes(element: Element) -> set[str]:
    return set(element.get("class", "").split())


def _child(element: Element, tag: str) -> Element | None:
    return next((c for c in element if c.tag == tag), None)


def _text_of(element: Element | None) -> str:
    return "" if element is None else "".join(element.itertext()).strip()


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "pre", "blockquote", "ul",
           "ol", "table", "tr", "dl", "dt", "dd", "prompt", "section", "figure", "caption",
           "contentBody"}
_NOT_TEXT = {"rubricBlock", "feedbackInline", "feedbackBlock", "modalFeedback", "templateBlock",
             "templateInline", "img", "object", "audio", "video"}


def _verbatim(element: Element) -> str:
    """Our own inline text: as written, <br/> as a line break, feedback left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "br":
            parts.append("\n")
        elif child.tag not in _NOT_TEXT:
            parts.append(_verbatim(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _verbatim_block(block: Element) -> str:
    return "\n\n".join(_verbatim(p) for p in block if p.tag == "p")


def _plain(element: Element) -> str:
    """Text of another system's markup, as a browser shows it: whitespace collapsed, blocks
    as paragraphs, interactions inside a sentence as a blank (____)."""
    if OWN_TEXT in _classes(element):
        return _verbatim(element) if element.tag != "div" else _verbatim_block(element)
    paragraphs: list[list[str]] = [[]]

    def add(text: str | None) -> None:
        if text:
            # HTML collapses ASCII whitespace only: a no-break space stays
            paragraphs[-1].append(re.sub(r"[ \t\n\r\f]+", " ", text))

    def walk(node: Element) -> None:
        for child in node:
            if child.tag == "br":
                paragraphs[-1].append("\n")
            elif child.tag == "textEntryInteraction" or child.tag == "inlineChoiceInteraction":
                paragraphs[-1].append("____")
            elif child.tag.endswith("Interaction") or child.tag in _NOT_TEXT:
                pass
            elif child.tag in _BLOCKS:
                paragraphs.append([])
                add(child.text)
                walk(child)
                paragraphs.append([])
            else:
                add(child.text)
                walk(child)
            add(child.tail)

    add(element.text)
    walk(element)
    texts = ("\n".join(line.strip() for line in "".join(p).split("\n")).strip()
             for p in paragraphs)
    return "\n\n".join(t for t in texts if t)


# --- import ------------------------------------------------------------------------------

def import_qti(data: bytes) -> QtiImport:
    """Every item of a QTI 2.1 or 3.0 package as question content, or why it is not."""
    try:
        files = read_zip(data)
        if "imsmanifest.xml" not in files:
            return QtiImport(["the zip has no imsmanifest.xml at its top: not a QTI content "
                              "package"], [])
        manifest = _normalized(parse_xml(files["imsmanifest.xml"], "imsmanifest.xml"))
    except UnsafeInput as refused:
        return QtiImport([str(refused)], [])
    items: list[ItemImport] = []
    notes: list[str] = []
    for resource in manifest.iter("resource"):
        kind = resource.get("type", "")
        if kind in ITEM_TYPES or kind.startswith("imsqti_item_"):
            items.append(_import_resource(resource, files))
        elif kind.startswith(("imsqti_test_", "imsqti_assessment_")):
            notes.append(f"test '{resource.get('identifier', '?')}': its sections and order "
                         f"are not imported (SOEMS builds exams from bank questions); its "
                         f"items are")
    if not items:
        notes.append("the manifest lists no assessment items")
    return QtiImport([], items, notes)


def _import_resource(resource: Element, files: dict[str, bytes]) -> ItemImport:
    href = resource.get("href") or next(
        (f.get("href") for f in resource.iter("file") if f.get("href")), "")
    identifier = resource.get("identifier", href)
    path = posixpath.normpath(href) if href else ""
    if not path or path.startswith("..") or path not in files:
        return ItemImport(identifier, None, [f"the item file '{href}' is not in the package"])
    try:
        item = _normalized(parse_xml(files[path], f"'{href}'"))
    except UnsafeInput as refused:
        return ItemImport(identifier, None, [str(refused)])
    if item.tag != "assessmentItem":
        return ItemImport(identifier, None, [f"'{href}' is not an assessment item"])
    identifier = item.get("identifier", identifier)
    lost: list[str] = []
    common = _metadata(resource, lost)
    sections = _item_sections(item, common, lost)
    if sections is None:
        return ItemImport(identifier, None, lost)
    content = QuestionContent(**common, **sections)
    found = problems(content)
    if found:
        return ItemImport(identifier, None, [*lost, *(f"{p.field}: {p.message}" for p in found)])
    return ItemImport(identifier, content, lost)


def _item_sections(item: Element, common: dict, lost: list[str]) -> dict | None:
    """The type and answer of the item (``common`` gets the type and stem), or None."""
    body = _child(item, "itemBody")
    if body is None:
        lost.append("the item has no itemBody")
        return None
    interactions = [e for e in body.iter() if e.tag.endswith("Interaction")]
    if len(interactions) != 1:
        lost.append(f"the item has {len(interactions)} interactions; a SOEMS question has "
                    f"exactly one answer" if interactions else "the item has no interaction")
        return None
    interaction = interactions[0]
    declaration = next((d for d in item.iter("responseDeclaration")
                        if d.get("identifier") == interaction.get("responseIdentifier")), None)
    reader = _READERS.get(interaction.tag)
    if reader is None or declaration is None:
        lost.append(f"{interaction.tag} has no SOEMS question type" if reader is None else
                    "the interaction has no response declaration")
        return None
    common["stem"] = _stem(body, interaction)
    _report_unsupported_parts(item, body, lost)
    return reader(item, interaction, declaration, common, lost)


def _stem(body: Element, interaction: Element) -> str:
    own = next((c for c in body if c.tag == "div" and OWN_TEXT in _classes(c)), None)
    if own is not None:
        return _verbatim_block(own)
    prompt = _child(interaction, "prompt")
    parts = [_plain(body), _plain(prompt) if prompt is not None else ""]
    return "\n\n".join(p for p in parts if p)


def _report_unsupported_parts(item: Element, body: Element, lost: list[str]) -> None:
    for media in (e for e in body.iter() if e.tag in ("img", "object", "audio", "video")):
        source = media.get("src") or media.get("data") or "?"
        lost.append(f"media '{source}' is not imported: upload it in the question editor")
    if any(e.tag == "modalFeedback" for e in item):
        lost.append("modal feedback is not imported (SOEMS has feedback per option only)")


def _values(declaration: Element) -> list[str]:
    correct = _child(declaration, "correctResponse")
    return [] if correct is None else [(v.text or "").strip() for v in correct
                                       if v.tag == "value"]


def _mapping(declaration: Element) -> dict[str, tuple[float, Element]]:
    mapping = _child(declaration, "mapping")
    entries = {} if mapping is None else {
        e.get("mapKey", ""): (_float(e.get("mappedValue"), 0.0), e)
        for e in mapping if e.tag == "mapEntry"}
    return entries


def _float(raw: str | None, default: float) -> float:
    try:
        value = float(raw) if raw is not None else default
    except ValueError:
        return default
    return value if math.isfinite(value) else default


def _read_choice(item: Element, interaction: Element, declaration: Element, common: dict,
                 lost: list[str]) -> dict | None:
    choices = [c for c in interaction.iter("simpleChoice")]
    ids = [c.get("identifier", "") for c in choices]
    multiple = declaration.get("cardinality") == "multiple"
    mapping = _mapping(declaration)
    correct = set(_values(declaration)) or {k for k, (v, _) in mapping.items() if v > 0}
    if not multiple and len(ids) == 2 and {i.lower() for i in ids} == {"true", "false"}:
        common["question_type"] = QuestionType.TRUE_FALSE.value
        return {"true_false": TrueFalseSpec(correct=any(c.lower() == "true" for c in correct))}
    common["question_type"] = (QuestionType.MULTIPLE_CHOICE if multiple
                               else QuestionType.SINGLE_CHOICE).value
    options = [ChoiceOption(option_id=i, text=_plain(c), correct=i in correct,
                            feedback=_choice_feedback(c)) for i, c in zip(ids, choices)]
    scoring, penalty = ChoiceScoring.ALL_OR_NOTHING.value, 0.0
    if mapping and multiple:
        scoring = ChoiceScoring.PER_OPTION.value
        penalty = _penalty(options, mapping, declaration, lost)
    elif mapping and any(v > 0 for k, (v, _) in mapping.items() if k not in correct):
        lost.append("partial credit for a wrong option is not imported: a single-choice "
                    "question scores its one correct option")
    return {"choice": ChoiceSpec(options=options, scoring=scoring, wrong_pick_penalty=penalty)}


def _choice_feedback(choice: Element) -> str:
    feedback = next((e for e in choice.iter() if e.tag in ("feedbackInline", "feedbackBlock")),
                    None)
    return "" if feedback is None else _plain(feedback)


def _penalty(options: list[ChoiceOption], mapping: dict, declaration: Element,
             lost: list[str]) -> float:
    """SOEMS per-option scoring: each right pick 1/k, each wrong pick -penalty/k."""
    default = _float(_child(declaration, "mapping").get("defaultValue"), 0.0)
    right = [mapping.get(o.option_id, (default,))[0] for o in options if o.correct]
    wrong = [mapping.get(o.option_id, (default,))[0] for o in options if not o.correct]
    if len(set(right)) > 1 or len(set(wrong)) > 1:
        lost.append("uneven per-option scores are not imported: every right pick scores the "
                    "same share, every wrong pick costs the largest penalty given")
    share = sum(right) / len(right) if right and sum(right) > 0 else 1.0
    penalty = round(max([0.0, *(-w for w in wrong)]) / share, 9)
    if penalty > 1:
        lost.append(f"a wrong pick cost {penalty:g} right picks; SOEMS caps it at 1")
    return min(penalty, 1.0)


def _read_text_entry(item: Element, interaction: Element, declaration: Element, common: dict,
                     lost: list[str]) -> dict | None:
    common["question_type"] = QuestionType.SHORT_ANSWER.value
    if interaction.get("patternMask"):
        lost.append("the input pattern mask is not imported (it restricts typing, not scoring)")
    if declaration.get("baseType") in ("float", "integer"):
        return {"short_answer": _read_numeric(item, declaration, lost)}
    mapping = _mapping(declaration)
    best = max((v for v, _ in mapping.values()), default=1.0)
    accepted = []
    for key, (value, entry) in mapping.items():
        if value <= 0:
            continue
        if value < best:
            lost.append(f"the answer '{key}' earned partial credit: not imported")
            continue
        accepted.append(AcceptedAnswer(
            text=key, case_sensitive=entry.get("caseSensitive", "true").lower() == "true"))
    known = {a.text for a in accepted} | set(mapping)
    accepted += [AcceptedAnswer(text=v, case_sensitive=True) for v in _values(declaration)
                 if v not in known]  # QTI matches a correct response exactly
    return {"short_answer": ShortAnswerSpec(accepted=accepted)}


def _read_numeric(item: Element, declaration: Element, lost: list[str]) -> ShortAnswerSpec:
    values = _values(declaration)
    if not values:
        return ShortAnswerSpec()  # problems() reports "no accepted answer"
    value = _float(values[0], math.nan)
    if math.isnan(value):
        lost.append(f"the correct response '{values[0]}' is not a number")
        return ShortAnswerSpec()
    equal = next((e for e in item.iter("equal")), None)
    tolerance = 0.0
    if equal is not None and equal.get("toleranceMode") in ("absolute", "relative"):
        bounds = [_float(t, 0.0) for t in (equal.get("tolerance") or "0").split()]
        tolerance = max(bounds)
        if len(set(bounds)) > 1:
            lost.append("uneven lower and upper tolerances: the larger is used both ways")
        if equal.get("toleranceMode") == "relative":
            tolerance = abs(value) * tolerance / 100
            lost.append("a relative tolerance was converted to an absolute one")
    if len(values) > 1:
        lost.append("more than one correct number: only the first is imported")
    return ShortAnswerSpec(numeric=NumericAnswer(value=value, tolerance=tolerance))


def _read_extended_text(item: Element, interaction: Element, declaration: Element,
                        common: dict, lost: list[str]) -> dict | None:
    if _values(declaration) or _mapping(declaration):  # scored automatically: a short answer
        return _read_text_entry(item, interaction, declaration, common, lost)
    common["question_type"] = QuestionType.LONG_ANSWER.value
    spec = LongAnswerSpec()
    for block in item.iter("rubricBlock"):
        if "scorer" not in block.get("view", "").split():
            lost.append(f"a rubric block for '{block.get('view', '?')}' is not imported")
        elif any("soems-model-answer" in _classes(e) or "soems-criterion" in _classes(e)
                 or "soems-max-words" in _classes(e) for e in block.iter()):
            spec = _read_own_rubric(block)
        else:
            spec = LongAnswerSpec(model_answer=_plain(block))
            lost.append("the scorers' rubric text became the model answer")
    return {"long_answer": spec}


def _read_own_rubric(block: Element) -> LongAnswerSpec:
    def having(name: str) -> list[Element]:
        return [e for e in block.iter() if name in _classes(e)]

    model = having("soems-model-answer")
    limit = having("soems-max-words")
    words = re.search(r"\d+", _text_of(limit[0])) if limit else None
    return LongAnswerSpec(
        model_answer=_verbatim_block(model[0]) if model else "",
        max_words=int(words.group()) if words else None,
        rubric=[_read_criterion(c) for c in having("soems-criterion")])


def _read_criterion(part: Element) -> RubricCriterion:
    def first(name: str, within: Element) -> str:
        return next((e.text or "" for e in within.iter() if name in _classes(e)), "")

    return RubricCriterion(
        criterion_id=first("soems-criterion-id", part), title=first("soems-criterion-title", part),
        levels=[RubricLevel(label=first("soems-level-label", level),
                            points=_float(first("soems-level-points", level), 0.0),
                            description=first("soems-level-description", level))
                for level in part.iter("li") if "soems-level" in _classes(level)])


_READERS: dict[str, Callable[..., dict | None]] = {
    "choiceInteraction": _read_choice, "textEntryInteraction": _read_text_entry,
    "extendedTextInteraction": _read_extended_text,
}


def _metadata(resource: Element, lost: list[str]) -> dict:
    """Difficulty, tags, topic and time from the resource's LOM (defaults without it)."""
    common: dict = {}
    tags = [_text_of(k) for k in resource.iter("keyword")]
    common["tags"] = [t for t in tags if t]
    difficulty = next((d for d in resource.iter("difficulty")), None)
    if difficulty is not None:
        raw = _text_of(_child(difficulty, "value")).lower()
        common["difficulty"] = _FROM_LOM.get(raw, "medium")
        if raw not in _FROM_LOM:
            lost.append(f"difficulty '{raw}' is not a LOM difficulty: medium was used")
    duration = _text_of(next((d for d in resource.iter("duration")), None))
    if duration:
        minutes = _minutes(duration)
        if minutes is None:
            lost.append(f"the typical learning time '{duration}' is not an ISO 8601 duration")
        else:
            common["estimated_minutes"] = minutes
    taxa = [_text_of(t) for path in resource.iter("taxonPath") for t in path.iter("entry")]
    if taxa:
        common["topic"] = " / ".join(t for t in taxa if t)
    return common


def _minutes(duration: str) -> int | None:
    found = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?",
                         duration.strip())
    if not found or not any(found.groups()):
        return None
    days, hours, minutes, seconds = (float(g or 0) for g in found.groups())
    return max(1, math.ceil(days * 1440 + hours * 60 + minutes + seconds / 60))
