"""Read-model builders: Kafka consumers that keep PostgreSQL and MongoDB views up to date.

One module per read model; each exposes ``projection`` and the name of what it writes (a
``Table`` or a collection name), which the query side imports. Registering a projection is
one line in ``REGISTERED``; ``soems up`` starts one worker per projection
(``python -m projections run NAME``).
"""
from __future__ import annotations

from eventlog.projection import Projection

REGISTERED = (
    "projections.users",
    "projections.exam_catalogue",
    "projections.exam_documents",
    "projections.question_bank",
    "projections.question_revisions",
    "projections.media_library",
    "projections.cohorts",
    "projections.attempts",
    "projections.attempt_grades",
)


def all_projections() -> dict[str, Projection]:
    from importlib import import_module

    found = [import_module(name).projection for name in REGISTERED]
    return {p.name: p for p in found}
