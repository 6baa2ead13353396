"""Events of the cohort aggregate (one stream per cohort of students, a class or a course
group: ``cohort-<id>``). Teachers and admins keep cohorts so an exam is assigned to a whole
class at once; the assignment takes the members at that moment (a later joiner is assigned
by assigning the cohort again)."""
from __future__ import annotations

from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent


COHORT = Aggregate("cohort", stream_prefix="cohort")


class CohortEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = COHORT
    abstract: ClassVar[bool] = True


class CohortCreated(CohortEvent):
    abstract: ClassVar[bool] = False
    cohort_id: str
    name: str
    owner_id: str


class CohortRenamed(CohortEvent):
    abstract: ClassVar[bool] = False
    cohort_id: str
    name: str


class StudentsJoinedCohort(CohortEvent):
    abstract: ClassVar[bool] = False
    cohort_id: str
    student_ids: list[str]


class StudentsLeftCohort(CohortEvent):
    abstract: ClassVar[bool] = False
    cohort_id: str
    student_ids: list[str]
