-- The command side's write model: the event store, the de-duplicated commands and the outbox.
-- Idempotent: run by `soems db migrate` as the owner role (eventlog/migrate.py).
CREATE SCHEMA IF NOT EXISTS eventlog;

CREATE TABLE IF NOT EXISTS eventlog.events (
    stream_id       text        NOT NULL,
    stream_version  integer     NOT NULL CHECK (stream_version > 0),
    event_id        uuid        NOT NULL UNIQUE,
    event_type      text        NOT NULL,
    aggregate       text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    command_id      uuid        NOT NULL,
    -- Avro single-object encoding: the very bytes the relay publishes to Kafka.
    body            bytea       NOT NULL,
    global_position bigint      GENERATED ALWAYS AS IDENTITY,
    -- Optimistic concurrency: two writers of the same version cannot both commit.
    PRIMARY KEY (stream_id, stream_version)
);

-- The log is immutable: no update, no delete, not even by the application's own role.
CREATE OR REPLACE FUNCTION eventlog.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'eventlog.events is append-only (% refused)', TG_OP;
END $$;
DROP TRIGGER IF EXISTS events_append_only ON eventlog.events;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.refuse_change();

-- Tamper evidence (eventlog/chain.py): each event's chain hash links it to the previous event
-- of its stream. Computed here, by a trigger the services cannot bypass or set.
ALTER TABLE eventlog.events ADD COLUMN IF NOT EXISTS chain_hash bytea;
CREATE OR REPLACE FUNCTION eventlog.chain_link(previous bytea, stream_id text, version integer,
                                               body bytea) RETURNS bytea
    LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(coalesce(previous, ''::bytea) || int4send(octet_length(stream_id)) ||
                  convert_to(stream_id, 'UTF8') || int4send(version) || body)
$$;
CREATE OR REPLACE FUNCTION eventlog.chain_event() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog AS $$
DECLARE previous bytea;
BEGIN
    IF NEW.stream_version > 1 THEN
        SELECT e.chain_hash INTO previous FROM eventlog.events e
        WHERE e.stream_id = NEW.stream_id AND e.stream_version = NEW.stream_version - 1;
    END IF;
    NEW.chain_hash := eventlog.chain_link(previous, NEW.stream_id, NEW.stream_version, NEW.body);
    RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS events_chained ON eventlog.events;
CREATE TRIGGER events_chained BEFORE INSERT ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.chain_event();
-- Events stored before the chain existed get their links once (the only change ever made to
-- stored events, by the migration, under the owner's role).
DO $$
DECLARE e record; previous bytea; stream text;
BEGIN
    IF EXISTS (SELECT 1 FROM eventlog.events WHERE chain_hash IS NULL) THEN
        ALTER TABLE eventlog.events DISABLE TRIGGER events_append_only;
        FOR e IN SELECT stream_id, stream_version, body, chain_hash FROM eventlog.events
                 ORDER BY stream_id, stream_version LOOP
            IF stream IS DISTINCT FROM e.stream_id THEN
                previous := NULL;
                stream := e.stream_id;
            END IF;
            IF e.chain_hash IS NULL THEN
                previous := eventlog.chain_link(previous, e.stream_id, e.stream_version, e.body);
                UPDATE eventlog.events SET chain_hash = previous
                WHERE stream_id = e.stream_id AND stream_version = e.stream_version;
            ELSE
                previous := e.chain_hash;
            END IF;
        END LOOP;
        ALTER TABLE eventlog.events ENABLE TRIGGER events_append_only;
    END IF;
END $$;

-- Signed checkpoints over the whole log in global order (`soems audit seal`).
CREATE TABLE IF NOT EXISTS eventlog.checkpoints (
    position   bigint      PRIMARY KEY,  -- the last global position it covers
    events     bigint      NOT NULL,     -- how many events it covers since the one before
    root       bytea       NOT NULL,
    signature  bytea       NOT NULL,
    public_key bytea       NOT NULL,
    sealed_at  timestamptz NOT NULL DEFAULT now()
);

-- A retried command (same command_id) returns its first outcome and appends nothing.
CREATE TABLE IF NOT EXISTS eventlog.commands (
    command_id  uuid        PRIMARY KEY,
    stream_id   text        NOT NULL,
    outcome     jsonb       NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
-- A keyed digest of the request that carried the command: the same key with another request
-- is refused rather than answered with this outcome.
ALTER TABLE eventlog.commands ADD COLUMN IF NOT EXISTS request_digest bytea;

-- The latest folded state of a stream (one row per stream), written in the same transaction
-- as the events it follows: loading reads it, then only the events after ``version``.
-- ``kind`` names the state's shape; a snapshot of another kind is ignored (folded anew).
CREATE TABLE IF NOT EXISTS eventlog.snapshots (
    stream_id text        PRIMARY KEY,
    kind      text        NOT NULL,
    version   integer     NOT NULL,
    state     bytea       NOT NULL,
    taken_at  timestamptz NOT NULL DEFAULT now()
);

-- Written in the same transaction as the events; the relay publishes and deletes rows.
CREATE TABLE IF NOT EXISTS eventlog.outbox (
    position    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    topic       text        NOT NULL,
    message_key text        NOT NULL,
    event_id    uuid        NOT NULL,
    event_type  text        NOT NULL,
    body        bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE eventlog.outbox ADD COLUMN IF NOT EXISTS stream_version integer,
                            ADD COLUMN IF NOT EXISTS chain_hash bytea;

-- Every appended event is queued for the relay by the database itself, in the events' order,
-- in the same statement: the command role cannot write the outbox, so nothing can be published
-- that is not in the log. The topic is the aggregate's (schemas.envelope.Aggregate.topic).
CREATE OR REPLACE FUNCTION eventlog.queue_for_relay() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = pg_catalog AS $$
BEGIN
    INSERT INTO eventlog.outbox (topic, message_key, event_id, event_type, body, stream_version,
                                 chain_hash)
    VALUES ('soems.' || NEW.aggregate || '.events', NEW.stream_id, NEW.event_id, NEW.event_type,
            NEW.body, NEW.stream_version, NEW.chain_hash);
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS events_to_outbox ON eventlog.events;
CREATE TRIGGER events_to_outbox AFTER INSERT ON eventlog.events
    FOR EACH ROW EXECUTE FUNCTION eventlog.queue_for_relay();

-- PostgreSQL projections store their Kafka positions here, in the same transaction as their
-- read-model writes (a tracking record, as in the eventsourcing library).
CREATE TABLE IF NOT EXISTS eventlog.projection_offsets (
    projection  text    NOT NULL,
    topic       text    NOT NULL,
    partition   integer NOT NULL,
    next_offset bigint  NOT NULL,
    PRIMARY KEY (projection, topic, partition)
);

CREATE SCHEMA IF NOT EXISTS read_models;
