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
from security.personal_data import PersonalData
from schemas.refusals import DomainError, NotFound

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
    """The outcome of an account command: the account as its owner and admins see it, with
    its personal fields still sealed (outcomes are stored: they must hold no personal data in
    the clear). ``revealed`` opens them for the answer."""
    return lambda u: {"user_id": user_id, "email": u.email, "name": u.name, "role": u.role,
                      "disabled": u.disabled}


async def revealed(personal: PersonalData, account: dict) -> dict:
    """An account outcome with its email and name readable (or ERASED)."""
    user_id = account["user_id"]
    email, name = await personal.reveal_fields([(user_id, "email", account["email"]),
                                                (user_id, "name", account["name"])])
    return {**account, "email": email, "name": name}


async def seal_for(store: EventStore, personal: PersonalData, user_id: str, field: str,
                   value: str | None) -> str | None:
    """Seal a personal field for an existing account. No key is made for an account that
    does not exist, and nothing is written for an erased one."""
    if value is None or await personal.has_key(user_id):
        return await personal.seal(user_id, field, value)
    user, _ = await account(store, user_id)
    if not user.exists:
        raise NotFound("user_not_found", f"user {user_id} does not exist")
    if user.erased:
        raise DomainError("account_erased", "this account's personal data was erased")
    return await personal.seal(user_id, field, value)  # an account from before sealing


def user_id_for(command_id) -> str:
    """The id of the account a registration command creates: a retry names the same one."""
    return str(uuid5(_USER_IDS, str(command_id)))


async def register_account(store: EventStore, personal: PersonalData, email: str, name: str,
                           password: str, role: str, ctx: CommandContext, by_visitor: bool,
                           self_registration_open: bool = False) -> dict:
    """Create an account (self-registration, an admin, or the CLI) with its credentials in
    the same transaction. The user id derives from the command id: a retry names the same
    account. Email and name go into the log sealed with the person's own key."""
    user_id = user_id_for(ctx.command_id)
    password_hash = await credentials.hash_password(password)
    command = RegisterUser(user_id, await personal.seal(user_id, "email", email),
                           await personal.seal(user_id, "name", name), role,
                           None if by_visitor else ctx.actor, self_registration_open)
    try:
        try:
            outcome = await handle(
                store, identity_decider, user_id, command, ctx, user_view(user_id),
                also=lambda state, events: credentials.store_credentials(
                    user_id, email, password_hash) if events else None)
        except asyncpg.UniqueViolationError as exc:  # the credentials' unique lower(email)
            raise DomainError("email_taken", "an account with this email already exists",
                              field="email") from exc
    except DomainError:
        if not (await account(store, user_id))[0].exists:
            await personal.discard(user_id)  # no account came of it: no key left behind
        raise
    return await revealed(personal, outcome)


async def account(store: EventStore, user_id: str) -> tuple[User, int]:
    """An account's current state and version."""
    return await load_state(store, identity_decider, user_id)
