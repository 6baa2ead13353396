"""``python -m stream_processors.judge worker``: one judge worker, until SIGTERM or SIGINT.

Start as many as the judge needs (on hosts with bubblewrap): they share the requests as one
consumer group. The first on a host serves its metrics at the judge's metrics slot.
"""
from __future__ import annotations

import sys

from eventlog.metrics import JUDGE
from eventlog.outages import run_worker
from settings import get_settings
from stream_processors.judge.worker import JudgeWorker


def main(argv: list[str]) -> int:
    if argv != ["worker"]:
        print("usage: python -m stream_processors.judge worker", file=sys.stderr)
        return 2
    run_worker("judge", JUDGE, lambda stop: JudgeWorker(get_settings()).run(stop))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
