"""Accounts and sign-in: register, login, refresh, logout, profile; admins manage users."""
from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID, uuid4, uuid5

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from command_api.dependencies import Command, Personal, Pool, Store, VisitorCommand
from command_api.handling import handle
from command_api.identity import credentials
from command_api.identity.accounts import (CurrentPassword, Name, NewAccount, Password, account,
                                           register_account, revealed, seal_for, user_view)
from command_api.identity.decider import (ChangePassword, ChangeRole, DisableUser, EnableUser,
                                          SetNotificationPreferences, UpdateProfile,
                                          identity_decider)
from eventlog.store import CommandContext
from schemas.refusals import Forbidden, Invalid, Unauthenticated
from schemas.text import Text
from security import throttle as throttle_rules
from security.dependencies import (ClientAddress, CurrentUser, SessionsDep, SettingsDep,
                                   ThrottleDep, require_role)
from security.roles import Role
from security.tokens import issue_access_token

auth = APIRouter(prefix="/v1/auth", tags=["auth"])
users = APIRouter(prefix="/v1/users", tags=["users"])



class RegisterIn(NewAccount):
    pass


class CreateUserIn(RegisterIn):
    role: Role


class LoginIn(BaseModel):
    email: EmailStr
    password: CurrentPassword


class RefreshIn(BaseModel):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class LogoutIn(BaseModel):
    refresh_token: Annotated[str | None, Field(max_length=512)] = None


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Name | None = None
    current_password: CurrentPassword | None = None
    new_password: Password | None = None


class NotificationPreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    exam_reminders: bool = Field(description="email me a reminder before an exam I am "
                                             "assigned opens")


class NotificationPreferencesOut(BaseModel):
    user_id: str
    exam_reminders: bool


class RoleIn(BaseModel):
    role: Role


class DisableIn(BaseModel):
    reason: Annotated[Text | None, Field(max_length=500)] = None


class UserOut(BaseModel):
    user_id: str
    email: str
    name: str
    role: str
    disabled: bool = False
    version: int


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    expires_in: int


class LoginOut(TokensOut):
    user: UserOut


@auth.post("/register", status_code=status.HTTP_201_CREATED, response_model=UserOut,
           summary="Create a student account (when self-registration is on)")
async def register(body: RegisterIn, ctx: VisitorCommand, store: Store, s: SettingsDep,
                   throttle: ThrottleDep, address: ClientAddress, personal: Personal):
    await throttle.count(f"register:{address}", s.registrations_per_address_per_hour, 3600)
    return await register_account(store, personal, str(body.email), body.name, body.password,
                                  Role.STUDENT, ctx, by_visitor=True,
                                  self_registration_open=s.self_registration)


@auth.post("/login", response_model=LoginOut, summary="Sign in with email and password")
async def login(body: LoginIn, store: Store, pool: Pool, s: SettingsDep, sessions: SessionsDep,
                response: Response, throttle: ThrottleDep, address: ClientAddress,
                personal: Personal):
    email = str(body.email).lower()
    guesses = {f"login:{email}:{address}": throttle_rules.ACCOUNT_FROM_ADDRESS,
               f"login:{email}": throttle_rules.ACCOUNT,
               f"login-from:{address}": throttle_rules.ADDRESS}
    await throttle.check(*guesses)  # before any password hash is computed
    found = await credentials.find_login(pool, email)
    if not await credentials.password_matches(found[1] if found else None, body.password):
        for guess, back_off in guesses.items():
            await throttle.failed(guess, back_off)
        raise Unauthenticated("wrong_credentials", "wrong email or password")
    await throttle.succeeded(f"login:{email}:{address}")
    user, version = await account(store, found[0])
    if user.disabled:
        raise Forbidden("account_disabled", "this account is disabled")
    session = uuid4()  # the refresh-token family, named by the access tokens too
    refresh = await credentials.issue_refresh_token(pool, found[0], s.refresh_token_days,
                                                    session)
    access, lifetime = issue_access_token(s, found[0], user.role, str(session),
                                          await sessions.epoch_of(found[0]))
    _not_cached(response)
    return {"access_token": access, "refresh_token": refresh, "expires_in": lifetime,
            "user": {**await revealed(personal, user_view(found[0])(user)), "version": version}}


def _not_cached(response: Response) -> None:
    """Token responses must not be kept by browsers or proxies (RFC 6749 5.1)."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"


@auth.post("/refresh", response_model=TokensOut,
           summary="Trade a refresh token for new tokens (the old one is spent)")
async def refresh(body: RefreshIn, store: Store, pool: Pool, s: SettingsDep,
                  sessions: SessionsDep, response: Response, throttle: ThrottleDep,
                  address: ClientAddress):
    await throttle.check(f"refresh-from:{address}")
    outcome = await credentials.rotate_refresh_token(
        pool, body.refresh_token, s.refresh_token_days,
        timedelta(seconds=s.refresh_reuse_grace_seconds))
    if outcome.user_id is None:
        await throttle.failed(f"refresh-from:{address}", throttle_rules.ADDRESS)
        raise Unauthenticated("invalid_refresh_token", outcome.reason)
    user, _ = await account(store, outcome.user_id)
    if user.disabled:
        await credentials.revoke_all(pool, outcome.user_id)
        raise Forbidden("account_disabled", "this account is disabled")
    access, lifetime = issue_access_token(s, outcome.user_id, user.role, str(outcome.family_id),
                                          await sessions.epoch_of(outcome.user_id))
    _not_cached(response)
    return {"access_token": access, "refresh_token": outcome.token, "expires_in": lifetime}


@auth.post("/logout", status_code=status.HTTP_204_NO_CONTENT,
           summary="End this session (or every session when no refresh token is given)")
async def logout(body: LogoutIn, user: CurrentUser, pool: Pool, sessions: SessionsDep):
    if body.refresh_token:  # this session: the caller's, and the one the token belongs to
        ended = {UUID(user.session_id)}
        named = await credentials.family_of(pool, body.refresh_token, user.user_id)
        if named is not None:
            ended.add(named)
        for session in ended:
            await credentials.revoke_family(pool, session, user.user_id)
            await sessions.end(str(session))
    else:
        await credentials.revoke_all(pool, user.user_id)
        await sessions.end_all(user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@auth.put("/me", response_model=UserOut, summary="Change your name and/or password")
async def update_me(body: ProfileIn, ctx: Command, store: Store, pool: Pool,
                    sessions: SessionsDep, throttle: ThrottleDep, address: ClientAddress,
                    personal: Personal):
    if body.name is None and body.new_password is None:
        raise Invalid("nothing_to_change", "give a name or a new_password", field="name")
    me = ctx.actor.user_id
    new_hash = None
    if body.new_password is not None:  # checked before anything is changed
        guess = f"password:{me}:{address}"
        await throttle.check(guess)
        current = await credentials.password_hash_of(pool, me)
        if not body.current_password or \
                not await credentials.password_matches(current, body.current_password):
            await throttle.failed(guess, throttle_rules.ACCOUNT_FROM_ADDRESS)
            raise Invalid("wrong_password", "the current password is wrong",
                          field="current_password")
        await throttle.succeeded(guess)
        new_hash = await credentials.hash_password(body.new_password)
    result = None
    if body.name is not None:
        sub = CommandContext(uuid5(ctx.command_id, "profile"), ctx.actor, ctx.command_id,
                             request_digest=ctx.request_digest)
        name = await seal_for(store, personal, me, "name", body.name)
        result = await handle(store, identity_decider, me,
                              UpdateProfile(me, ctx.actor, name), sub, user_view(me))
    if new_hash is not None:
        sub = CommandContext(uuid5(ctx.command_id, "password"), ctx.actor, ctx.command_id,
                             request_digest=ctx.request_digest)
        result = await handle(store, identity_decider, me,
                              ChangePassword(me, ctx.actor), sub, user_view(me),
                              also=lambda state, events: credentials.replace_password(
                                  me, new_hash))
        # A new password ends every session, this one too: sign in again with it.
        await sessions.end_all(me)
    return await revealed(personal, result)


@auth.put("/me/notifications", response_model=NotificationPreferencesOut,
          summary="Choose what you are emailed about (reminders before an exam opens)")
async def set_my_notifications(body: NotificationPreferencesIn, ctx: Command, store: Store):
    me = ctx.actor.user_id
    return await handle(store, identity_decider, me,
                        SetNotificationPreferences(me, ctx.actor, body.exam_reminders), ctx,
                        lambda u: {"user_id": me, "exam_reminders": u.exam_reminders})


@users.post("", status_code=status.HTTP_201_CREATED, response_model=UserOut,
            dependencies=[require_role(Role.ADMIN)], summary="Create an account (admins)")
async def create_user(body: CreateUserIn, ctx: Command, store: Store, personal: Personal):
    return await register_account(store, personal, str(body.email), body.name, body.password,
                                  body.role, ctx, by_visitor=False)


@users.put("/{user_id}/role", response_model=UserOut, summary="Change a user's role (admins)")
async def change_role(user_id: str, body: RoleIn, ctx: Command, store: Store,
                      sessions: SessionsDep, personal: Personal):
    result = await handle(store, identity_decider, user_id,
                          ChangeRole(user_id, ctx.actor, body.role), ctx, user_view(user_id))
    await sessions.end_all(user_id)  # tokens carry the role: the old ones must stop working
    return await revealed(personal, result)


@users.post("/{user_id}/disable", response_model=UserOut,
            summary="Disable an account and end its sessions (admins)")
async def disable_user(user_id: str, body: DisableIn, ctx: Command, store: Store,
                       sessions: SessionsDep, personal: Personal):
    async def end_sessions(conn) -> None:
        await conn.execute("UPDATE identity.refresh_tokens SET revoked_at = now() "
                           "WHERE user_id = $1 AND revoked_at IS NULL", user_id)
    if ctx.actor.role != Role.ADMIN:  # before a reason is sealed for someone's account
        raise Forbidden("not_an_admin", "this needs the admin role")
    reason = await seal_for(store, personal, user_id, "reason", body.reason)
    result = await handle(store, identity_decider, user_id,
                          DisableUser(user_id, ctx.actor, reason), ctx,
                          user_view(user_id), also=lambda state, events: end_sessions)
    await sessions.end_all(user_id)
    return await revealed(personal, result)


@users.post("/{user_id}/enable", response_model=UserOut, summary="Enable an account (admins)")
async def enable_user(user_id: str, ctx: Command, store: Store, personal: Personal):
    return await revealed(personal, await handle(store, identity_decider, user_id,
                                                 EnableUser(user_id, ctx.actor), ctx,
                                                 user_view(user_id)))
