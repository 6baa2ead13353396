"""The roles of SOEMS, defined once: tokens carry one, routes and deciders check them."""
from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    STUDENT = "student"
    TEACHER = "teacher"
    PROCTOR = "proctor"
    ADMIN = "admin"
    # Reads every published exam's analytics (figures over a cohort, never one student's
    # answers, marks or name); changes nothing.
    ANALYST = "analyst"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
