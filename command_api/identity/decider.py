"""Account decisions, pure. Who may create which account, change roles, disable accounts."""
from __future__ import annotations

from dataclasses import dataclass, replace

from command_api.handling import Decider
from schemas.envelope import Actor, DomainEvent
from schemas.events.identity import (IDENTITY, NotificationPreferencesChanged,
                                     PersonalDataErased, UserDisabled, UserEnabled,
                                     UserPasswordChanged, UserProfileUpdated, UserRegistered,
                                     UserRoleChanged)

from schemas.refusals import DomainError, Forbidden, Invalid, NotFound
from security.roles import ROLES, Role


# Personal fields (email, name, reason) arrive sealed with the person's key
# (security/personal_data.py): deciders never see them in the clear, and neither do the events,
# the snapshots or the stored outcomes they make.

@dataclass(frozen=True)
class RegisterUser:
    user_id: str
    email: str  # sealed
    name: str  # sealed
    role: str
    actor: Actor | None  # None: a visitor registering themself
    self_registration_open: bool = False


@dataclass(frozen=True)
class UpdateProfile:
    user_id: str
    actor: Actor
    name: str


@dataclass(frozen=True)
class ChangePassword:
    """The route has verified the current password before this command exists."""

    user_id: str
    actor: Actor


@dataclass(frozen=True)
class ChangeRole:
    user_id: str
    actor: Actor
    new_role: str


@dataclass(frozen=True)
class DisableUser:
    user_id: str
    actor: Actor
    reason: str | None = None


@dataclass(frozen=True)
class SetNotificationPreferences:
    user_id: str
    actor: Actor
    exam_reminders: bool


@dataclass(frozen=True)
class EnableUser:
    user_id: str
    actor: Actor


@dataclass(frozen=True)
class EraseUser:
    """Erase a person's personal data (their key is destroyed in the same transaction)."""

    user_id: str
    actor: Actor


@dataclass(frozen=True)
class User:
    exists: bool = False
    email: str = ""
    name: str = ""
    role: str = ""
    disabled: bool = False
    erased: bool = False
    exam_reminders: bool = True


def evolve(state: User, event: DomainEvent) -> User:
    match event:
        case UserRegistered():
            return User(True, event.email, event.name, event.role)
        case UserProfileUpdated():
            return replace(state, name=event.name)
        case UserRoleChanged():
            return replace(state, role=event.new_role)
        case UserDisabled():
            return replace(state, disabled=True)
        case UserEnabled():
            return replace(state, disabled=False)
        case NotificationPreferencesChanged():
            return replace(state, exam_reminders=event.exam_reminders)
        case PersonalDataErased():
            return replace(state, email="", name="", disabled=True, erased=True)
    return state


def decide(command, state: User) -> list[DomainEvent]:
    match command:
        case RegisterUser():
            if state.exists:
                raise DomainError("user_exists", f"user {command.user_id} already exists")
            if command.role not in ROLES:
                raise Invalid("unknown_role", f"role must be one of {', '.join(ROLES)}",
                              field="role")
            via = _registration_channel(command)
            return [UserRegistered(user_id=command.user_id, email=command.email,
                                   name=command.name, role=command.role, registered_via=via)]
        case UpdateProfile():
            _exists(state, command.user_id)
            if command.actor.user_id != command.user_id:
                raise Forbidden("not_yourself", "you can only change your own profile")
            return [UserProfileUpdated(user_id=command.user_id, name=command.name)]
        case SetNotificationPreferences():
            _exists(state, command.user_id)
            if command.actor.user_id != command.user_id:
                raise Forbidden("not_yourself", "you can only change your own preferences")
            if state.exam_reminders == command.exam_reminders:
                return []
            return [NotificationPreferencesChanged(user_id=command.user_id,
                                                   exam_reminders=command.exam_reminders)]
        case ChangePassword():
            _exists(state, command.user_id)
            if command.actor.user_id != command.user_id:
                raise Forbidden("not_yourself", "you can only change your own password")
            return [UserPasswordChanged(user_id=command.user_id)]
        case ChangeRole():
            _admin(command.actor)
            _exists(state, command.user_id)
            if command.new_role not in ROLES:
                raise Invalid("unknown_role", f"role must be one of {', '.join(ROLES)}",
                              field="role")
            if command.actor.user_id == command.user_id:
                raise DomainError("own_role", "admins cannot change their own role")
            if command.new_role == state.role:
                return []
            return [UserRoleChanged(user_id=command.user_id, old_role=state.role,
                                    new_role=command.new_role)]
        case DisableUser():
            _admin(command.actor)
            _exists(state, command.user_id)
            if command.actor.user_id == command.user_id:
                raise DomainError("own_account", "admins cannot disable their own account")
            return [] if state.disabled else [UserDisabled(user_id=command.user_id,
                                                           reason=command.reason)]
        case EnableUser():
            _admin(command.actor)
            _exists(state, command.user_id)
            if command.actor.user_id == command.user_id:
                raise DomainError("own_account", "admins cannot enable their own account")
            if state.erased:
                raise DomainError("account_erased", "an erased account cannot be enabled")
            return [UserEnabled(user_id=command.user_id)] if state.disabled else []
        case EraseUser():
            if command.actor.role not in (Role.ADMIN, "system"):
                raise Forbidden("not_an_admin", "this needs the admin role")
            _exists(state, command.user_id)
            return [] if state.erased else [PersonalDataErased(user_id=command.user_id)]
    raise TypeError(f"not an identity command: {command!r}")


def _registration_channel(command: RegisterUser) -> str:
    actor = command.actor
    if actor is None:
        if not command.self_registration_open:
            raise Forbidden("registration_closed", "self-registration is turned off")
        if command.role != Role.STUDENT:
            raise Forbidden("students_only", "only students register themselves", )
        return "self"
    if actor.role == "system":
        return "cli"
    if actor.role == Role.ADMIN:
        return "admin"
    raise Forbidden("not_an_admin", "only admins create accounts")


def _admin(actor: Actor) -> None:
    if actor.role != Role.ADMIN:
        raise Forbidden("not_an_admin", "this needs the admin role")


def _exists(state: User, user_id: str) -> None:
    if not state.exists:
        raise NotFound("user_not_found", f"user {user_id} does not exist")


identity_decider = Decider(IDENTITY, initial=User(), decide=decide, evolve=evolve)
