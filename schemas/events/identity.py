"""Events of the identity aggregate (one stream per user account: ``user-<id>``).

Credentials (password hashes, refresh tokens) are never in events: the log is kept forever and
replayed by auditors, so secrets stay in the command side's credential tables. Personal fields
(email, name, a disable reason) hold values sealed with the person's own key
(security/personal_data.py), so erasing the key erases them everywhere.
"""
from __future__ import annotations

from typing import ClassVar

from schemas.envelope import Aggregate, DomainEvent


IDENTITY = Aggregate("identity", stream_prefix="user")

class IdentityEvent(DomainEvent):
    aggregate: ClassVar[Aggregate] = IDENTITY
    abstract: ClassVar[bool] = True


class UserRegistered(IdentityEvent):
    abstract: ClassVar[bool] = False
    user_id: str
    email: str
    name: str
    role: str
    # "self" for student self-registration, "admin" when an admin created the account,
    # "cli" for the first admin made with `soems admin create`.
    registered_via: str


class UserProfileUpdated(IdentityEvent):
    abstract: ClassVar[bool] = False
    user_id: str
    name: str


class UserPasswordChanged(IdentityEvent):
    abstract: ClassVar[bool] = False
    user_id: str


class UserRoleChanged(IdentityEvent):
    abstract: ClassVar[bool] = False
    user_id: str
    old_role: str
    new_role: str


class UserDisabled(IdentityEvent):
    abstract: ClassVar[bool] = False
    user_id: str
    reason: str | None = None


class UserEnabled(IdentityEvent):
    abstract: ClassVar[bool] = False
    user_id: str


class NotificationPreferencesChanged(IdentityEvent):
    """What the person wants to be emailed about. Only reminders can be turned off: an
    exam assigned and results published are the exam's own business."""

    abstract: ClassVar[bool] = False
    user_id: str
    exam_reminders: bool


class PersonalDataErased(IdentityEvent):
    """The person's key was destroyed: their sealed fields can no longer be read anywhere."""

    abstract: ClassVar[bool] = False
    user_id: str
