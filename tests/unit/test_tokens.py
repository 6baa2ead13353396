"""Access tokens: only our own, unexpired, HS256-signed access tokens are accepted."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from jose import jwt

from security.tokens import InvalidToken, issue_access_token, verify_access_token
from settings import Settings


@pytest.fixture
def s(tmp_path):
    return Settings(home=tmp_path, jwt_secret="k" * 43)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_fresh_token_names_the_user_and_role(s):
    token, lifetime = issue_access_token(s, "u-1", "teacher", "sess-1", "ep-1")
    assert lifetime == 15 * 60
    principal = verify_access_token(s, token)
    assert (principal.user_id, principal.role) == ("u-1", "teacher")


def test_an_expired_token_is_refused(s):
    token, _ = issue_access_token(s, "u-1", "teacher", "sess-1", "ep-1",
                                  now=datetime.now(timezone.utc) - timedelta(minutes=16))
    with pytest.raises(InvalidToken, match="expired"):
        verify_access_token(s, token)


def test_a_tampered_token_is_refused(s):
    token, _ = issue_access_token(s, "u-1", "student", "sess-1", "ep-1")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = ".".join([header, b64({**claims, "role": "admin"}), signature])
    with pytest.raises(InvalidToken):
        verify_access_token(s, forged)


def test_alg_none_is_refused(s):
    token, _ = issue_access_token(s, "u-1", "student", "sess-1", "ep-1")
    claims = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))
    unsigned = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64({**claims, 'role': 'admin'})}."
    with pytest.raises(InvalidToken, match="not accepted"):
        verify_access_token(s, unsigned)


def test_another_algorithm_or_key_is_refused(s):
    claims = {"sub": "u-1", "role": "admin", "typ": "access", "iss": s.jwt_issuer,
              "aud": s.jwt_audience, "exp": int(datetime.now(timezone.utc).timestamp()) + 60}
    with pytest.raises(InvalidToken):
        verify_access_token(s, jwt.encode(claims, s.jwt_secret, algorithm="HS512"))
    with pytest.raises(InvalidToken):
        verify_access_token(s, jwt.encode(claims, "another-key" * 4, algorithm="HS256"))


def test_a_token_for_another_audience_or_of_another_type_is_refused(s):
    now = int(datetime.now(timezone.utc).timestamp())
    base = {"sub": "u-1", "role": "admin", "iss": s.jwt_issuer, "exp": now + 60}
    with pytest.raises(InvalidToken):
        verify_access_token(s, jwt.encode({**base, "typ": "access", "aud": "elsewhere"},
                                          s.jwt_secret, algorithm="HS256"))
    with pytest.raises(InvalidToken):
        verify_access_token(s, jwt.encode({**base, "typ": "refresh", "aud": s.jwt_audience},
                                          s.jwt_secret, algorithm="HS256"))


def test_a_token_without_an_audience_or_a_session_is_refused(s):
    now = int(datetime.now(timezone.utc).timestamp())
    base = {"sub": "u-1", "role": "admin", "typ": "access", "iss": s.jwt_issuer,
            "exp": now + 60, "sid": "sess-1", "sep": "ep-1"}
    with pytest.raises(InvalidToken):
        verify_access_token(s, jwt.encode(base, s.jwt_secret, algorithm="HS256"))
    without_session = {k: v for k, v in base.items() if k not in ("sid", "sep")}
    with pytest.raises(InvalidToken, match="session"):
        verify_access_token(s, jwt.encode({**without_session, "aud": s.jwt_audience},
                                          s.jwt_secret, algorithm="HS256"))


def test_a_short_signing_secret_is_refused_at_start(tmp_path):
    from security.tokens import signing_secret
    with pytest.raises(RuntimeError, match="at least 32"):
        signing_secret(Settings(home=tmp_path, jwt_secret="too-short"))
