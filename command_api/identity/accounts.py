"""Account use cases shared by the HTTP routes and the CLI (``soems admin create``): plain
functions over the event store, no HTTP."""
from __future__ import annotations

from typing import Annotated
from uuid import NAMESPACE_URL, uuid5

import asyncpg
from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from command_api.handling import handle, load_state
from command_api.identity import credentials
from command_api.identity.decider import RegisterUser, User, identity_decider
from eventlog.store import CommandContext, EventStore
from schemas.text import Text
from schemas.refusals import DomainError

_USER_IDS = uuid5(NAMESPACE_URL, "https://soems.org/user")

# Never stripped (the models strip names): " secret " is the password the user typed, and
# sign-in compares it as typed.
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=10,
                                            max_length=256)]
CurrentPassword = Annotated[str, StringConstraints(strip_whitespace=False, max_length=256)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]


class NewAccount(BaseModel):
    """What a new account needs, validated the same way for the API and the CLI."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    email: EmailStr
    name: Name
    password: Password


def user_view(user_id: str):
    """The outcome of an account command: the account as its owner and admins see it."""
    return lambda u: {"user_id": user_id, "email": u.email, "name": u.name, "role": u.role,
                      "disabled": u.disabled}


async def register_account(store: EventStore, email: str, name: str, password: str, role: str,
                           ctx: CommandContext, by_visitor: bool,
                           self_registration_open: bool = False) -> dict:
    """Create an account (self-registration, an admin, or the CLI) with its credentials in
    the same transaction. The user id derives from the command id: a retry names the same
    account."""
    user_id = str(uuid5(_USER_IDS, str(ctx.command_id)))
    password_hash = await credentials.hash_password(password)
    command = RegisterUser(user_id, email, name, role, None if by_visitor else ctx.actor,
                           self_registration_open)
    try:
        return await handle(
            store, identity_decider, user_id, command, ctx, user_view(user_id),
            also=lambda state, events: credentials.store_credentials(
                user_id, email, password_hash) if events else None)
    except asyncpg.UniqueViolationError as exc:  # the credentials' unique lower(email)
        raise DomainError("email_taken", "an account with this email already exists",
                          field="email") from exc


async def account(store: EventStore, user_id: str) -> tuple[User, int]:
    """An account's current state and version."""
    return await load_state(store, identity_decider, user_id)
