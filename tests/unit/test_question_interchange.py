"""Question import and export: the CSV template, QTI content packages and Moodle XML."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from command_api.questions.content import problems
from command_api.questions.interchange.csv_format import (COLUMNS, TEMPLATE_EXAMPLES, CellError,
                                                          NotExportable, export_csv, join_list,
                                                          parse_csv, split_list, template_csv)
from command_api.questions.interchange.moodle_xml import html_to_text, import_moodle_xml
from command_api.questions.interchange.qti import (QTI21_NS, QTI30_NS, export_qti,
                                                   import_qti)
from command_api.questions.interchange.safe_input import UnsafeInput, parse_xml, read_zip
from schemas.events.question import (AcceptedAnswer, ChoiceOption, ChoiceSpec, LongAnswerSpec,
                                     NumericAnswer, QuestionContent, RubricCriterion, RubricLevel,
                                     ShortAnswerSpec, TrueFalseSpec)
from tests.unit.test_question_decider import EVERY_TYPE

SAMPLES = Path(__file__).parent / "samples"
HEADER = "type,stem,options,correct,tags\r\n"


def csv_bytes(*lines: str, header: str = HEADER, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + header + "".join(lines)).encode("utf-8")


def full(**fields) -> QuestionContent:
    """A question that uses every field its type's CSV columns carry."""
    return QuestionContent(**{"difficulty": "hard", "tags": ["a|b", "back\\slash", "Ünïcode"],
                              "topic": "Topic, with comma", "estimated_minutes": 7, **fields})


CSV_ROUND_TRIP = {
    "single_choice": full(question_type="single_choice", stem='Quote " and\nnew line',
                          choice=ChoiceSpec(options=[
                              ChoiceOption(option_id="x1", text="one | two", feedback="why"),
                              ChoiceOption(option_id="x2", text="back\\|slash", correct=True),
                              ChoiceOption(option_id="x3", text="three, four")])),
    "multiple_choice": EVERY_TYPE["multiple_choice"],
    "true_false": full(question_type="true_false", stem="False here.",
                       true_false=TrueFalseSpec(correct=False)),
    "short_answer": EVERY_TYPE["short_answer"],
    "short_answer_flags": full(question_type="short_answer", stem="Two ways", short_answer=(
        ShortAnswerSpec(accepted=[AcceptedAnswer(text="A b", case_sensitive=True,
                                                 normalize_whitespace=False),
                                  AcceptedAnswer(text="a|b")], pattern=r"\d+\|x",
                        numeric=NumericAnswer(value=-1e-7, tolerance=0.1)))),
    "numeric": EVERY_TYPE["numeric"],
    "long_answer": full(question_type="long_answer", stem="Discuss.\n\nIn depth.",
                        long_answer=LongAnswerSpec(model_answer="Model,\n\"quoted\"",
                                                   max_words=120)),
    "long_answer_no_limit": full(question_type="long_answer", stem="Discuss.",
                                 long_answer=LongAnswerSpec()),
}


# --- CSV ---------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CSV_ROUND_TRIP)
def test_csv_export_reads_back_equal(name):
    content = CSV_ROUND_TRIP[name]
    assert problems(content) == []
    imported = parse_csv(export_csv([content]))
    assert imported.errors == []
    assert imported.valid == [content]


def test_every_csv_type_round_trips_in_one_file():
    contents = list(CSV_ROUND_TRIP.values()) * 3
    assert parse_csv(export_csv(contents)).valid == contents


def test_the_template_has_every_column_and_one_valid_example_per_type():
    template = template_csv()
    assert template.startswith("\ufeff".encode())
    header = template.decode("utf-8-sig").split("\r\n", 1)[0]
    assert header.split(",") == list(COLUMNS)
    imported = parse_csv(template)
    assert imported.errors == []
    assert imported.valid == TEMPLATE_EXAMPLES
    assert {c.question_type for c in imported.valid} == {
        "single_choice", "multiple_choice", "true_false", "short_answer", "long_answer"}


def test_what_csv_cannot_carry_is_refused_on_export_naming_each_question():
    rubric = QuestionContent(question_type="long_answer", stem="x", long_answer=LongAnswerSpec(
        rubric=[RubricCriterion(criterion_id="c", title="t",
                                levels=[RubricLevel(label="l", points=1)])]))
    padded = CSV_ROUND_TRIP["true_false"].model_copy(update={"tags": [" padded"]})
    with pytest.raises(NotExportable) as refused:
        export_csv([CSV_ROUND_TRIP["true_false"], EVERY_TYPE["coding"], rubric, padded])
    assert sorted(refused.value.reasons) == [1, 2, 3]
    assert "coding" in refused.value.reasons[1][0]
    assert "rubric" in refused.value.reasons[2][0]
    assert "spaces" in refused.value.reasons[3][0]


def test_a_thousand_rows_with_three_bad_ones_report_exactly_those_three():
    good = 'single_choice,"Which, of these?",Red|Green|Blue,B,colours\r\n'
    rows = [good] * 1000
    rows[9] = "single_choice,Two right?,Red|Green,A|B,\r\n"  # spreadsheet row 11
    rows[499] = "true_false,Is it?,,maybe,\r\n"  # row 501
    rows[997] = "short_answer,,,,\r\n"  # row 999: no stem, and no answer
    imported = parse_csv(csv_bytes(*rows))
    assert imported.file_errors == []
    assert len(imported.valid) == 997
    assert [(e.row, e.column) for e in imported.errors] == [
        (11, "correct"), (501, "correct"), (999, "stem"), (999, "accepted_answers")]
    bad = {r.row for r in imported.rows if r.content is None}
    assert bad == {11, 501, 999}


def test_error_messages_name_the_option_answer_or_tag():
    imported = parse_csv(csv_bytes(
        "single_choice,Q,Red|| |Blue,A,\r\n",
        "multiple_choice,Q,Red|Green,A|E,\r\n",
        "single_choice,Q,Red|Green,A,x|X\r\n",
        "coding,Q,,,\r\n",
        "essay-question,Q,,,\r\n"))
    assert [(e.row, e.column, e.message) for e in imported.errors] == [
        (2, "options", "option B: an option needs text"),
        (2, "options", "option C: an option needs text"),
        (3, "correct", "'E' is not one of the 2 options (give letters A-B or numbers 1-2)"),
        (4, "tags", "each tag once (tags are compared case-insensitively)"),
        (5, "type", "coding questions do not fit in a CSV row: write them in the question "
                    "editor"),
        (6, "type", "'essay-question' is not a question type: one of single_choice, "
                    "multiple_choice, true_false, short_answer, long_answer"),
    ]


def test_a_row_with_errors_keeps_its_type_and_text_so_the_teacher_can_find_it():
    imported = parse_csv(csv_bytes("single_choice,  Is this row right?  ,yes|no,Z,\r\n",
                                   "essay-question,An essay,,,\r\n", ",,,,x\r\n"))
    assert [(r.content, r.question_type, r.stem) for r in imported.rows] == [
        (None, "single_choice", "Is this row right?"), (None, "essay-question", "An essay"),
        (None, None, None)]


def test_cells_that_do_not_apply_to_the_type_are_errors_not_ignored():
    imported = parse_csv(csv_bytes("true_false,Q,Red|Green,true,\r\n",
                                   header="type,stem,options,correct,tags,max_words\r\n"))
    assert [(e.row, e.column) for e in imported.errors] == [(2, "options")]
    assert "does not apply to a true_false question" in imported.errors[0].message


def test_values_of_the_wrong_kind_are_reported_with_the_rest_of_the_row():
    header = "type,stem,estimated_minutes,numeric_value,numeric_tolerance,case_sensitive\r\n"
    imported = parse_csv(csv_bytes("short_answer,,1.5,three,,maybe\r\n",
                                   "short_answer,Q,,,0.1,\r\n", header=header))
    assert [(e.row, e.column) for e in imported.errors] == [
        (2, "stem"), (2, "estimated_minutes"), (2, "numeric_value"), (2, "case_sensitive"),
        (2, "accepted_answers"), (3, "numeric_tolerance"), (3, "accepted_answers")]


def test_utf8_bom_crlf_and_quoted_line_breaks_as_excel_writes_them():
    data = csv_bytes('single_choice,"Line one\r\nline two, with ""quotes""",Ja|Nein,1,Größe\r\n',
                     "true_false,Zweite Zeile,,TRUE,\r\n", bom=True)
    imported = parse_csv(data)
    assert imported.errors == []
    first, second = imported.valid
    assert first.stem == 'Line one\nline two, with "quotes"'
    assert first.tags == ["Größe"] and first.choice.options[0].correct
    assert [r.row for r in imported.rows] == [2, 3]  # a quoted line break is one spreadsheet row
    assert second.true_false.correct is True


def test_semicolons_and_decimal_commas_as_a_european_excel_writes_them():
    data = ("type;stem;numeric_value;numeric_tolerance\r\n"
            "short_answer;Pi?;3,14;0,01\r\n").encode("utf-8")
    imported = parse_csv(data)
    assert imported.errors == []
    assert imported.valid[0].short_answer.numeric == NumericAnswer(value=3.14, tolerance=0.01)


def test_header_names_are_matched_loosely_and_errors_use_the_files_spelling():
    data = csv_bytes("short_answer,Q,,maybe\r\n",
                     header="Type,Question Stem,Accepted Answers,Case-Sensitive\r\n")
    imported = parse_csv(data)
    assert imported.file_errors == [
        CellError(1, "Question Stem", imported.file_errors[0].message),
        CellError(1, "stem", "required column 'stem' is missing")]
    assert imported.rows == []
    data = csv_bytes("short_answer,Q,,maybe\r\n",
                     header="Type,Stem,Accepted Answers,Case-Sensitive\r\n")
    assert [(e.row, e.column) for e in parse_csv(data).errors] == [
        (2, "Accepted Answers"), (2, "Case-Sensitive")]


def test_a_missing_required_column_is_one_error_for_the_file():
    imported = parse_csv(csv_bytes(*["true_false,true\r\n"] * 50, header="type,correct\r\n"))
    assert imported.errors == [CellError(1, "stem", "required column 'stem' is missing")]
    assert imported.rows == []


def test_unknown_and_repeated_columns_are_reported_and_rows_still_checked():
    imported = parse_csv(csv_bytes("true_false,Q,true,hard,x\r\n",
                                   header="type,stem,correct,dificulty,stem\r\n"))
    assert [(e.row, e.column) for e in imported.file_errors] == [(1, "dificulty"), (1, "stem")]
    assert "unknown column 'dificulty'" in imported.file_errors[0].message
    assert "appears twice" in imported.file_errors[1].message
    assert len(imported.valid) == 1  # shown in the preview; file_errors block the import


def test_values_under_no_header_are_reported():
    imported = parse_csv(csv_bytes("true_false,Q,true,,\r\n", "true_false,Q,true,,,surprise\r\n",
                                   header="type,stem,correct,,\r\n"))
    assert imported.file_errors == []
    assert [(e.row, e.column) for e in imported.errors] == [(3, "column 6")]


def test_blank_rows_are_skipped_but_keep_the_spreadsheet_numbering():
    imported = parse_csv(csv_bytes("true_false,A,true\r\n", ",,\r\n", "\r\n",
                                   "true_false,B,maybe\r\n", ",,\r\n", ",,\r\n", "\r\n",
                                   header="type,stem,correct\r\n"))
    assert [r.row for r in imported.rows] == [2, 5]
    assert [(e.row, e.column) for e in imported.errors] == [(5, "correct")]


@pytest.mark.parametrize("data,message", [
    (b"", "the file is empty"),
    ("type,stem\r\nlong_answer,Caf\u00e9\r\n".encode("cp1252"), "not UTF-8"),
    (b"x" * 101, "at most 100 bytes"),
])
def test_files_that_cannot_be_read_are_refused_as_a_whole(data, message):
    imported = parse_csv(data, max_bytes=100)
    assert imported.rows == [] and len(imported.file_errors) == 1
    assert imported.file_errors[0].row is None and message in imported.file_errors[0].message


def test_the_row_limit_refuses_the_file():
    rows = ["long_answer,Q\r\n"] * 11
    assert parse_csv(csv_bytes(*rows, header="type,stem\r\n"), max_rows=10).file_errors == [
        CellError(None, None, "at most 10 questions in one file")]
    assert len(parse_csv(csv_bytes(*rows[:10], header="type,stem\r\n"), max_rows=10).valid) == 10


def test_per_answer_flags_and_option_ids_and_feedback_columns():
    header = ("type,stem,options,option_ids,option_feedback,correct,accepted_answers,"
              "case_sensitive\r\n")
    imported = parse_csv(csv_bytes("single_choice,Q,Yes|No,y|n,good|,2,,\r\n",
                                   "short_answer,Q,,,,,A|b|C,true|false|true\r\n",
                                   "short_answer,Q,,,,,A|b,true|false|true\r\n",
                                   "single_choice,Q,Yes|No,y,,1,,\r\n", header=header))
    choice, short = imported.rows[0].content, imported.rows[1].content
    assert [(o.option_id, o.feedback, o.correct) for o in choice.choice.options] == [
        ("y", "good", False), ("n", "", True)]
    assert [a.case_sensitive for a in short.short_answer.accepted] == [True, False, True]
    assert [(e.row, e.column) for e in imported.errors] == [(4, "case_sensitive"),
                                                            (5, "option_ids")]


def test_list_cells_escape_bars_and_backslashes():
    items = ["a|b", "c\\d", "e\\|f", "plain"]
    assert split_list(join_list(items)) == items
    assert split_list(r"C:\path | x") == [r"C:\path", "x"]  # a lone backslash stays


def test_ten_thousand_rows_all_import():
    # How fast: bench/question_import.py (a benchmark, not a timed test).
    data = export_csv((TEMPLATE_EXAMPLES * 1667)[:10_000])
    assert len(parse_csv(data).valid) == 10_000


# --- QTI ---------------------------------------------------------------------------------

QTI_ROUND_TRIP = {
    **{name: EVERY_TYPE[name] for name in ("single_choice", "multiple_choice", "true_false",
                                           "numeric", "long_answer")},
    "short_answer": QuestionContent(
        question_type="short_answer", stem="Capital of France?", tags=["geo"], topic="Europe",
        difficulty="easy", estimated_minutes=3,
        short_answer=ShortAnswerSpec(accepted=[AcceptedAnswer(text="Paris"),
                                               AcceptedAnswer(text="PARIS", case_sensitive=True)])),
    "exact_number": QuestionContent(question_type="short_answer", stem="2+2?",
                                    short_answer=ShortAnswerSpec(numeric=NumericAnswer(value=4))),
    "all_or_nothing_with_feedback": QuestionContent(
        question_type="multiple_choice", stem="Pick\n\ntwo  spaced   words\nhere",
        choice=ChoiceSpec(options=[
            ChoiceOption(option_id="o1", text="  Lead & <tag>", correct=True,
                         feedback="line\nbreak"),
            ChoiceOption(option_id="o2", text="x", correct=True),
            ChoiceOption(option_id="o3", text="y")])),
    "three_way_penalty": QuestionContent(
        question_type="multiple_choice", stem="Three right", choice=ChoiceSpec(
            options=[ChoiceOption(option_id=i, text=i, correct=i != "d") for i in "abcd"],
            scoring="per_option", wrong_pick_penalty=0.3)),
    "long_answer_plain": QuestionContent(question_type="long_answer", stem="Write.",
                                         long_answer=LongAnswerSpec()),
    "template": TEMPLATE_EXAMPLES[0],
    "template_long": TEMPLATE_EXAMPLES[-1],
}


@pytest.mark.parametrize("version", ["2.1", "3.0"])
@pytest.mark.parametrize("name", QTI_ROUND_TRIP)
def test_qti_export_then_import_gives_equal_content(name, version):
    content = QTI_ROUND_TRIP[name]
    assert problems(content) == []
    exported = export_qti([(f"q-{name}", content)], version=version)
    assert [(i.exported, i.not_mapped) for i in exported.items] == [(True, [])]
    imported = import_qti(exported.package)
    assert imported.package_errors == []
    [item] = imported.items
    assert (item.identifier, item.not_mapped) == (f"q-{name}", [])
    assert item.content == content


def test_a_qti_package_holds_a_manifest_and_one_qti21_item_per_question():
    exported = export_qti([(name, c) for name, c in QTI_ROUND_TRIP.items()])
    with zipfile.ZipFile(io.BytesIO(exported.package)) as archive:
        names = archive.namelist()
        manifest = parse_xml(archive.read("imsmanifest.xml"))
        item = parse_xml(archive.read("items/single_choice.xml"))
    assert names[0] == "imsmanifest.xml" and len(names) == 1 + len(QTI_ROUND_TRIP)
    resources = manifest.findall(".//{http://www.imsglobal.org/xsd/imscp_v1p1}resource")
    assert {r.get("type") for r in resources} == {"imsqti_item_xmlv2p1"}
    assert {r.get("href") for r in resources} == set(names[1:])
    assert item.tag == f"{{{QTI21_NS}}}assessmentItem"
    assert item.find(f".//{{{QTI21_NS}}}choiceInteraction") is not None
    assert import_qti(exported.package).valid == list(QTI_ROUND_TRIP.values())


@pytest.mark.parametrize("version", ["2.1", "3.0"])
def test_what_qti_cannot_carry_is_reported_per_item_on_export(version):
    pattern_only = QuestionContent(question_type="short_answer", stem="Digits?",
                                   short_answer=ShortAnswerSpec(pattern=r"\d+"))
    odd_ids = EVERY_TYPE["single_choice"].model_copy(update={"choice": ChoiceSpec(options=[
        ChoiceOption(option_id="1 st", text="a", correct=True),
        ChoiceOption(option_id="2nd", text="b")])})
    exported = export_qti([("coding", EVERY_TYPE["coding"]),
                           ("both", EVERY_TYPE["short_answer"]), ("regex", pattern_only),
                           ("ids", odd_ids)], version=version)
    coding, both, regex, ids = exported.items
    assert not coding.exported and "coding" in coding.not_mapped[0]
    assert both.exported and "regular-expression" in both.not_mapped[0]
    assert not regex.exported and "regular-expression" in regex.not_mapped[0]
    assert ids.exported and "renamed" in ids.not_mapped[0]
    imported = import_qti(exported.package)
    assert [i.identifier for i in imported.items] == ["both", "ids"]
    assert imported.items[0].content.short_answer.pattern is None
    assert [o.option_id for o in imported.items[1].content.choice.options] == [
        "choice-1", "choice-2"]


# QTI 3.0's names (1EdTech QTI 3.0 ASI) of every element and attribute a SOEMS item has; HTML
# (unprefixed) is only inside <qti-item-body>.
QTI30_ELEMENTS = {
    "qti-assessment-item", "qti-response-declaration", "qti-correct-response", "qti-value",
    "qti-mapping", "qti-map-entry", "qti-outcome-declaration", "qti-default-value",
    "qti-item-body", "qti-choice-interaction", "qti-simple-choice", "qti-feedback-inline",
    "qti-text-entry-interaction", "qti-extended-text-interaction", "qti-rubric-block",
    "qti-content-body", "qti-response-processing", "qti-response-condition", "qti-response-if",
    "qti-match", "qti-equal", "qti-variable", "qti-correct", "qti-base-value",
    "qti-set-outcome-value", "qti-map-response"}
QTI30_ATTRIBUTES = {
    "identifier", "title", "adaptive", "time-dependent", "cardinality", "base-type",
    "response-identifier", "shuffle", "max-choices", "outcome-identifier", "show-hide", "class",
    "map-key", "mapped-value", "case-sensitive", "lower-bound", "upper-bound", "default-value",
    "template", "tolerance-mode", "tolerance", "expected-length", "view", "use",
    "{http://www.w3.org/2001/XMLSchema-instance}schemaLocation"}
HTML_IN_BODY = {"div", "p", "br", "span", "ul", "li"}


def qti30_names_of(element, in_body: bool = False) -> tuple[set[str], set[str], set[str]]:
    """(QTI elements, attributes of QTI elements, HTML elements) of a 3.0 item, asserting that
    every element is in the 3.0 namespace and HTML appears only inside the item body."""
    assert element.tag.startswith(f"{{{QTI30_NS}}}"), element.tag
    name = element.tag.split("}", 1)[1]
    qti, attributes, html = set(), set(), set()
    if name.startswith("qti-"):
        qti.add(name)
        attributes.update(element.attrib)
    else:
        assert in_body, f"<{name}> outside the item body"
        html.add(name)
    for child in element:
        more = qti30_names_of(child, in_body or name == "qti-item-body")
        qti |= more[0]
        attributes |= more[1]
        html |= more[2]
    return qti, attributes, html


def test_a_qti30_package_uses_the_30_namespaces_names_and_resource_type():
    exported = export_qti([(name, c) for name, c in QTI_ROUND_TRIP.items()], version="3.0")
    with zipfile.ZipFile(io.BytesIO(exported.package)) as archive:
        names = archive.namelist()
        manifest = parse_xml(archive.read("imsmanifest.xml"))
        items = {n: parse_xml(archive.read(n)) for n in names[1:]}  # well-formed XML
    cp = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
    assert manifest.tag == f"{{{cp}}}manifest"
    assert manifest.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").startswith(
        f"{cp} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/imsqtiv3p0_imscpv1p2_v1p0.xsd")
    resources = manifest.findall(f".//{{{cp}}}resource")
    assert {r.get("type") for r in resources} == {"imsqti_item_xmlv3p0"}
    assert {r.get("href") for r in resources} == set(names[1:])
    qti, attributes, html = set(), set(), set()
    for item in items.values():
        assert item.tag == f"{{{QTI30_NS}}}qti-assessment-item"
        assert item.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") == (
            f"{QTI30_NS} https://purl.imsglobal.org/spec/qti/v3p0/schema/xsd/"
            f"imsqti_asiv3p0_v1p0.xsd")
        found = qti30_names_of(item)
        qti |= found[0]
        attributes |= found[1]
        html |= found[2]
    assert qti <= QTI30_ELEMENTS, qti - QTI30_ELEMENTS
    assert attributes <= QTI30_ATTRIBUTES, attributes - QTI30_ATTRIBUTES
    assert html <= HTML_IN_BODY
    rubric = next(e for i in items.values() for e in i.iter(f"{{{QTI30_NS}}}qti-rubric-block"))
    assert rubric.get("use") == "scoring" and rubric.get("view") == "scorer"
    assert [c.tag for c in rubric] == [f"{{{QTI30_NS}}}qti-content-body"]
    templates = {e.get("template") for i in items.values() for e in i.iter() if e.get("template")}
    assert templates == {"https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml",
                         "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"}
    assert import_qti(exported.package).valid == list(QTI_ROUND_TRIP.values())


def test_a_qti_version_that_does_not_exist_is_refused():
    with pytest.raises(ValueError, match="2.2"):
        export_qti([("q", EVERY_TYPE["true_false"])], version="2.2")


def package(files: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return out.getvalue()


def manifest(*resources: tuple[str, str, str], namespace: str = "imscp_v1p1") -> str:
    listed = "".join(f'<resource identifier="{i}" type="{t}" href="{h}"><file href="{h}"/>'
                     f"</resource>" for i, t, h in resources)
    return (f'<manifest xmlns="http://www.imsglobal.org/xsd/{namespace}" identifier="m">'
            f"<organizations/><resources>{listed}</resources></manifest>")


FOREIGN_21 = f"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="{QTI21_NS}" identifier="choice-1" title="Colours" adaptive="false"
    timeDependent="false">
  <responseDeclaration identifier="R1" cardinality="multiple" baseType="identifier">
    <correctResponse><value>A</value><value>C</value></correctResponse>
    <mapping lowerBound="0" defaultValue="0">
      <mapEntry mapKey="A" mappedValue="1"/><mapEntry mapKey="B" mappedValue="-0.5"/>
      <mapEntry mapKey="C" mappedValue="1"/><mapEntry mapKey="D" mappedValue="-1"/>
    </mapping>
  </responseDeclaration>
  <outcomeDeclaration identifier="SCORE" cardinality="single" baseType="float"/>
  <itemBody>
    <p>Look   at the
       picture: <img src="images/spectrum.png" alt="spectrum"/></p>
    <choiceInteraction responseIdentifier="R1" shuffle="true" maxChoices="0">
      <prompt>Which colours are <b>primary</b>?</prompt>
      <simpleChoice identifier="A">Red</simpleChoice>
      <simpleChoice identifier="B">Pink</simpleChoice>
      <simpleChoice identifier="C">  Blue
      </simpleChoice>
      <simpleChoice identifier="D">Grey</simpleChoice>
    </choiceInteraction>
  </itemBody>
  <responseProcessing
      template="http://www.imsglobal.org/question/qti_v2p1/rptemplates/map_response"/>
</assessmentItem>"""

ORDER_21 = f"""<assessmentItem xmlns="{QTI21_NS}" identifier="order-1" title="t" adaptive="false"
    timeDependent="false"><responseDeclaration identifier="RESPONSE" cardinality="ordered"
    baseType="identifier"/><itemBody><orderInteraction responseIdentifier="RESPONSE">
    <simpleChoice identifier="a">1</simpleChoice></orderInteraction></itemBody></assessmentItem>"""

TWO_GAPS_21 = f"""<assessmentItem xmlns="{QTI21_NS}" identifier="gaps" title="t" adaptive="false"
    timeDependent="false"><itemBody><p>A <textEntryInteraction responseIdentifier="R1"/> and
    <textEntryInteraction responseIdentifier="R2"/></p></itemBody></assessmentItem>"""

RELATIVE_21 = f"""<assessmentItem xmlns="{QTI21_NS}" identifier="g" title="t" adaptive="false"
    timeDependent="false"><responseDeclaration identifier="RESPONSE" cardinality="single"
    baseType="float"><correctResponse><value>9.81</value></correctResponse>
    </responseDeclaration><itemBody><p>g is <textEntryInteraction responseIdentifier="RESPONSE"/>
    m/s2</p></itemBody><responseProcessing><responseCondition><responseIf><equal
    toleranceMode="relative" tolerance="1"><variable identifier="RESPONSE"/><correct
    identifier="RESPONSE"/></equal></responseIf></responseCondition></responseProcessing>
    </assessmentItem>"""


def test_another_systems_qti21_package_is_mapped_and_its_losses_reported():
    data = package({
        "imsmanifest.xml": manifest(("i1", "imsqti_item_xmlv2p1", "items/colours.xml"),
                                    ("i2", "imsqti_item_xmlv2p1", "items/order.xml"),
                                    ("i3", "imsqti_item_xmlv2p1", "items/gaps.xml"),
                                    ("i4", "imsqti_item_xmlv2p1", "items/gravity.xml"),
                                    ("i5", "imsqti_item_xmlv2p1", "items/missing.xml"),
                                    ("t1", "imsqti_test_xmlv2p1", "test.xml"),
                                    ("img", "webcontent", "images/spectrum.png")),
        "items/colours.xml": FOREIGN_21, "items/order.xml": ORDER_21,
        "items/gaps.xml": TWO_GAPS_21, "items/gravity.xml": RELATIVE_21,
        "test.xml": "<assessmentTest/>", "images/spectrum.png": b"\x89PNG"})
    imported = import_qti(data)
    colours, order, gaps, gravity, missing = imported.items
    assert colours.content == QuestionContent(
        question_type="multiple_choice",
        stem="Look at the picture:\n\nWhich colours are primary?",
        choice=ChoiceSpec(scoring="per_option", wrong_pick_penalty=1.0, options=[
            ChoiceOption(option_id="A", text="Red", correct=True),
            ChoiceOption(option_id="B", text="Pink"),
            ChoiceOption(option_id="C", text="Blue", correct=True),
            ChoiceOption(option_id="D", text="Grey")]))
    assert colours.not_mapped == [
        "media 'images/spectrum.png' is not imported: upload it in the question editor",
        "uneven per-option scores are not imported: every right pick scores the same share, "
        "every wrong pick costs the largest penalty given"]
    assert order.content is None and order.not_mapped == [
        "orderInteraction has no SOEMS question type"]
    assert gaps.content is None and "2 interactions" in gaps.not_mapped[0]
    assert gravity.content.stem == "g is ____ m/s2"
    numeric = gravity.content.short_answer.numeric
    assert (numeric.value, numeric.tolerance) == (9.81, pytest.approx(0.0981))
    assert gravity.not_mapped == ["a relative tolerance was converted to an absolute one"]
    assert missing.content is None and "not in the package" in missing.not_mapped[0]
    assert len(imported.notes) == 1 and "test 't1'" in imported.notes[0]


QTI30_ITEM = """<?xml version="1.0" encoding="UTF-8"?>
<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0" identifier="q3"
    title="Capital" adaptive="false" time-dependent="false">
  <qti-response-declaration identifier="RESPONSE" cardinality="single" base-type="string">
    <qti-correct-response><qti-value>Paris</qti-value></qti-correct-response>
    <qti-mapping default-value="0">
      <qti-map-entry map-key="Paris" mapped-value="1" case-sensitive="false"/>
      <qti-map-entry map-key="Lutetia" mapped-value="0.5" case-sensitive="false"/>
    </qti-mapping>
  </qti-response-declaration>
  <qti-outcome-declaration identifier="SCORE" cardinality="single" base-type="float"/>
  <qti-item-body>
    <p>The capital of France is <qti-text-entry-interaction response-identifier="RESPONSE"/>.</p>
  </qti-item-body>
  <qti-response-processing
      template="https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/map_response.xml"/>
</qti-assessment-item>"""

QTI30_CHOICE = """<qti-assessment-item xmlns="http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
    identifier="tf3" title="t"><qti-response-declaration identifier="RESPONSE" cardinality="single"
    base-type="identifier"><qti-correct-response><qti-value>false</qti-value></qti-correct-response>
  </qti-response-declaration><qti-item-body><qti-choice-interaction response-identifier="RESPONSE"
    max-choices="1"><qti-prompt>The Moon is a planet.</qti-prompt>
    <qti-simple-choice identifier="true">True</qti-simple-choice>
    <qti-simple-choice identifier="false">False</qti-simple-choice></qti-choice-interaction>
  </qti-item-body></qti-assessment-item>"""


def test_qti30_packages_are_imported_too():
    data = package({
        "imsmanifest.xml": manifest(("r1", "imsqti_item_xmlv3p0", "q3.xml"),
                                    ("r2", "imsqti_item_xmlv3p0", "tf3.xml"),
                                    namespace="qti/qtiv3p0/imscp_v1p1"),
        "q3.xml": QTI30_ITEM, "tf3.xml": QTI30_CHOICE})
    capital, moon = import_qti(data).items
    assert capital.content == QuestionContent(
        question_type="short_answer", stem="The capital of France is ____.",
        short_answer=ShortAnswerSpec(accepted=[AcceptedAnswer(text="Paris")]))
    assert capital.not_mapped == ["the answer 'Lutetia' earned partial credit: not imported"]
    assert moon.content == QuestionContent(question_type="true_false",
                                           stem="The Moon is a planet.",
                                           true_false=TrueFalseSpec(correct=False))


def test_an_item_that_maps_to_invalid_content_is_reported_with_its_problems():
    item = FOREIGN_21.replace('cardinality="multiple"', 'cardinality="single"')
    data = package({"imsmanifest.xml": manifest(("i", "imsqti_item_xmlv2p1", "i.xml")),
                    "i.xml": item})
    [reported] = import_qti(data).items
    assert reported.content is None
    assert "choice.options: a single-choice question has exactly one correct option " \
           "(2 given)" in reported.not_mapped


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<quiz>&lol3;</quiz>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE quiz [<!ENTITY secret SYSTEM "file:///etc/passwd">]><quiz>&secret;</quiz>"""


@pytest.mark.parametrize("document", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_xml_with_entities_is_refused_everywhere(document):
    with pytest.raises(UnsafeInput, match="document type"):
        parse_xml(document)
    moodle = import_moodle_xml(document)
    assert moodle.questions == [] and "document type" in moodle.file_errors[0]
    in_manifest = import_qti(package({"imsmanifest.xml": document}))
    assert in_manifest.items == [] and "document type" in in_manifest.package_errors[0]
    in_item = import_qti(package({
        "imsmanifest.xml": manifest(("i", "imsqti_item_xmlv2p1", "i.xml")), "i.xml": document}))
    assert in_item.items[0].content is None
    assert "document type" in in_item.items[0].not_mapped[0]


@pytest.mark.parametrize("name", ["../evil.xml", "items/../../evil.xml", "/etc/cron.d/x",
                                  "C:/Windows/x.xml", "items\\..\\x.xml"])
def test_zip_entries_that_point_outside_the_package_refuse_it(name):
    data = package({"imsmanifest.xml": manifest(), name: "<x/>"})
    imported = import_qti(data)
    assert imported.items == []
    assert "points outside the package" in imported.package_errors[0]


def test_zip_limits_on_entries_and_unpacked_size():
    many = package({f"f{i}.xml": "<x/>" for i in range(5)})
    with pytest.raises(UnsafeInput, match="5 files; at most 4"):
        read_zip(many, max_entries=4)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", b"\x00" * 1_000_000)  # packs to about 1 KB
    assert len(out.getvalue()) < 10_000
    with pytest.raises(UnsafeInput, match="more than 100,000 bytes"):
        read_zip(out.getvalue(), max_bytes=100_000)
    assert read_zip(many) == {f"f{i}.xml": b"<x/>" for i in range(5)}


@pytest.mark.parametrize("data,message", [
    (b"not a zip", "not a zip file"),
    (package({"items/a.xml": "<x/>"}), "no imsmanifest.xml"),
    (package({"imsmanifest.xml": "<manifest><unclosed></manifest>"}), "not well-formed"),
])
def test_packages_that_are_not_qti_are_refused_with_a_reason(data, message):
    imported = import_qti(data)
    assert imported.items == [] and message in imported.package_errors[0]


# --- Moodle XML --------------------------------------------------------------------------

def test_a_moodle_question_bank_export_is_imported():
    imported = import_moodle_xml((SAMPLES / "moodle_quiz.xml").read_bytes())
    assert imported.file_errors == []
    by_name = {q.name: q for q in imported.questions}
    assert list(by_name) == ["Refraction index", "Primary colours of light", "Light is a wave",
                             "Lens name", "Focal length", "Rainbows", "Match the optics terms",
                             "Cloze: mirrors", "Drag the words", "Section intro"]
    assert by_name["Refraction index"].content == QuestionContent(
        question_type="single_choice", stem="Light travels slowest in which medium?",
        tags=["refraction", "week-3"], topic="Optics", choice=ChoiceSpec(options=[
            ChoiceOption(option_id="a", text="Air", feedback="n \u2248 1.0003"),
            ChoiceOption(option_id="b", text="Diamond", correct=True,
                         feedback="Right: n = 2.42"),
            ChoiceOption(option_id="c", text="Water")]))
    colours = by_name["Primary colours of light"]
    assert colours.content.stem == ("Which are additive primary colours?\n\n"
                                    "- Pick all that apply.\n- Wrong picks cost marks.")
    assert colours.content.choice == ChoiceSpec(scoring="per_option", wrong_pick_penalty=0.5,
                                                options=[
        ChoiceOption(option_id="a", text="Red", correct=True),
        ChoiceOption(option_id="b", text="Green", correct=True),
        ChoiceOption(option_id="c", text="Blue", correct=True),
        ChoiceOption(option_id="d", text="Yellow", feedback="Yellow is subtractive.")])
    assert colours.not_mapped == ["the general feedback is not imported"]
    assert by_name["Light is a wave"].content == QuestionContent(
        question_type="true_false", stem="Light shows interference & diffraction.",
        topic="Optics", true_false=TrueFalseSpec(correct=True))
    lens = by_name["Lens name"]
    assert lens.content.topic == "Optics / Lenses"
    assert lens.content.short_answer == ShortAnswerSpec(
        accepted=[AcceptedAnswer(text="convex")], pattern="(?i)(?:converging.*)")
    assert lens.not_mapped == ["the answer 'positive' at 50 % is not imported (only fully "
                               "correct answers are)"]
    focal = by_name["Focal length"]
    assert focal.content.short_answer == ShortAnswerSpec(
        numeric=NumericAnswer(value=25, tolerance=0.5))
    assert focal.not_mapped == ["units are not imported: students answer with the number alone"]
    rainbows = by_name["Rainbows"]
    assert rainbows.content.long_answer == LongAnswerSpec(
        model_answer="Dispersion, refraction and internal reflection in droplets.",
        max_words=250)
    assert rainbows.content.stem == "Explain how a rainbow forms."
    assert rainbows.not_mapped == ["the question text: the image '@@PLUGINFILE@@/rainbow.png' "
                                   "is not imported: upload it in the editor"]
    assert len(imported.valid) == 6


def test_moodle_types_without_a_soems_type_are_reported_by_name():
    imported = import_moodle_xml((SAMPLES / "moodle_quiz.xml").read_bytes())
    unmapped = {q.moodle_type: q.not_mapped for q in imported.questions if q.content is None}
    assert unmapped == {
        "matching": ["not imported: Moodle's 'matching' questions have no SOEMS question type"],
        "multianswer": ["not imported: Moodle's 'embedded answers (cloze)' questions have no "
                        "SOEMS question type"],
        "ddwtos": ["not imported: Moodle's 'drag and drop into text' questions have no SOEMS "
                   "question type"],
        "description": ["not imported: a description is text between questions, not a "
                        "question"]}


def moodle(question: str) -> bytes:
    return f"<quiz>{question}</quiz>".encode()


def test_moodle_all_or_nothing_multichoice_and_case_sensitive_wildcards():
    imported = import_moodle_xml(moodle(
        '<question type="multichoiceset"><name><text>Set</text></name>'
        '<questiontext format="plain_text"><text>Pick  both</text></questiontext>'
        '<answer fraction="50"><text>x</text></answer><answer fraction="50"><text>y</text>'
        '</answer><answer fraction="0"><text>z</text></answer></question>'
        '<question type="shortanswer"><name><text>Star</text></name>'
        '<questiontext><text>Say</text></questiontext><usecase>1</usecase>'
        '<answer fraction="100"><text>a*b</text></answer>'
        '<answer fraction="100"><text>lit\\*eral</text></answer>'
        '<answer fraction="100"><text>c.d*</text></answer></question>'))
    chosen, star = imported.questions
    assert chosen.content.question_type == "multiple_choice"
    assert chosen.content.stem == "Pick  both"  # plain text is kept as written
    assert chosen.content.choice.scoring == "all_or_nothing"
    assert [o.correct for o in chosen.content.choice.options] == [True, True, False]
    assert star.content.short_answer == ShortAnswerSpec(
        accepted=[AcceptedAnswer(text="lit*eral", case_sensitive=True)],
        pattern=r"(?:a.*b|c\.d.*)")


def test_a_moodle_question_that_maps_to_invalid_content_is_reported_not_imported():
    imported = import_moodle_xml(moodle(
        '<question type="truefalse"><name><text>Broken</text></name>'
        '<questiontext><text>&lt;p&gt;&lt;/p&gt;</text></questiontext>'
        '<answer fraction="0"><text>true</text></answer></question>'))
    [broken] = imported.questions
    assert broken.content is None
    assert broken.not_mapped[0].startswith("no answer 'true' or 'false' earns 100 %")
    assert "stem: the question text must not be blank" in broken.not_mapped


def test_a_file_that_is_not_moodle_xml_is_refused():
    assert import_moodle_xml(b"<questions/>").file_errors == [
        "the root element is <questions>, not <quiz>: not a Moodle XML question file"]
    assert "not well-formed" in import_moodle_xml(b"<quiz>").file_errors[0]
    odd = import_moodle_xml(b'<?xml version="1.0" encoding="utf-9"?><quiz/>')
    assert "unknown encoding" in odd.file_errors[0]


def test_html_becomes_plain_text_with_paragraphs_lists_and_media_reported():
    text, media = html_to_text(
        "<h3>Title</h3><p>One&nbsp;&amp;\n  two<br>three</p><script>alert(1)</script>"
        "<ol><li>first</li><li><em>second</em></li></ol><p><img src='a.png'></p>")
    assert text == "Title\n\nOne\u00a0& two\nthree\n\n- first\n- second"
    assert media == ["a.png"]
