"""Audit bundles: a range of the log that an auditor verifies offline, with only the public key.

``soems audit export --from P --to Q FILE`` writes JSON lines:

1. a header: the range, the checkpoint root the range starts from (the checkpoint just before
   it: the range is widened to start right after a checkpoint), and the public key;
2. an anchor per stream: the version and chain hash of its last event before the range;
3. every event of the range in global order (body in base64, chain hash in hex);
4. every checkpoint in the range (position, root, signature);
5. a last line signing the SHA-256 of all the lines before it.

``soems audit verify-bundle FILE --public-key HEX`` checks the signature of the bundle, each
checkpoint's signature, every event's link (from its stream's anchor) and every checkpoint's
root (rolled from the starting root). Nothing else is needed: no database, no network.
"""
from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from eventlog.chain import (GENESIS_ROOT, Break, ChainCheck, Checkpoint, CheckpointCheck,
                            first_forged, public_key_bytes)

FORMAT = "soems-audit-bundle/1"


@dataclass(frozen=True)
class BundleReport:
    events: int
    checkpoints: int
    first_break: Break | None

    @property
    def holds(self) -> bool:
        return self.first_break is None


async def export(pool: asyncpg.Pool, key, start: int, end: int, path: Path,
                 table: str = "eventlog.events",
                 checkpoint_table: str = "eventlog.checkpoints") -> tuple[int, int]:
    """Write the bundle of global positions ``start``..``end``; return (events, checkpoints)."""
    async with pool.acquire() as conn:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            anchor = await conn.fetchrow(
                f"SELECT position, root FROM {checkpoint_table} WHERE position < $1 "
                "ORDER BY position DESC LIMIT 1", start)
            first = anchor["position"] + 1 if anchor else 1
            root = bytes(anchor["root"]) if anchor else GENESIS_ROOT
            lines = [{"format": FORMAT, "from": first, "to": end, "root": root.hex(),
                      "public_key": public_key_bytes(key).hex()}]
            anchors = await conn.fetch(
                f"SELECT DISTINCT ON (e.stream_id) e.stream_id, e.stream_version, e.chain_hash "
                f"FROM {table} e WHERE e.global_position < $1 AND e.stream_id IN "
                f"(SELECT stream_id FROM {table} WHERE global_position BETWEEN $1 AND $2) "
                f"ORDER BY e.stream_id, e.stream_version DESC", first, end)
            lines += [{"anchor": a["stream_id"], "version": a["stream_version"],
                       "chain": bytes(a["chain_hash"]).hex()} for a in anchors]
            events = 0
            async for e in conn.cursor(
                    f"SELECT global_position, stream_id, stream_version, body, chain_hash "
                    f"FROM {table} WHERE global_position BETWEEN $1 AND $2 "
                    f"ORDER BY global_position", first, end, prefetch=10_000):
                lines.append({"position": e["global_position"], "stream": e["stream_id"],
                              "version": e["stream_version"],
                              "body": base64.b64encode(bytes(e["body"])).decode(),
                              "chain": bytes(e["chain_hash"]).hex()})
                events += 1
            checkpoints = await conn.fetch(
                f"SELECT position, root, signature FROM {checkpoint_table} "
                f"WHERE position BETWEEN $1 AND $2 ORDER BY position", first, end)
            lines += [{"checkpoint": c["position"], "root": bytes(c["root"]).hex(),
                       "signature": bytes(c["signature"]).hex()} for c in checkpoints]
    digest = hashlib.sha256()
    with path.open("w") as out:
        for line in lines:
            text = json.dumps(line, sort_keys=True) + "\n"
            digest.update(text.encode())
            out.write(text)
        out.write(json.dumps({"bundle_sha256": digest.hexdigest(),
                              "signature": key.sign(digest.digest()).hex()}) + "\n")
    return events, len(checkpoints)


def verify_bundle(path: Path, public_key: bytes) -> BundleReport:
    raw = path.read_text().splitlines(keepends=True)
    if not raw:
        return BundleReport(0, 0, Break(str(path), "the bundle is empty"))
    digest = hashlib.sha256("".join(raw[:-1]).encode())
    last = json.loads(raw[-1])
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            bytes.fromhex(last.get("signature", "")), digest.digest())
    except (InvalidSignature, ValueError):
        return BundleReport(0, 0, Break("the bundle's last line", "the bundle's signature does "
                                        "not hold: it was changed after export, or signed "
                                        "with another key"))
    lines = [json.loads(text) for text in raw[:-1]]
    header = lines[0]
    if header.get("format") != FORMAT:
        return BundleReport(0, 0, Break("the header", f"not a {FORMAT} bundle"))
    chain = ChainCheck()
    for a in (line for line in lines if "anchor" in line):
        chain.last[a["anchor"]] = (a["version"], bytes.fromhex(a["chain"]))
    sealed = [Checkpoint(line["checkpoint"], bytes.fromhex(line["root"]),
                         bytes.fromhex(line["signature"]), public_key)
              for line in lines if "checkpoint" in line]
    forged = first_forged(sealed)
    if forged:
        return BundleReport(0, 0, forged)
    roots = CheckpointCheck(sealed, root=bytes.fromhex(header["root"]))
    for e in (line for line in lines if "position" in line):
        chain_hash = bytes.fromhex(e["chain"])
        found = roots.passing(e["position"]) or chain.check(
            e["stream"], e["version"], base64.b64decode(e["body"]), chain_hash,
            f"stream {e['stream']} version {e['version']} (global position {e['position']})")
        if found:
            return BundleReport(chain.checked, roots.verified, found)
        roots.add(chain_hash)
    return BundleReport(chain.checked, roots.verified, roots.finish())
