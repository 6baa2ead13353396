"""Text that people type into SOEMS: any Unicode, but no control characters other than tab
and line breaks. PostgreSQL cannot store NUL in text at all (a name with one was a 500, found
by schemathesis), and the other C0/C1 controls have no business in a title or a name."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_characters(value: str) -> str:
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValueError(f"must not contain control characters (found U+{ord(found.group()):04X} "
                         f"at position {found.start()})")
    return value


Text = Annotated[str, AfterValidator(no_control_characters)]
