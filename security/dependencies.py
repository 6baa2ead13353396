"""FastAPI dependencies: the caller's identity from the bearer token, and role guards."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from security.tokens import InvalidToken, Principal, verify_access_token
from soems.settings import Settings, get_settings

_bearer = HTTPBearer(auto_error=False)

SettingsDep = Annotated[Settings, Depends(get_settings)]


def current_principal(
    s: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing bearer token",
                            headers={"WWW-Authenticate": "Bearer"})
    try:
        return verify_access_token(s, credentials.credentials)
    except InvalidToken as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, f"invalid token: {exc}",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


CurrentUser = Annotated[Principal, Depends(current_principal)]


def require_role(*roles: str):
    def guard(user: CurrentUser) -> Principal:
        if not user.has_role(*roles):
            raise HTTPException(status.HTTP_403_FORBIDDEN,
                                f"this needs the role {' or '.join(roles)}")
        return user
    return Depends(guard)
