"""Text that people type into SOEMS: any Unicode, but no control characters other than tab
and line breaks. PostgreSQL cannot store NUL in text at all (a name with one was a 500, found
by schemathesis), and the other C0/C1 controls have no business in a title or a name."""
from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def no_control_characters(value: str) -> str:
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValueError(f"must not contain control characters (found U+{ord(found.group()):04X} "
                         f"at position {found.start()})")
    return value


Text = Annotated[str, AfterValidator(no_control_characters)]


# An id named in a request body (a student, a question, a cohort): text without control
# characters or spaces (PostgreSQL cannot even compare a text with NUL in it).
EntityId = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=r"^\S+$"),
                     AfterValidator(no_control_characters)]
# An email address as pasted into a list (checked against the accounts, not by syntax).
PastedEmail = Annotated[str, StringConstraints(max_length=320),
                        AfterValidator(no_control_characters)]


def is_entity_id(value: str) -> bool:
    """Whether ``value`` has the shape of an ``EntityId`` (for ids inside a larger body that
    is checked field by field, such as a question's media ids)."""
    return 0 < len(value) <= 200 and not any(ch.isspace() for ch in value) \
        and CONTROL_CHARACTERS.search(value) is None
