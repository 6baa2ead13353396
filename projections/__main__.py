"""``python -m projections run NAME``: one projection worker, until SIGTERM."""
from __future__ import annotations

import asyncio
import logging
import signal
import sys

from eventlog.outages import outlive_outages, pace_kafka_metadata_retries
from eventlog.projection import PostgresProjection, run_mongo_projection, run_postgres_projection
from projections import all_projections
from settings import get_settings


async def run(name: str) -> None:
    projection = all_projections()[name]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = run_postgres_projection if isinstance(projection, PostgresProjection) \
        else run_mongo_projection
    s = get_settings()
    await outlive_outages(lambda: runner(s, projection, stop), stop, f"projection.{name}")


def main(argv: list[str]) -> int:
    known = all_projections()
    if len(argv) != 2 or argv[0] != "run" or argv[1] not in known:
        print(f"usage: python -m projections run {{{','.join(known)}}}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    pace_kafka_metadata_retries()
    from eventlog.metrics import FIRST_PROJECTION, metrics_port, serve_metrics

    try:
        serve_metrics(metrics_port(get_settings().metrics_port_base,
                                   FIRST_PROJECTION + list(known).index(argv[1])))
    except OSError as exc:  # a second worker of this projection on one host: the first serves
        logging.getLogger("soems.projections").warning("no metrics endpoint: %s", exc)
    asyncio.run(run(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
