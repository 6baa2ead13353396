"""Personal data that can be erased from an immutable log: crypto-shredding.

Every person has their own data key (AES-256-GCM), kept outside the log in
``identity.person_keys``, wrapped by the master key from settings
(``SOEMS_PERSONAL_DATA_KEY``). Personal fields of events (names, emails, free-text reasons)
hold ``pd1:<nonce+ciphertext>`` sealed with that key, bound to the person and the field. The
log, the Kafka topics, their dead letters, snapshots and stored command outcomes therefore
hold no personal data in the clear. Erasing a person deletes their key: every copy of their
data, wherever it went, can no longer be read, and reveals as ``ERASED``.
"""
from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterable

import asyncpg
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "pd1:"
ERASED = "(erased)"
_NONCE = 12


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def master_key(secret: str) -> bytes:
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    if len(raw) < 32:
        raise RuntimeError("SOEMS_PERSONAL_DATA_KEY must hold at least 32 random bytes "
                           "(`soems stack install` generates one)")
    return raw[:32]


class PersonalData:
    """Seals and reveals people's personal fields; erases people. Data keys are cached for a
    short while per process (a person's key is read once per batch, not once per field)."""

    def __init__(self, pool: asyncpg.Pool, secret: str, cache_seconds: float = 30.0):
        self.pool, self._master = pool, AESGCM(master_key(secret))
        self.cache_seconds = cache_seconds
        self._keys: dict[str, tuple[bytes | None, float]] = {}

    # --- keys ------------------------------------------------------------------------------

    async def _key(self, user_id: str, create: bool) -> bytes | None:
        cached = self._keys.get(user_id)
        if cached and cached[1] > time.monotonic() and (cached[0] or not create):
            return cached[0]
        wrapped = await self.pool.fetchval(
            "SELECT wrapped_key FROM identity.person_keys WHERE user_id = $1", user_id)
        if wrapped is None and create:
            data_key = AESGCM.generate_key(bit_length=256)
            nonce = os.urandom(_NONCE)
            await self.pool.execute(
                "INSERT INTO identity.person_keys (user_id, wrapped_key) VALUES ($1, $2) "
                "ON CONFLICT (user_id) DO NOTHING", user_id,
                nonce + self._master.encrypt(nonce, data_key, user_id.encode()))
            wrapped = await self.pool.fetchval(  # a concurrent first seal may have won
                "SELECT wrapped_key FROM identity.person_keys WHERE user_id = $1", user_id)
        key = None if wrapped is None else self._unwrap(user_id, bytes(wrapped))
        self._keys[user_id] = (key, time.monotonic() + self.cache_seconds)
        return key

    def _unwrap(self, user_id: str, wrapped: bytes) -> bytes:
        return self._master.decrypt(wrapped[:_NONCE], wrapped[_NONCE:], user_id.encode())

    async def _load(self, user_ids: Iterable[str]) -> None:
        """Fetch the keys of many people in one query (for a projection's batch)."""
        now = time.monotonic()
        missing = sorted({u for u in user_ids if not (u in self._keys and
                                                      self._keys[u][1] > now)})
        if not missing:
            return
        rows = await self.pool.fetch("SELECT user_id, wrapped_key FROM identity.person_keys "
                                     "WHERE user_id = ANY($1::text[])", missing)
        found = {r["user_id"]: self._unwrap(r["user_id"], bytes(r["wrapped_key"]))
                 for r in rows}
        for user_id in missing:
            self._keys[user_id] = (found.get(user_id), now + self.cache_seconds)

    # --- fields ----------------------------------------------------------------------------

    async def has_key(self, user_id: str) -> bool:
        return await self._key(user_id, create=False) is not None

    async def seal(self, user_id: str, field: str, value: str | None) -> str | None:
        """``value`` sealed with the person's key (made on first use)."""
        if value is None:
            return None
        key = await self._key(user_id, create=True)
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(key).encrypt(nonce, value.encode(), f"{user_id}:{field}".encode())
        return PREFIX + base64.b64encode(nonce + sealed).decode()

    async def reveal(self, user_id: str, field: str, value: str | None) -> str | None:
        if not is_sealed(value):
            return value  # written before sealing existed, or not personal
        await self._load([user_id])
        return self._open(user_id, field, value)

    def _open(self, user_id: str, field: str, value: str) -> str:
        key = self._keys.get(user_id, (None, 0))[0]
        if key is None:
            return ERASED
        raw = base64.b64decode(value[len(PREFIX):])
        try:
            return AESGCM(key).decrypt(raw[:_NONCE], raw[_NONCE:],
                                       f"{user_id}:{field}".encode()).decode()
        except InvalidTag:
            return ERASED  # sealed with a key that no longer exists (erased, then re-made)

    async def reveal_fields(self, items: list[tuple[str, str, str | None]]) -> list[str | None]:
        """Reveal many (user id, field, value) at once: one key query for the lot."""
        await self._load(u for u, _, v in items if is_sealed(v))
        return [self._open(u, f, v) if is_sealed(v) else v for u, f, v in items]

    def forget(self, user_id: str) -> None:
        self._keys.pop(user_id, None)

    async def discard(self, user_id: str) -> None:
        """Delete a key that sealed nothing that was kept (a registration that was refused)."""
        await self.pool.execute("DELETE FROM identity.person_keys WHERE user_id = $1", user_id)
        self.forget(user_id)
