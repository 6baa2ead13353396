"""Files the query API hands out (results, item statistics): CSV that Excel and LibreOffice
open as UTF-8 (a BOM), in a JSON envelope like the question exports', so the SPA's generated
client reads it as any other answer.

Text that people typed (names, emails, question stems) is made inert for spreadsheets: a cell
starting with = + - @ (or a tab or carriage return) is a formula to them, so a student named
``=HYPERLINK(...)`` could run one on the teacher's machine (CSV injection). Such cells get a
leading apostrophe, which spreadsheets show as text and do not display. Numbers are written as
numbers.
"""
from __future__ import annotations

import base64
import csv
import io

from pydantic import BaseModel

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportedFile(BaseModel):
    filename: str
    content_type: str
    data_base64: str


def spreadsheet_safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_file(filename: str, header: list[str], rows: list[list[object]]) -> dict:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([["" if v is None else spreadsheet_safe(v) for v in row] for row in rows])
    data = ("\ufeff" + out.getvalue()).encode("utf-8")
    return {"filename": filename, "content_type": "text/csv",
            "data_base64": base64.b64encode(data).decode()}
