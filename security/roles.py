"""The roles of SOEMS, defined once: tokens carry one, routes and deciders check them."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    PROCTOR = "proctor"
    ADMIN = "admin"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
