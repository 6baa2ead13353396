"""``python -m stream_processors worker``: run every stream processor in one faust worker.

A supervisor starts this; the worker logs at info to stderr and stops on SIGTERM or SIGINT.
"""
from __future__ import annotations

import sys

import faust

from eventlog.outages import pace_kafka_metadata_retries
import stream_processors.auto_grading  # noqa: F401  (registers its agents, tables, timers)
import stream_processors.deadlines  # noqa: F401
import stream_processors.exam_counts  # noqa: F401
import stream_processors.judge_requests  # noqa: F401
from stream_processors.app import app


def main(argv: list[str]) -> None:
    if argv != ["worker"]:
        sys.exit("usage: python -m stream_processors worker")
    pace_kafka_metadata_retries()
    faust.Worker(app, loglevel="info").execute_from_commandline()


if __name__ == "__main__":
    main(sys.argv[1:])
