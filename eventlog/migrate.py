"""The project's database, made and kept by its administrator: roles with least privilege, the
event store and identity schemas (owned by a role nobody logs in as), and the grants.

``soems db migrate`` runs it (the local stack does when PostgreSQL starts); it is idempotent.
The services never run DDL on the event store: each connects as its own role
(``create_pool(s, role=...)``) that can do its job and nothing more:

- ``soems_command`` (the command API, the CLI's account commands): reads streams, appends
  events (never changes or removes one: no UPDATE, DELETE or TRUNCATE, and not the owner, so it
  cannot drop the append-only trigger), keeps command outcomes and snapshots, manages
  credentials. It cannot write the outbox: a trigger owned by ``soems_owner`` queues every
  appended event, so nothing reaches Kafka that is not in the log.
- ``soems_relay``: reads and deletes outbox rows.
- ``soems_projection``: owns the ``read_models`` schema (creates its tables, rebuilds them in
  shadow schemas and swaps them in) and keeps its Kafka positions.
- ``soems_query``: reads the read models.
- ``soems_auditor`` (the sealer): reads events, writes signed checkpoints.
"""
from __future__ import annotations

import hashlib

import asyncpg

from command_api.identity import credentials
from eventlog.postgres import SCHEMA_SQL, SETUP_LOCK
from settings import Settings

OWNER = "soems_owner"
SERVICE_ROLES = ("command", "relay", "projection", "query", "auditor")


def role_name(service: str) -> str:
    return f"soems_{service}"


def quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


async def ensure_login_role(conn: asyncpg.Connection, name: str, password: str) -> None:
    """Create the role, or bring an existing one to these settings and this password: it may
    log in, and nothing else (no superuser, no role or database creation, no inherited
    rights)."""
    exists = await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name)
    # A role's password cannot be a bind parameter: quote it as a literal.
    literal = await conn.fetchval("SELECT quote_literal($1)", password)
    await conn.execute(f"{'ALTER' if exists else 'CREATE'} ROLE {quoted(name)} LOGIN "
                       f"NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD {literal}")


# What an older version made as the administrator passes to the roles that own it now. Only
# what is owned by someone else is altered: an ALTER ... OWNER takes an exclusive lock, and this
# runs while services write.
_REOWN = f"""
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT * FROM (
                    SELECT n.nspname, c.relname, pg_get_userbyid(c.relowner) AS owned_by,
                           CASE n.nspname WHEN 'read_models' THEN 'soems_projection'
                                          ELSE '{OWNER}' END AS owner
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname IN ('eventlog', 'identity', 'read_models')
                      AND c.relkind IN ('r', 'p')) found
                WHERE owned_by <> owner LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', item.nspname, item.relname, item.owner);
    END LOOP;
    FOR item IN SELECT p.oid::regprocedure AS fn FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = 'eventlog' AND pg_get_userbyid(p.proowner) <> '{OWNER}' LOOP
        EXECUTE format('ALTER FUNCTION %s OWNER TO {OWNER}', item.fn);
    END LOOP;
    FOR item IN SELECT nspname FROM pg_namespace WHERE nspname IN ('eventlog', 'identity')
                  AND pg_get_userbyid(nspowner) <> '{OWNER}' LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO {OWNER}', item.nspname);
    END LOOP;
END $$;
"""


def _grants(db: str) -> str:
    return f"""
REVOKE ALL ON DATABASE {db} FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE {db} TO soems_command, soems_relay, soems_projection, soems_query,
    soems_auditor;
GRANT CREATE ON DATABASE {db} TO soems_projection;

GRANT USAGE ON SCHEMA eventlog TO soems_command, soems_relay, soems_projection;
GRANT SELECT, INSERT ON eventlog.events TO soems_command;
GRANT SELECT, INSERT ON eventlog.commands TO soems_command;
GRANT SELECT, INSERT, UPDATE ON eventlog.snapshots TO soems_command;
GRANT SELECT, DELETE ON eventlog.outbox TO soems_relay;
GRANT SELECT, INSERT, UPDATE ON eventlog.projection_offsets TO soems_projection;
GRANT USAGE ON SCHEMA eventlog TO soems_auditor;
GRANT SELECT ON eventlog.events TO soems_auditor;
GRANT SELECT, INSERT ON eventlog.checkpoints TO soems_auditor;

GRANT USAGE ON SCHEMA identity TO soems_command, soems_projection;
GRANT SELECT, INSERT, UPDATE, DELETE ON identity.credentials, identity.refresh_tokens
    TO soems_command;
GRANT SELECT, INSERT, DELETE ON identity.person_keys TO soems_command;
GRANT SELECT ON identity.person_keys TO soems_projection;  -- reveals names for the read models
-- The query API opens what read models keep sealed (accommodation reasons) for staff at read
-- time; of the identity schema it reads the keys alone, never credentials or tokens.
GRANT USAGE ON SCHEMA identity TO soems_query;
GRANT SELECT ON identity.person_keys TO soems_query;

ALTER SCHEMA read_models OWNER TO soems_projection;
GRANT USAGE ON SCHEMA read_models TO soems_query;
GRANT SELECT ON ALL TABLES IN SCHEMA read_models TO soems_query;
-- Wherever the projection role makes a table (a rebuild's shadow schema too), queries may read
-- it once it is swapped into read_models.
ALTER DEFAULT PRIVILEGES FOR ROLE soems_projection GRANT SELECT ON TABLES TO soems_query;
"""


APPLIED = "eventlog.schema_applied"  # the digests of the schemas and grants applied


def _schema_digest(db: str) -> str:
    text = "\n".join((_REOWN, SCHEMA_SQL.read_text(), credentials.SQL.read_text(), _grants(db)))
    return hashlib.sha256(text.encode()).hexdigest()


def migrate_now(s: Settings) -> None:
    import asyncio

    asyncio.run(migrate(s))


async def migrate(s: Settings) -> None:
    """Create or update the roles, schemas and grants, as the database administrator."""
    conn = await asyncpg.connect(host=s.postgres_host, port=s.postgres_port,
                                 user=s.postgres_user, password=s.postgres_password or None,
                                 database=s.postgres_db)
    try:
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SETUP_LOCK)
            if not await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", OWNER):
                await conn.execute(f"CREATE ROLE {OWNER} NOLOGIN")
            for service in SERVICE_ROLES:
                name, password = role_name(service), s.postgres_role_password(service)
                if not password:
                    raise RuntimeError(f"SOEMS_POSTGRES_{service.upper()}_PASSWORD is empty: "
                                       f"`soems stack install` generates it")
                await ensure_login_role(conn, name, password)
            # Objects made here belong to the owner role, not to the administrator.
            await conn.execute(f"GRANT {OWNER} TO CURRENT_USER")
            db = quoted(s.postgres_db)
            # The DDL below locks the tables it touches (ADD COLUMN IF NOT EXISTS takes an
            # exclusive lock even when the column is there), and PostgreSQL is started again
            # under services that are writing: a schema already applied is not applied again.
            digest = _schema_digest(db)
            if await conn.fetchval(f"SELECT to_regclass('{APPLIED}') IS NOT NULL") and \
                    await conn.fetchval(f"SELECT 1 FROM {APPLIED} WHERE digest = $1", digest):
                return
            await conn.execute(_REOWN)
            await conn.execute(f"GRANT CONNECT, CREATE ON DATABASE {db} TO {OWNER}")
            await conn.execute(f"SET LOCAL ROLE {OWNER}")
            await conn.execute(SCHEMA_SQL.read_text())
            await conn.execute(credentials.SQL.read_text())
            await conn.execute(f"CREATE TABLE IF NOT EXISTS {APPLIED} (digest text PRIMARY KEY, "
                               "applied_at timestamptz NOT NULL DEFAULT now())")
            await conn.execute("RESET ROLE")
            await conn.execute(_grants(db))
            await conn.execute(f"INSERT INTO {APPLIED} (digest) VALUES ($1)", digest)
    finally:
        await conn.close()
