"""``python -m eventlog.sealer``: signs a checkpoint of the log every ``SEAL_EVERY_SECONDS``
(eventlog/chain.py), as its own role (``soems_auditor``: reads events, writes checkpoints).
``soems up`` runs it; ``soems audit seal`` does the same once, by hand."""
from __future__ import annotations

import asyncio
import logging
import signal

from eventlog.audit import seal
from eventlog.chain import signing_key
from eventlog.postgres import create_pool
from settings import get_settings

SEAL_EVERY_SECONDS = 60.0
log = logging.getLogger("soems.sealer")


async def run(stop: asyncio.Event) -> None:
    s = get_settings()
    key = signing_key(s.audit_signing_key)
    pool = await create_pool(s, min_size=1, max_size=1, role="auditor")
    try:
        while not stop.is_set():
            sealed = await seal(pool, key)
            if sealed:
                log.info("sealed %d events up to global position %d", sealed[1], sealed[0])
            try:
                await asyncio.wait_for(stop.wait(), SEAL_EVERY_SECONDS)
            except TimeoutError:
                pass
    finally:
        await pool.close()


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run(stop)

    asyncio.run(runner())


if __name__ == "__main__":
    main()
