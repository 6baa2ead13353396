"""Access tokens: short-lived JWTs signed with HS256 (python-jose).

Verification pins the algorithm, issuer, audience and token type, so a token signed with
``alg: none``, another algorithm, another key, or a refresh token used as an access token is
refused. Refresh tokens are opaque random strings stored hashed on the command side.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from jose import JWTError, jwt

from settings import Settings

ALGORITHM = "HS256"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class Principal:
    """The authenticated caller."""

    user_id: str
    role: str
    session_id: str = ""  # the refresh-token family the session was signed in with
    session_epoch: str = ""  # the user's session epoch when the token was issued

    def has_role(self, *roles: str) -> bool:
        return self.role in roles


MIN_SECRET_LENGTH = 32  # HS256 needs a key of at least its hash's size (RFC 7518 3.2)


def signing_secret(s: Settings) -> str:
    """The token signing secret; services refuse to start without a long enough one."""
    if not s.jwt_secret:
        raise RuntimeError("SOEMS_JWT_SECRET is empty: set it, or let `soems stack up` "
                           "generate the local one")
    if len(s.jwt_secret) < MIN_SECRET_LENGTH:
        raise RuntimeError(f"SOEMS_JWT_SECRET has {len(s.jwt_secret)} characters; HS256 "
                           f"needs at least {MIN_SECRET_LENGTH}")
    return s.jwt_secret


def issue_access_token(s: Settings, user_id: str, role: str, session_id: str,
                       session_epoch: str, now: datetime | None = None) -> tuple[str, int]:
    """A signed access token and its lifetime in seconds."""
    secret = signing_secret(s)
    now = now or datetime.now(timezone.utc)
    lifetime = timedelta(minutes=s.access_token_minutes)
    claims = {
        "sub": user_id, "role": role, "typ": "access", "jti": uuid4().hex,
        "sid": session_id, "sep": session_epoch,
        "iss": s.jwt_issuer, "aud": s.jwt_audience,
        "iat": int(now.timestamp()), "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM), int(lifetime.total_seconds())


# Tokens already verified, until they expire: a client sends the same token with every
# request, and checking its signature and claims again costs more than the rest of auth.
_VERIFIED: dict[tuple[str, str], tuple[Principal, int]] = {}
_VERIFIED_MAX = 10_000


def verify_access_token(s: Settings, token: str) -> Principal:
    cache_key = (s.jwt_secret, token)
    known = _VERIFIED.get(cache_key)
    if known is not None and known[1] > time.time():
        return known[0]
    principal, expires = _verify(s, token)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    _VERIFIED[cache_key] = (principal, expires)
    return principal


def _verify(s: Settings, token: str) -> tuple[Principal, int]:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted")
        claims = jwt.decode(token, s.jwt_secret, algorithms=[ALGORITHM],
                            audience=s.jwt_audience, issuer=s.jwt_issuer,
                            options={"require_exp": True, "require_sub": True,
                                     "require_aud": True, "require_iss": True})
    except JWTError as exc:
        raise InvalidToken(str(exc)) from exc
    if claims.get("typ") != "access" or not claims.get("role"):
        raise InvalidToken("not an access token")
    if not isinstance(claims.get("sid"), str) or not isinstance(claims.get("sep"), str):
        raise InvalidToken("the token names no session")
    return Principal(user_id=claims["sub"], role=claims["role"], session_id=claims["sid"],
                     session_epoch=claims["sep"]), int(claims["exp"])
