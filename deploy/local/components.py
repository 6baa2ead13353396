"""How each local component is prepared, started and made ready.

A component is described by data (ports, the command that runs it in the foreground, the signal
that stops it cleanly) plus two hooks: ``prepare`` (one-time initialisation and config files,
idempotent) and ``after_ready`` (create the project's database or bucket). The supervisor in
``stack.py`` does the rest the same way for all six.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import pwd
import shutil
import signal
import stat
import subprocess
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from deploy.local import install
from deploy.local.install import GO_BINARIES, InstallError
from settings import Settings


@dataclass
class Launch:
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    user: str | None = None  # run as this user (PostgreSQL refuses to run as root)


@dataclass(frozen=True)
class Component:
    name: str
    ports: Callable[[Settings], dict[str, int]]
    launch: Callable[[Settings], Launch]
    prepare: Callable[[Settings], None] = lambda s: None
    after_ready: Callable[[Settings], None] = lambda s: None
    stop_signal: int = signal.SIGTERM


# --- PostgreSQL ---------------------------------------------------------------------------

def _postgres_user() -> str | None:
    """PostgreSQL will not run as root; use the account Debian's package created."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError as exc:
        raise InstallError("running as root needs the 'postgres' system user "
                           "(installed with Debian's postgresql package)") from exc
    return "postgres"


def _open_path_for(user: str, path: Path) -> None:
    """Let `user` traverse every directory above `path` (search permission only)."""
    uid = pwd.getpwnam(user).pw_uid
    for parent in reversed(path.resolve().parents):
        st = parent.stat()
        if st.st_uid != uid and not st.st_mode & stat.S_IXOTH:
            print(f"[postgres] granting search (o+x) on {parent} so the postgres user can "
                  f"reach its data directory", flush=True)
            parent.chmod(st.st_mode | stat.S_IXOTH)


def _bin(name: str) -> str:
    bindir = install.postgres_bindir()
    if bindir is None:
        raise InstallError("PostgreSQL is not installed; run `soems stack install`")
    return str(bindir / name)


def postgres_prepare(s: Settings) -> None:
    root = s.home / "postgres"
    data = root / "data"
    if (data / "PG_VERSION").exists():
        return
    if not s.postgres_password:
        raise InstallError("SOEMS_POSTGRES_PASSWORD is empty; `soems stack install` generates one")
    user = _postgres_user()
    shutil.rmtree(data, ignore_errors=True)  # a half-made cluster from an interrupted initdb
    data.mkdir(parents=True, mode=0o700)
    pwfile = root / "initdb.pw"
    with os.fdopen(os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(s.postgres_password + "\n")  # never readable by others, not even for a moment
    try:
        if user:
            _open_path_for(user, root)
            shutil.chown(root, user, user)
            shutil.chown(data, user, user)
            shutil.chown(pwfile, user, user)
        pwfile.chmod(0o600)
        subprocess.run(
            [_bin("initdb"), "-D", str(data), "-U", s.postgres_user, "--pwfile", str(pwfile),
             "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
             "--locale=C.UTF-8"],
            # Drop root's groups too: a directory's group bits, not its "other" bits, apply
            # to a process still in group root.
            user=user, group=user, extra_groups=[] if user else None,
            check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
    except subprocess.CalledProcessError as exc:
        shutil.rmtree(data, ignore_errors=True)
        raise InstallError(f"initdb failed:\n{exc.stdout}") from exc
    finally:
        pwfile.unlink(missing_ok=True)


def postgres_launch(s: Settings) -> Launch:
    return Launch(
        argv=[
            _bin("postgres"), "-D", str(s.home / "postgres" / "data"),
            "-c", f"listen_addresses={s.postgres_host}", "-c", f"port={s.postgres_port}",
            # TCP only: the default socket directory belongs to the system cluster.
            "-c", "unix_socket_directories=",
            "-c", "max_connections=200", "-c", "wal_level=logical",
            "-c", "logging_collector=off",
        ],
        user=_postgres_user(),
    )


def postgres_after_ready(s: Settings) -> None:
    import asyncpg

    async def create_databases() -> None:
        conn = await asyncpg.connect(
            host=s.postgres_host, port=s.postgres_port, user=s.postgres_user,
            password=s.postgres_password, database="postgres",
        )
        try:
            for db in (s.postgres_db, FERRETDB_DATABASE):
                if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname=$1", db):
                    await conn.execute(f'CREATE DATABASE "{db}"')
        finally:
            await conn.close()
        conn = await asyncpg.connect(
            host=s.postgres_host, port=s.postgres_port, user=s.postgres_user,
            password=s.postgres_password, database=FERRETDB_DATABASE,
        )
        try:
            await conn.execute(FERRETDB_DATABASE_SETUP)
            if s.mongo_user and s.mongo_password:
                await _ferretdb_owner(conn, s)
        finally:
            await conn.close()
        from eventlog.migrate import migrate  # the project's roles, schemas and grants

        await migrate(s)

    asyncio.run(create_databases())


# --- Redis --------------------------------------------------------------------------------

def redis_prepare(s: Settings) -> None:
    root = s.home / "redis"
    root.mkdir(parents=True, exist_ok=True)
    conf = [
        f"bind {s.redis_host}",
        f"port {s.redis_port}",
        "protected-mode yes",
        "daemonize no",
        f'dir "{root}"',
        # Durability: every write goes to the append-only file, fsynced each second.
        "appendonly yes",
        "appendfsync everysec",
        'save "3600 1 300 100 60 10000"',
        "logfile \"\"",
    ]
    if s.redis_password:
        conf.append(f'requirepass "{s.redis_password}"')
    path = root / "redis.conf"
    path.write_text("\n".join(conf) + "\n")
    path.chmod(0o600)


def redis_launch(s: Settings) -> Launch:
    return Launch(argv=[shutil.which("redis-server") or "redis-server",
                        str(s.home / "redis" / "redis.conf")])


# --- MongoDB wire protocol: FerretDB on the project's PostgreSQL ------------------------------
#
# FerretDB keeps each MongoDB database as a schema of its own PostgreSQL database (not the
# project's: its tables are FerretDB's business), created with the indexes below by
# postgres_after_ready, so PostgreSQL is up with them before FerretDB is asked anything.
#
# FerretDB 1.24 pushes an `_id` equality down as `_jsonb->'_id' @> '"k"'`, which its own
# unique btree index on `_jsonb->'_id'` cannot serve: every lookup by `_id` would be a
# sequential scan. An event trigger gives each collection table, when FerretDB creates it, a
# GIN index on the same expression that does serve `@>`. FerretDB sends the key as a query
# parameter (`_jsonb->$1 @> $2`), which matches the index only in a custom plan, hence
# plan_cache_mode. And since FerretDB holds one pool connection per *matched* op until an
# update command ends (a command matching pool_max_conns docs waits forever), the pool is
# raised to 100 and writers send bulk updates in chunks well below that.

FERRETDB_DATABASE = "ferretdb"
FERRETDB_POOL_MAX_CONNS = 100

FERRETDB_DATABASE_SETUP = f"""
ALTER DATABASE "{FERRETDB_DATABASE}" SET plan_cache_mode = force_custom_plan;

CREATE OR REPLACE FUNCTION soems_ferretdb_id_index() RETURNS event_trigger
LANGUAGE plpgsql AS $$
DECLARE
    t record;
BEGIN
    FOR t IN
        SELECT c.oid, c.relname FROM pg_event_trigger_ddl_commands() d
        JOIN pg_class c ON c.oid = d.objid
        WHERE d.command_tag = 'CREATE TABLE' AND c.relkind = 'r'
          AND c.relname NOT LIKE '\\_ferretdb\\_%'
          AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid
                      AND a.attname = '_jsonb' AND NOT a.attisdropped)
    LOOP
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin '
                       '((_jsonb->''_id'') jsonb_path_ops)',
                       left(t.relname, 50) || '_id_gin', t.oid::regclass);
    END LOOP;
END $$;

DROP EVENT TRIGGER IF EXISTS soems_ferretdb_id_index;
CREATE EVENT TRIGGER soems_ferretdb_id_index ON ddl_command_end
    WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION soems_ferretdb_id_index();
"""


async def _ferretdb_owner(conn, s: Settings) -> None:
    """FerretDB authenticates each client as a PostgreSQL role (it stores no users itself):
    the documents' role owns the `ferretdb` database, and FerretDB is given no default role,
    so a client without the credentials reaches nothing."""
    from eventlog.migrate import ensure_login_role

    role = s.mongo_user
    await ensure_login_role(conn, role, s.mongo_password)
    await conn.execute(f'ALTER DATABASE "{FERRETDB_DATABASE}" OWNER TO "{role}"')
    await conn.execute(f'REVOKE ALL ON DATABASE "{FERRETDB_DATABASE}" FROM PUBLIC')
    # Collections an older version made as the administrator pass to the documents' role (only
    # those: ALTER ... OWNER locks a table, and PostgreSQL may restart under a live FerretDB).
    await conn.execute(f"""
DO $$
DECLARE item record;
BEGIN
    FOR item IN SELECT nspname FROM pg_namespace
                WHERE nspname NOT IN ('public', 'information_schema')
                  AND nspname NOT LIKE 'pg\\_%' AND pg_get_userbyid(nspowner) <> '{role}' LOOP
        EXECUTE format('ALTER SCHEMA %I OWNER TO %I', item.nspname, '{role}');
    END LOOP;
    FOR item IN SELECT n.nspname, c.relname FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('public',
                      'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
                  AND pg_get_userbyid(c.relowner) <> '{role}' LOOP
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', item.nspname, item.relname, '{role}');
    END LOOP;
END $$;""")


def ferretdb_postgresql_url(s: Settings) -> str:
    if s.mongo_user and s.mongo_password:  # each client brings its own role (see above)
        auth = ""
    else:
        auth = quote(s.postgres_user, safe="")
        if s.postgres_password:
            auth += ":" + quote(s.postgres_password, safe="")
        auth += "@"
    return (f"postgres://{auth}{s.postgres_host}:{s.postgres_port}/{FERRETDB_DATABASE}"
            f"?pool_max_conns={FERRETDB_POOL_MAX_CONNS}")


def mongo_prepare(s: Settings) -> None:
    (s.home / "mongo" / "state").mkdir(parents=True, exist_ok=True)


def mongo_launch(s: Settings) -> Launch:
    # FerretDB opens its PostgreSQL pool on the first client request, not at start, so it
    # may start before PostgreSQL answers; `stack up` waits for postgres (and runs its
    # after_ready, which creates the database) before it waits for mongo.
    root = s.home / "mongo"
    return Launch(argv=[
        str(GO_BINARIES["mongo"].path(s)),
        f"--listen-addr={s.mongo_host}:{s.mongo_port}",
        "--handler=postgresql",
        f"--state-dir={root / 'state'}",
        f"--debug-addr={s.mongo_host}:{s.mongo_debug_port}",
        "--telemetry=disable", "--log-level=warn",
    # From the environment, not the command line: the URL holds the password, and the
    # command line of any process is readable by every user (ps).
    ], env={"FERRETDB_POSTGRESQL_URL": ferretdb_postgresql_url(s)})


# --- Kafka in KRaft mode ------------------------------------------------------------------

def _kafka_properties(s: Settings) -> str:
    data = s.home / "kafka" / "data"
    host = s.kafka_host
    props = {
        "process.roles": "broker,controller",
        "node.id": "1",
        "controller.quorum.voters": f"1@{host}:{s.kafka_controller_port}",
        "listeners": f"PLAINTEXT://{host}:{s.kafka_port},CONTROLLER://{host}:{s.kafka_controller_port}",
        "advertised.listeners": f"PLAINTEXT://{host}:{s.kafka_port}",
        "controller.listener.names": "CONTROLLER",
        "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "inter.broker.listener.name": "PLAINTEXT",
        "log.dirs": str(data),
        # Topics are created by the project, with explicit partitions and configs.
        "auto.create.topics.enable": "false",
        "num.partitions": "3",
        "default.replication.factor": "1",
        "offsets.topic.replication.factor": "1",
        "transaction.state.log.replication.factor": "1",
        "transaction.state.log.min.isr": "1",
        "share.coordinator.state.topic.replication.factor": "1",
        "share.coordinator.state.topic.min.isr": "1",
        "group.initial.rebalance.delay.ms": "0",
        # On restart the controller refuses the broker's new registration until the old
        # session expires (DUPLICATE_BROKER_REGISTRATION): a short session makes a warm
        # start take ~4 s instead of ~13 s.
        "broker.heartbeat.interval.ms": "500",
        "broker.session.timeout.ms": "2500",
        # A single node: the log cleaner checks often so compacted topics compact promptly.
        "log.cleaner.backoff.ms": "1000",
        "log.flush.interval.ms": "1000",
    }
    return "".join(f"{k}={v}\n" for k, v in props.items())


_KAFKA_LOG4J = """\
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: INFO
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.log.LogCleaner
        level: INFO
      - name: org.apache.kafka.storage.internals.log
        level: WARN
"""


def kafka_prepare(s: Settings) -> None:
    root = s.home / "kafka"
    data = root / "data"
    root.mkdir(parents=True, exist_ok=True)
    (root / "server.properties").write_text(_kafka_properties(s))
    (root / "log4j2.yaml").write_text(_KAFKA_LOG4J)
    if (data / "meta.properties").exists():
        return
    cluster_file = root / "cluster.id"
    if not cluster_file.exists():
        cluster_file.write_text(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))
    shutil.rmtree(data, ignore_errors=True)
    proc = subprocess.run(
        [_java(), "-cp", f"{install.kafka_libs(s)}/*",
         f"-Dlog4j2.configurationFile={root / 'log4j2.yaml'}",
         "kafka.tools.StorageTool", "format", "-t", cluster_file.read_text().strip(),
         "-c", str(root / "server.properties")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    if proc.returncode != 0:
        raise InstallError(f"formatting Kafka storage failed:\n{proc.stdout}")


def _java() -> str:
    java = shutil.which("java")
    if java is None:
        raise InstallError("Java 17 is needed for Kafka; run `soems stack install`")
    return java


def kafka_launch(s: Settings) -> Launch:
    root = s.home / "kafka"
    return Launch(argv=[
        _java(), "-Xms256m", f"-Xmx{s.kafka_heap}", "-XX:+UseG1GC",
        "-XX:MaxGCPauseMillis=20", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={root / 'log4j2.yaml'}",
        f"-Dkafka.logs.dir={root / 'logs'}",
        "-cp", f"{install.kafka_libs(s)}/*", "kafka.Kafka", str(root / "server.properties"),
    ])


# --- S3: MinIO ----------------------------------------------------------------------------

def s3_prepare(s: Settings) -> None:
    (s.home / "s3" / "data").mkdir(parents=True, exist_ok=True)
    if len(s.s3_secret_key) < 8:
        raise InstallError("SOEMS_S3_SECRET_KEY must have at least 8 characters")


def s3_launch(s: Settings) -> Launch:
    return Launch(
        argv=[str(GO_BINARIES["s3"].path(s)), "server", str(s.home / "s3" / "data"),
              "--address", f"{s.s3_host}:{s.s3_port}",
              "--console-address", f"{s.s3_host}:{s.s3_console_port}", "--quiet"],
        env={"MINIO_ROOT_USER": s.s3_access_key, "MINIO_ROOT_PASSWORD": s.s3_secret_key,
             "MINIO_UPDATE": "off", "MINIO_BROWSER": "off", "MINIO_REGION": s.s3_region},
    )


def s3_after_ready(s: Settings) -> None:
    from botocore.exceptions import ClientError

    from deploy.local.probes import s3_client

    client = s3_client(s)
    try:
        client.head_bucket(Bucket=s.s3_bucket)
    except ClientError:
        client.create_bucket(Bucket=s.s3_bucket)


# --- SMTP: Mailpit ------------------------------------------------------------------------

# Mailpit asks for the generated credentials both to accept mail over SMTP and to show it
# (web UI and API). Its password file is htpasswd; the {SHA} form is enough for a generated
# 43-character secret, and needs no bcrypt in this project.

def _smtp_auth_file(s: Settings) -> Path:
    return s.home / "smtp" / "auth"


def smtp_prepare(s: Settings) -> None:
    (s.home / "smtp").mkdir(parents=True, exist_ok=True)
    if s.smtp_password:
        digest = base64.b64encode(hashlib.sha1(s.smtp_password.encode()).digest()).decode()
        path = _smtp_auth_file(s)
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            f.write(f"{s.smtp_user}:{{SHA}}{digest}\n")


def smtp_launch(s: Settings) -> Launch:
    auth = [] if not s.smtp_password else [
        "--smtp-auth-file", str(_smtp_auth_file(s)), "--smtp-auth-allow-insecure",
        "--ui-auth-file", str(_smtp_auth_file(s))]
    return Launch(argv=[
        str(GO_BINARIES["smtp"].path(s)),
        "--smtp", f"{s.smtp_host}:{s.smtp_port}", "--listen", f"{s.smtp_host}:{s.smtp_api_port}",
        "--database", str(s.home / "smtp" / "mailpit.db"),
        "--disable-version-check", "--smtp-disable-rdns", "--quiet", *auth,
    ])


COMPONENTS: dict[str, Component] = {
    c.name: c for c in (
        Component("postgres", lambda s: {"port": s.postgres_port}, postgres_launch,
                  postgres_prepare, postgres_after_ready,
                  stop_signal=signal.SIGINT),  # SIGINT is PostgreSQL's "fast" shutdown
        Component("redis", lambda s: {"port": s.redis_port}, redis_launch, redis_prepare),
        Component("mongo", lambda s: {"port": s.mongo_port, "debug port": s.mongo_debug_port},
                  mongo_launch, mongo_prepare),
        Component("kafka", lambda s: {"port": s.kafka_port,
                                      "controller port": s.kafka_controller_port},
                  kafka_launch, kafka_prepare),
        Component("s3", lambda s: {"port": s.s3_port, "console port": s.s3_console_port},
                  s3_launch, s3_prepare, s3_after_ready),
        Component("smtp", lambda s: {"port": s.smtp_port, "api port": s.smtp_api_port},
                  smtp_launch, smtp_prepare),
    )
}
