"""Read-model builders: Kafka consumers that keep PostgreSQL and MongoDB views up to date.

One module per read model; each exposes ``projection``. Run one worker per projection with
``python -m projections run NAME`` (``soems up`` starts them all).
"""
from __future__ import annotations

from eventlog.projection import MongoProjection, PostgresProjection


def all_projections() -> dict[str, PostgresProjection | MongoProjection]:
    from projections import exam_catalogue, exam_documents, users

    return {m.projection.name: m.projection for m in (users, exam_catalogue, exam_documents)}
