"""Read model ``read_models.cohorts`` (PostgreSQL): every cohort with its members, for the
staff's cohort list and the exam wizard's "assign a class"."""
from __future__ import annotations

import json

from eventlog.projection import PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.cohort import (COHORT, CohortCreated, CohortRenamed, StudentsJoinedCohort,
                                   StudentsLeftCohort)

COHORTS = Table("cohorts", key="cohort_id", ddl="""
CREATE TABLE IF NOT EXISTS cohorts (
    cohort_id    text        PRIMARY KEY,
    name         text        NOT NULL,
    owner_id     text        NOT NULL,
    members      jsonb       NOT NULL,
    member_count integer     NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    version      integer     NOT NULL
);
CREATE INDEX IF NOT EXISTS cohorts_name ON cohorts (lower(name), cohort_id);
CREATE INDEX IF NOT EXISTS cohorts_members ON cohorts USING gin (members);
""")


def evolve(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    if isinstance(e, CohortCreated):
        return {"cohort_id": e.cohort_id, "name": e.name, "owner_id": e.owner_id,
                "members": "[]", "member_count": 0, "created_at": at, "updated_at": at}
    if row is None:
        return None
    match e:
        case CohortRenamed():
            return {**row, "name": e.name, "updated_at": at}
        case StudentsJoinedCohort() | StudentsLeftCohort():
            members = set(json.loads(row["members"]))
            members = members | set(e.student_ids) if isinstance(e, StudentsJoinedCohort) \
                else members - set(e.student_ids)
            return {**row, "members": json.dumps(sorted(members)), "member_count": len(members),
                    "updated_at": at}
    return None


projection = PostgresProjection(
    name="cohorts", sources=(COHORT,), table=COHORTS,
    key_of=lambda event: event.payload.cohort_id, evolve=evolve, reads_envelope=("occurred_at",))
