"""FastAPI dependencies: the caller's identity from the bearer token, and role guards."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from schemas.refusals import Forbidden, Unauthenticated
from security.sessions import Sessions
from security.throttle import Throttle
from security.tokens import InvalidToken, Principal, verify_access_token
from settings import Settings, get_settings

_bearer = HTTPBearer(auto_error=False)

async def _settings() -> Settings:
    # Every dependency is async: FastAPI runs a plain ``def`` one in its thread pool, a
    # thread hand-off per dependency per request (measured as CPU the command API spent).
    return get_settings()


SettingsDep = Annotated[Settings, Depends(_settings)]


async def _sessions(request: Request) -> Sessions:
    return request.app.state.sessions


SessionsDep = Annotated[Sessions, Depends(_sessions)]


async def _throttle(request: Request) -> Throttle:
    return request.app.state.throttle


ThrottleDep = Annotated[Throttle, Depends(_throttle)]


async def _client_address(request: Request) -> str:
    # The peer, or the gateway's X-Forwarded-For when uvicorn trusts the gateway
    # (--forwarded-allow-ips): never a header an arbitrary client sets.
    return request.client.host if request.client else "unknown"


ClientAddress = Annotated[str, Depends(_client_address)]


async def current_principal(
    s: SettingsDep, sessions: SessionsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("missing_token", "missing bearer token")
    return await principal_of(s, sessions, credentials.credentials)


async def principal_of(s: Settings, sessions: Sessions, token: str) -> Principal:
    """Who an access token speaks for, if it is valid and its session current (also for a
    WebSocket, whose first message carries the token: a browser cannot set its headers)."""
    try:
        principal = verify_access_token(s, token)
    except InvalidToken as exc:
        raise Unauthenticated("invalid_token", f"invalid token: {exc}") from exc
    # Checked on every request, never cached: a disabled or demoted user, a new password or
    # a sign-out ends the token from the next request on.
    if not await sessions.is_current(principal.user_id, principal.session_id,
                                     principal.session_epoch):
        raise Unauthenticated("session_ended", "this session has ended; sign in again")
    return principal


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str):
    async def guard(user: CurrentUser) -> Principal:
        if not user.has_role(*roles):
            raise Forbidden("role_required", f"this needs the role {' or '.join(roles)}")
        return user
    return Depends(guard)
