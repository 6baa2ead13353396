"""Given events, when a command, then events or a refusal: cohorts of students."""
from __future__ import annotations

import pytest

from command_api.cohorts.decider import (AddStudents, CreateCohort, RemoveStudents,
                                         RenameCohort, cohort_decider)
from schemas.envelope import Actor
from schemas.events.cohort import (CohortCreated, CohortRenamed, StudentsJoinedCohort,
                                   StudentsLeftCohort)
from schemas.refusals import Forbidden, Invalid, NotFound

OWNER = Actor(user_id="t-1", role="teacher")
COLLEAGUE = Actor(user_id="t-2", role="teacher")
ADMIN = Actor(user_id="a-1", role="admin")
CREATED = CohortCreated(cohort_id="c-1", name="Year 10 B", owner_id="t-1")


def given(*events):
    return cohort_decider.fold(list(events))


def when(state, command):
    return cohort_decider.decide(command, state)


def test_staff_create_cohorts_with_a_name():
    assert when(given(), CreateCohort("c-1", OWNER, " Year 10 B ")) == [CREATED]
    with pytest.raises(Invalid):
        when(given(), CreateCohort("c-1", OWNER, "  "))
    with pytest.raises(Forbidden):
        when(given(), CreateCohort("c-1", Actor(user_id="s", role="student"), "Mine"))


def test_members_join_and_leave_once():
    joined = StudentsJoinedCohort(cohort_id="c-1", student_ids=["s-1", "s-2"])
    assert when(given(CREATED), AddStudents("c-1", OWNER, ("s-2", "s-1"))) == [joined]
    assert when(given(CREATED, joined), AddStudents("c-1", ADMIN, ("s-1", "s-3"))) == [
        StudentsJoinedCohort(cohort_id="c-1", student_ids=["s-3"])]
    assert when(given(CREATED, joined), RemoveStudents("c-1", OWNER, ("s-1", "s-9"))) == [
        StudentsLeftCohort(cohort_id="c-1", student_ids=["s-1"])]
    assert given(CREATED, joined, StudentsLeftCohort(cohort_id="c-1", student_ids=["s-1"])
                 ).members == ("s-2",)


def test_only_the_owner_and_admins_change_a_cohort():
    with pytest.raises(Forbidden):
        when(given(CREATED), RenameCohort("c-1", COLLEAGUE, "Taken"))
    with pytest.raises(NotFound):
        when(given(CREATED), AddStudents("c-1", Actor(user_id="s", role="student"), ("s",)))
    assert when(given(CREATED), RenameCohort("c-1", ADMIN, "Year 10 C")) == [
        CohortRenamed(cohort_id="c-1", name="Year 10 C")]
