"""A tamper-evident log: every event is chained to the one before it in its stream, and signed
checkpoints seal the whole log in its global order.

- The chain hash of an event is ``sha256(previous chain hash of the stream | len(stream id) |
  stream id | version | body)``. PostgreSQL computes it as the event is inserted (a trigger
  owned by the log's owner: no service can set it), the relay publishes it with the event
  (Kafka headers ``soems-chain`` and ``soems-version``), so the store and the topics can each
  be checked. Changing an event's bytes breaks its link; removing one breaks the next link
  and leaves a gap in the versions.
- A checkpoint (``soems audit seal``) rolls every chain hash, in global order, into a root and
  signs ``position | root`` with Ed25519 (the key comes from settings; ``soems audit
  public-key`` prints its public half for auditors). Removing the last events of a stream, or a
  whole stream, changes the root of every checkpoint after it.
"""
from __future__ import annotations

import base64
import hashlib
import struct
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from cryptography.exceptions import InvalidSignature

GENESIS_ROOT = b"\x00" * 32
CHAIN_HEADER, VERSION_HEADER = "soems-chain", "soems-version"  # Kafka headers of an event


def link(previous: bytes | None, stream_id: str, version: int, body: bytes) -> bytes:
    """The chain hash of an event (the same bytes as eventlog.chain_event() in SQL)."""
    stream = stream_id.encode()
    return hashlib.sha256((previous or b"") + struct.pack(">i", len(stream)) + stream +
                          struct.pack(">i", version) + body).digest()


def roll(root: bytes, chain_hash: bytes) -> bytes:
    """The checkpoint root after one more event, in global order."""
    return hashlib.sha256(root + chain_hash).digest()


def checkpoint_message(position: int, root: bytes) -> bytes:
    return b"soems-checkpoint\n" + struct.pack(">q", position) + root


def signing_key(secret: str) -> Ed25519PrivateKey:
    """The audit signing key from its settings value (32 random bytes, URL-safe base64)."""
    raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    if len(raw) < 32:
        raise ValueError("SOEMS_AUDIT_SIGNING_KEY must hold at least 32 random bytes")
    return Ed25519PrivateKey.from_private_bytes(raw[:32])


def public_key_bytes(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def signature_holds(public_key: bytes, position: int, root: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            signature, checkpoint_message(position, root))
        return True
    except (InvalidSignature, ValueError):
        return False


@dataclass(frozen=True)
class Break:
    """The first link that does not hold, and why."""

    where: str  # "stream exam-1 version 3 (global position 17)" or a Kafka position
    why: str


@dataclass
class ChainCheck:
    """Checks events one by one, in each stream's order (any interleaving of streams)."""

    last: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    checked: int = 0
    redelivered: int = 0

    def check(self, stream_id: str, version: int, body: bytes, claimed: bytes | None,
              where: str) -> Break | None:
        self.checked += 1
        before = self.last.get(stream_id)
        if before is not None and (version, claimed) == before:
            self.redelivered += 1  # published twice (at-least-once relay): the same link
            return None
        expected_version = before[0] + 1 if before else 1
        if version != expected_version:
            return Break(where, f"version {version} follows version {expected_version - 1}: "
                                f"an event is missing or out of order")
        if claimed is None:
            return Break(where, "the event carries no chain hash")
        if link(before[1] if before else None, stream_id, version, body) != claimed:
            return Break(where, "the chain hash does not match the event's bytes and the "
                                "previous event: the event was changed, or one before it")
        self.last[stream_id] = (version, claimed)
        return None


@dataclass(frozen=True)
class Checkpoint:
    position: int
    root: bytes
    signature: bytes
    public_key: bytes


def first_forged(checkpoints: list[Checkpoint]) -> Break | None:
    for cp in checkpoints:
        if not signature_holds(cp.public_key, cp.position, cp.root, cp.signature):
            return Break(f"checkpoint at global position {cp.position}",
                         "its signature does not hold: the checkpoint was forged or changed")
    return None


@dataclass
class CheckpointCheck:
    """Rolls every link in global order (from ``root``) and compares the root at each
    checkpoint the events pass: call ``passing`` before each event, ``add`` after it, and
    ``finish`` at the end."""

    sealed: list[Checkpoint]
    root: bytes = GENESIS_ROOT
    verified: int = 0

    def passing(self, position: float) -> Break | None:
        while self.verified < len(self.sealed) and position > self.sealed[self.verified].position:
            checkpoint = self.sealed[self.verified]
            if self.root != checkpoint.root:
                return Break(f"checkpoint at global position {checkpoint.position}",
                             "the events up to it are not the events it sealed: one was "
                             "removed, added or changed (possibly the last of its stream)")
            self.verified += 1
        return None

    def add(self, chain_hash: bytes) -> None:
        if self.sealed:
            self.root = roll(self.root, chain_hash)

    def finish(self) -> Break | None:
        return self.passing(float("inf"))
