"""Read model ``read_models.question_bank`` (PostgreSQL): the current revision of every
bank question, searched with full text (stem, options, topic and tags) and filtered by type,
tag, difficulty, owner and status through its narrow copy ``read_models.question_search``.
Every revision as written: ``question_revisions``.

Content is kept whole as JSON (the query side answers it to staff; students only ever get
``security.student_view`` of it), with the columns the bank filters and sorts on beside it.
"""
from __future__ import annotations

import json

from eventlog.projection import NarrowCopy, PostgresProjection, Row, Table
from schemas.envelope import RecordedEvent
from schemas.events.question import (QUESTION, QuestionArchived, QuestionAuthored,
                                     QuestionContent, QuestionRestored, QuestionRevised,
                                     QuestionShared, QuestionStatus, QuestionUnshared)

QUESTION_BANK = Table("question_bank", key="question_id", ddl="""
CREATE TABLE IF NOT EXISTS question_bank (
    question_id       text        PRIMARY KEY,
    owner_id          text        NOT NULL,
    question_type     text        NOT NULL,
    stem              text        NOT NULL,
    options_text      text        NOT NULL,
    difficulty        text        NOT NULL,
    topic             text        NOT NULL,
    tags              jsonb       NOT NULL,
    estimated_minutes integer     NOT NULL,
    status            text        NOT NULL,
    shared_with       jsonb       NOT NULL,
    revision          integer     NOT NULL,
    content           jsonb       NOT NULL,
    copied_from       text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    version           integer     NOT NULL,
    search            tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', stem), 'A') ||
        setweight(to_tsvector('english', options_text), 'B') ||
        setweight(to_tsvector('english', topic || ' ' || (tags #>> '{}')), 'C')) STORED
);
-- Searched through question_search (below); this table is read by key.
DROP INDEX IF EXISTS question_bank_search;
DROP INDEX IF EXISTS question_bank_tags;
DROP INDEX IF EXISTS question_bank_shared;
DROP INDEX IF EXISTS question_bank_owner;
DROP INDEX IF EXISTS question_bank_updated;
-- Which questions show a media file (the media route's visibility check).
CREATE INDEX IF NOT EXISTS question_bank_media ON question_bank
    USING gin ((content -> 'media_ids'));
""")

# What a search filters, sorts and ranks on, ~300 bytes a row against the bank's ~1 KB (the
# content JSON is most of it), refreshed from question_bank in the same transaction. Who may
# see a row (its owner and the teachers it is shared with) is one array, so that one GIN index
# intersects "visible to me", the words and the tags before any row is read: a teacher's
# search never visits other banks' matches.
QUESTION_SEARCH = Table("question_search", key="question_id", ddl="""
CREATE TABLE IF NOT EXISTS question_search (
    question_id   text        PRIMARY KEY,
    owner_id      text        NOT NULL,
    viewers       text[]      NOT NULL,
    status        text        NOT NULL,
    question_type text        NOT NULL,
    difficulty    text        NOT NULL,
    tags          jsonb       NOT NULL,
    updated_at    timestamptz NOT NULL,
    search        tsvector    NOT NULL
);
CREATE INDEX IF NOT EXISTS question_search_found ON question_search
    USING gin (viewers, search, tags jsonb_path_ops);
-- New entries wait in a pending list that every search reads in full until it is merged;
-- at the default 4 MB, searches right after a 10,000-row import took 87 ms instead of 24.
-- At 256 kB the runner's own batches merge it as they go (+0.12 s per 10,000 rows).
ALTER INDEX question_search_found SET (gin_pending_list_limit = 256);
CREATE INDEX IF NOT EXISTS question_search_owner ON question_search
    (owner_id, status, updated_at);
-- The questions shared with someone, by who may see them: with the owner index, a teacher's
-- bank is listed newest first without stepping over other banks' rows.
CREATE INDEX IF NOT EXISTS question_search_shared ON question_search USING gin (viewers)
    WHERE cardinality(viewers) > 1;
-- How few rows are shared: without it the planner guessed a third of the table and walked
-- the newest-first index through every bank to find a teacher's shared questions (136 ms).
CREATE STATISTICS IF NOT EXISTS question_search_sharing ON (cardinality(viewers))
    FROM question_search;
CREATE INDEX IF NOT EXISTS question_search_updated ON question_search (updated_at, question_id);
""")
SEARCH_COPY = NarrowCopy(QUESTION_SEARCH, computed=(
    ("viewers", "ARRAY[s.owner_id] || ARRAY(SELECT jsonb_array_elements_text(s.shared_with))"),))


def _content_columns(c: QuestionContent) -> Row:
    options = [o.text for o in c.choice.options] if c.choice else []
    return {"question_type": c.question_type, "stem": c.stem, "options_text": "\n".join(options),
            "difficulty": c.difficulty, "topic": c.topic, "tags": json.dumps(c.tags),
            "estimated_minutes": c.estimated_minutes, "content": c.model_dump_json()}


def evolve_bank(row: Row | None, event: RecordedEvent) -> Row | None:
    e, at = event.payload, event.envelope.occurred_at
    if isinstance(e, QuestionAuthored):
        return {"question_id": e.question_id, "owner_id": e.owner_id,
                "status": QuestionStatus.ACTIVE.value, "shared_with": "[]", "revision": 1,
                "copied_from": e.copied_from, "created_at": at, "updated_at": at,
                **_content_columns(e.content)}
    if row is None:
        return None
    match e:
        case QuestionRevised():
            return {**row, **_content_columns(e.content), "revision": e.revision,
                    "updated_at": at}
        case QuestionShared() | QuestionUnshared():
            shared = set(json.loads(row["shared_with"]))
            shared = shared | set(e.teacher_ids) if isinstance(e, QuestionShared) \
                else shared - set(e.teacher_ids)
            return {**row, "shared_with": json.dumps(sorted(shared)), "updated_at": at}
        case QuestionArchived() | QuestionRestored():
            status = QuestionStatus.ARCHIVED if isinstance(e, QuestionArchived) \
                else QuestionStatus.ACTIVE
            return {**row, "status": status.value, "updated_at": at}
    return None


projection = PostgresProjection(
    name="question_bank", sources=(QUESTION,), table=QUESTION_BANK,
    narrow_copies=(SEARCH_COPY,),
    key_of=lambda event: event.payload.question_id, evolve=evolve_bank,
    reads_envelope=("occurred_at",))
