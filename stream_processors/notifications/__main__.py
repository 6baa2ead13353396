"""``python -m stream_processors.notifications``: the notifier, until SIGTERM or SIGINT.
Several may run: they share the exam topic as one group and the sending through the outbox."""
from __future__ import annotations

from eventlog.metrics import NOTIFIER
from eventlog.outages import run_worker
from settings import get_settings
from stream_processors.notifications.service import Notifier

if __name__ == "__main__":
    run_worker("notifier", NOTIFIER, lambda stop: Notifier(get_settings()).run(stop))
