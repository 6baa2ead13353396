"""Given events, when a command, then events or a refusal: accounts and roles."""
from __future__ import annotations

import pytest

from command_api.identity.decider import (ChangePassword, ChangeRole, DisableUser, EnableUser,
                                          RegisterUser, UpdateProfile, identity_decider)
from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from schemas.envelope import SYSTEM, Actor
from schemas.events.identity import (UserDisabled, UserEnabled, UserPasswordChanged,
                                     UserProfileUpdated, UserRegistered, UserRoleChanged)

ADMIN = Actor(user_id="a-1", role="admin")
TEACHER = Actor(user_id="t-1", role="teacher")
STUDENT = Actor(user_id="u-1", role="student")
REGISTERED = UserRegistered(user_id="u-1", email="sam@example.edu", name="Sam", role="student",
                            registered_via="self")


def given(*events):
    return identity_decider.fold(list(events))


def when(state, command):
    return identity_decider.decide(command, state)


def test_a_visitor_registers_as_a_student_when_self_registration_is_open():
    command = RegisterUser("u-1", "sam@example.edu", "Sam", "student", None, True)
    assert when(given(), command) == [REGISTERED]


def test_self_registration_can_be_turned_off():
    with pytest.raises(Forbidden) as refused:
        when(given(), RegisterUser("u-1", "sam@example.edu", "Sam", "student", None, False))
    assert refused.value.code == "registration_closed"


def test_a_visitor_cannot_register_as_a_teacher():
    with pytest.raises(Forbidden):
        when(given(), RegisterUser("u-1", "x@example.edu", "X", "teacher", None, True))


@pytest.mark.parametrize("role", ["teacher", "proctor", "admin"])
def test_admins_create_staff_accounts(role):
    [event] = when(given(), RegisterUser("u-2", "p@example.edu", "P", role, ADMIN))
    assert event.role == role and event.registered_via == "admin"


def test_the_first_admin_comes_from_the_command_line():
    [event] = when(given(), RegisterUser("u-3", "root@example.edu", "Root", "admin", SYSTEM))
    assert event.registered_via == "cli"


def test_a_teacher_cannot_create_accounts():
    with pytest.raises(Forbidden):
        when(given(), RegisterUser("u-2", "p@example.edu", "P", "proctor", TEACHER))


def test_an_unknown_role_is_refused_naming_the_field():
    with pytest.raises(Invalid) as refused:
        when(given(), RegisterUser("u-2", "p@example.edu", "P", "janitor", ADMIN))
    assert refused.value.field == "role"


def test_users_change_only_their_own_profile_and_password():
    assert when(given(REGISTERED), UpdateProfile("u-1", STUDENT, "Samantha")) == [
        UserProfileUpdated(user_id="u-1", name="Samantha")]
    assert when(given(REGISTERED), ChangePassword("u-1", STUDENT)) == [
        UserPasswordChanged(user_id="u-1")]
    with pytest.raises(Forbidden):
        when(given(REGISTERED), UpdateProfile("u-1", TEACHER, "Hijack"))


def test_admins_change_roles_but_not_their_own():
    assert when(given(REGISTERED), ChangeRole("u-1", ADMIN, "proctor")) == [
        UserRoleChanged(user_id="u-1", old_role="student", new_role="proctor")]
    assert when(given(REGISTERED), ChangeRole("u-1", ADMIN, "student")) == []
    admin_account = UserRegistered(user_id="a-1", email="a@example.edu", name="A", role="admin",
                                   registered_via="cli")
    with pytest.raises(DomainError):
        when(given(admin_account), ChangeRole("a-1", ADMIN, "student"))
    with pytest.raises(Forbidden):
        when(given(REGISTERED), ChangeRole("u-1", TEACHER, "admin"))


def test_disabling_and_enabling_is_idempotent():
    disabled = UserDisabled(user_id="u-1", reason="left")
    assert when(given(REGISTERED), DisableUser("u-1", ADMIN, "left")) == [disabled]
    assert when(given(REGISTERED, disabled), DisableUser("u-1", ADMIN)) == []
    assert when(given(REGISTERED, disabled), EnableUser("u-1", ADMIN)) == [
        UserEnabled(user_id="u-1")]
    assert when(given(REGISTERED), EnableUser("u-1", ADMIN)) == []


def test_commands_on_unknown_accounts_are_not_found():
    with pytest.raises(NotFound):
        when(given(), DisableUser("u-9", ADMIN))
