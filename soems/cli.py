"""The `soems` command line: one entry point for operators and developers."""
from __future__ import annotations

import asyncio
from pathlib import Path
import json
import os
import signal
import subprocess
import sys
import time
from typing import Annotated, Optional

import typer
from pydantic import ValidationError

from deploy.local import stack
from deploy.local.install import InstallError, install
from settings import COMPONENTS, load_settings

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="SOEMS: event-sourced online examinations with AI proctoring.")
stack_app = typer.Typer(no_args_is_help=True, help="The local infrastructure stack (no Docker).")
app.add_typer(stack_app, name="stack")

Only = Annotated[
    Optional[str],
    typer.Option("--only", help=f"Comma-separated subset of: {', '.join(COMPONENTS)}."),
]


def _names(only: str | None) -> list[str] | None:
    return [n.strip() for n in only.split(",") if n.strip()] if only else None


def _load():
    """Settings, or a clear message naming each environment variable that is wrong."""
    try:
        return load_settings()
    except ValidationError as exc:
        for err in exc.errors():
            field = "SOEMS_" + str(err["loc"][0]).upper() if err["loc"] else "settings"
            typer.secho(f"error: invalid setting {field}: {err['msg']}", fg=typer.colors.RED,
                        err=True)
        raise typer.Exit(2)


def _settings():
    return stack.ensure_secrets(_load())


def _fail(exc: Exception) -> None:
    typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
    raise typer.Exit(1)


@stack_app.command("install")
def stack_install(only: Only = None) -> None:
    """Install every component (apt packages, Kafka jars, Go binaries), from caches if present."""
    s = _settings()
    started = time.monotonic()
    try:
        install(s, stack._select(s, _names(only)))
    except (InstallError, stack.StackError) as exc:
        _fail(exc)
    typer.echo(f"Installed in {time.monotonic() - started:.1f}s (cache: {s.cache_dir}).")


@stack_app.command("up")
def stack_up(only: Only = None) -> None:
    """Start the components that are not running and wait until each answers its protocol."""
    s = _settings()
    started = time.monotonic()
    try:
        stack.up(s, _names(only))
    except (InstallError, stack.StackError) as exc:
        _fail(exc)
    typer.echo(f"Stack up in {time.monotonic() - started:.1f}s.")


@stack_app.command("down")
def stack_down(only: Only = None) -> None:
    """Stop the running components cleanly (SIGKILL only after a grace period)."""
    try:
        stack.down(_load(), _names(only))
    except stack.StackError as exc:
        _fail(exc)


@stack_app.command("status")
def stack_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Check every component with a real protocol request."""
    report = stack.status(_load())
    if as_json:
        order = ("kafka", "postgres", "redis", "mongo", "s3", "smtp")
        typer.echo(json.dumps({n: {"up": report[n]["up"], "address": report[n]["address"]}
                               for n in order}))
        return
    for name, row in report.items():
        state = typer.style("up  ", fg=typer.colors.GREEN) if row["up"] else \
            typer.style("down", fg=typer.colors.RED)
        where = "local" if row["managed"] else "external"
        pid = f"pid {row['pid']}" if row["pid"] else ""
        why = f"  ({row['reason']})" if row["reason"] else ""
        typer.echo(f"{name:9} {state} {row['address']:22} {where:8} {pid}{why}")


@stack_app.command("logs")
def stack_logs(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(COMPONENTS)}.")],
    lines: Annotated[int, typer.Option("-n", "--lines", help="How many lines.")] = 50,
    follow: Annotated[bool, typer.Option("-f", "--follow", help="Keep printing.")] = False,
) -> None:
    """Print the log of one component."""
    if name not in COMPONENTS:
        _fail(stack.StackError(f"unknown component {name!r}; known: {', '.join(COMPONENTS)}"))
    path = stack.log_path(_load(), name)
    if not path.exists():
        _fail(stack.StackError(f"{name} has no log yet at {path}"))
    cmd = ["tail", "-n", str(lines)] + (["-F"] if follow else []) + [str(path)]
    os.execvp("tail", cmd)


@stack_app.command("exec", context_settings={"allow_extra_args": True,
                                              "ignore_unknown_options": True})
def stack_exec(ctx: typer.Context) -> None:
    """Run a command with the stack up: start what is missing, stop only what was started."""
    if not ctx.args:
        _fail(stack.StackError("usage: soems stack exec -- COMMAND [ARGS...]"))
    s = _settings()
    try:
        started = stack.up(s)
    except (InstallError, stack.StackError) as exc:
        _fail(exc)
    try:
        rc = subprocess.call(ctx.args)
    except KeyboardInterrupt:
        rc = 130
    finally:
        if started:
            typer.echo(f"Stopping what this run started: {', '.join(started)}")
            stack.down(s, started)
    raise typer.Exit(rc)


admin_app = typer.Typer(no_args_is_help=True, help="Administrator accounts.")
app.add_typer(admin_app, name="admin")
projections_app = typer.Typer(no_args_is_help=True, help="Read-model projections.")
app.add_typer(projections_app, name="projections")
db_app = typer.Typer(no_args_is_help=True, help="The project's PostgreSQL database.")
app.add_typer(db_app, name="db")
audit_app = typer.Typer(no_args_is_help=True, help="The tamper-evident event log.")
app.add_typer(audit_app, name="audit")


def _audit_outcome(first_break) -> None:
    """Print whether every link held; exit 1 at the first that did not."""
    if first_break:
        typer.secho(f"BROKEN at {first_break.where}: {first_break.why}", fg=typer.colors.RED,
                    err=True)
        raise typer.Exit(1)
    typer.echo("every link holds")


def _audit_key(s):
    from eventlog.chain import signing_key

    if not s.audit_signing_key:
        _fail(RuntimeError("SOEMS_AUDIT_SIGNING_KEY is empty: `soems stack install` "
                           "generates one"))
    return signing_key(s.audit_signing_key)


@audit_app.command("seal")
def audit_seal(margin: Annotated[float, typer.Option(
        help="leave events younger than this many seconds to the next seal")] = 60.0) -> None:
    """Sign a checkpoint over every event stored since the last one."""
    from eventlog.audit import seal
    from eventlog.postgres import create_pool

    s = _settings()

    async def run():
        async with await create_pool(s, min_size=1, max_size=1) as pool:
            return await seal(pool, _audit_key(s), margin)

    sealed = asyncio.run(run())
    typer.echo("nothing new to seal" if sealed is None else
               f"sealed {sealed[1]:,} events up to global position {sealed[0]}")


@audit_app.command("public-key")
def audit_public_key() -> None:
    """The public key auditors verify checkpoints with (hex)."""
    from eventlog.chain import public_key_bytes

    typer.echo(public_key_bytes(_audit_key(_settings())).hex())


@audit_app.command("export")
def audit_export(
    path: Annotated[Path, typer.Argument(help="the bundle file to write")],
    start: Annotated[int, typer.Option("--from", help="first global position")] = 1,
    end: Annotated[int, typer.Option("--to", help="last global position (default: the "
                                                  "last sealed)")] = 0,
) -> None:
    """Write a signed bundle of a range of the log for an auditor to verify offline."""
    from eventlog.bundle import export
    from eventlog.postgres import create_pool

    s = _settings()
    key = _audit_key(s)

    async def run():
        async with await create_pool(s, min_size=1, max_size=1) as pool:
            last = end or await pool.fetchval(
                "SELECT coalesce(max(position), 0) FROM eventlog.checkpoints")
            return await export(pool, key, start, last, path)

    events, checkpoints = asyncio.run(run())
    typer.echo(f"wrote {events:,} events and {checkpoints} checkpoints to {path}")


@audit_app.command("verify-bundle")
def audit_verify_bundle(
    path: Annotated[Path, typer.Argument(help="a bundle from `soems audit export`")],
    public_key: Annotated[str, typer.Option(help="the hex public key from `soems audit "
                                                 "public-key`")],
) -> None:
    """Verify a bundle offline: its signature, its checkpoints, every link."""
    from eventlog.bundle import verify_bundle

    report = verify_bundle(path, bytes.fromhex(public_key))
    typer.echo(f"{report.events:,} events, {report.checkpoints} checkpoints checked")
    _audit_outcome(report.first_break)


@audit_app.command("verify")
def audit_verify(
    kafka: Annotated[bool, typer.Option(help="check the Kafka topics instead of the store")] = False,
    public_key: Annotated[str, typer.Option(help="hex public key to check signatures with "
                                                 "(default: the one stored with each)")] = "",
) -> None:
    """Replay the log from the start and report the first link that does not hold."""
    from eventlog.audit import verify_kafka, verify_store
    from eventlog.postgres import create_pool
    from schemas.envelope import Aggregate

    s = _settings()

    async def store():
        async with await create_pool(s, min_size=1, max_size=1) as pool:
            return await verify_store(pool, bytes.fromhex(public_key) if public_key else None)

    import schemas.events  # noqa: F401  (registers every aggregate)

    report = verify_kafka(s, [a.topic for a in Aggregate.registry.values()]) if kafka \
        else asyncio.run(store())
    rate = report.events / report.seconds if report.seconds else 0
    typer.echo(f"{report.events:,} events, {report.checkpoints} checkpoints checked in "
               f"{report.seconds:.1f} s ({rate:,.0f} events/s)")
    _audit_outcome(report.first_break)


gdpr_app = typer.Typer(no_args_is_help=True, help="People's personal data (GDPR).")
app.add_typer(gdpr_app, name="gdpr")


@gdpr_app.command("export")
def gdpr_export(user_id: Annotated[str, typer.Argument(help="the account's user id")]) -> None:
    """Print, as JSON, every personal datum SOEMS holds about a person: their account's events
    with the sealed fields opened, and their credentials' email."""
    import json

    from eventlog.postgres import create_pool
    from eventlog.store import PostgresEventStore
    from schemas.events.identity import IDENTITY
    from security.personal_data import PersonalData, is_sealed

    s = _settings()

    async def run() -> dict:
        async with await create_pool(s, min_size=1, max_size=1, role="command") as pool:
            personal = PersonalData(pool, s.personal_data_key)
            stream = await PostgresEventStore(pool).load(IDENTITY.stream_id(user_id))
            if stream.version == 0:
                _fail(RuntimeError(f"no account {user_id}"))
            events = []
            for e in stream.events:
                fields = e.payload.model_dump()
                for name, value in fields.items():
                    if is_sealed(value):
                        fields[name] = await personal.reveal(user_id, name, value)
                events.append({"event": e.event_type, "at": e.envelope.occurred_at.isoformat(),
                               **fields})
            login = await pool.fetchval("SELECT email FROM identity.credentials "
                                        "WHERE user_id = $1", user_id)
            return {"user_id": user_id, "login_email": login, "events": events}

    typer.echo(json.dumps(asyncio.run(run()), indent=2, default=str))


@gdpr_app.command("erase")
def gdpr_erase(user_id: Annotated[str, typer.Argument(help="the account's user id")]) -> None:
    """Erase a person: destroy their key (their sealed data in the log, Kafka, dead letters,
    snapshots and stored outcomes can never be read again), delete their credentials and
    sessions, and record that it happened. The read models show them as erased."""
    from uuid import uuid4

    from command_api.handling import handle
    from command_api.identity.accounts import user_view
    from command_api.identity.decider import EraseUser, identity_decider
    from eventlog.postgres import create_pool
    from eventlog.store import CommandContext, PostgresEventStore
    from schemas.envelope import SYSTEM
    from schemas.refusals import DomainError
    from security.sessions import Sessions, connect_redis

    s = _settings()

    async def forget(conn) -> None:
        for table in ("person_keys", "credentials", "refresh_tokens"):
            await conn.execute(f"DELETE FROM identity.{table} WHERE user_id = $1", user_id)

    async def run() -> None:
        pool = await create_pool(s, min_size=1, max_size=1, role="command")
        redis = connect_redis(s.redis_url)
        try:
            await handle(PostgresEventStore(pool), identity_decider, user_id,
                         EraseUser(user_id, SYSTEM), CommandContext(uuid4(), SYSTEM),
                         user_view(user_id), also=lambda state, events: forget)
            await Sessions(redis, s.access_token_minutes * 60).end_all(user_id)
        finally:
            await redis.aclose()
            await pool.close()

    try:
        asyncio.run(run())
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"erased {user_id}: their key is destroyed, their sessions ended")


@db_app.command("migrate")
def db_migrate() -> None:
    """Create or update the services' roles, the event store and identity schemas, and the
    grants, as the database administrator (the local stack does this when PostgreSQL starts;
    run it yourself against a server of your own)."""
    from eventlog.migrate import migrate_now

    migrate_now(_settings())
    typer.echo("database migrated")


@admin_app.command("create")
def admin_create(
    email: Annotated[str, typer.Option(help="The admin's email (their login).")],
    name: Annotated[str, typer.Option(help="The admin's full name.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create an admin account. The password is asked for (never a default, never an argument)."""
    from uuid import uuid4

    from pydantic import ValidationError as InputError

    from security.roles import Role

    from command_api.identity.accounts import NewAccount, register_account
    from security.personal_data import PersonalData
    from eventlog.postgres import create_pool
    from eventlog.store import CommandContext, PostgresEventStore
    from schemas.envelope import SYSTEM
    from schemas.refusals import DomainError

    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    try:
        body = NewAccount(email=email, name=name, password=password)
    except InputError as exc:
        for err in exc.errors():
            typer.secho(f"error: {err['loc'][0]}: {err['msg']}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2)
    s = _settings()

    async def create() -> dict:
        async with await create_pool(s, min_size=1, max_size=2, role="command") as pool:
            ctx = CommandContext(command_id=uuid4(), actor=SYSTEM)
            return await register_account(PostgresEventStore(pool),
                                          PersonalData(pool, s.personal_data_key),
                                          str(body.email), body.name, body.password,
                                          Role.ADMIN, ctx, by_visitor=False)

    try:
        user = asyncio.run(create())
    except DomainError as exc:
        _fail(exc)
    typer.echo(f"Admin {user['email']} created (user id {user['user_id']}).")


@projections_app.command("rebuild")
def projections_rebuild(
    name: Annotated[str, typer.Argument(help="The projection to rebuild.")],
) -> None:
    """Replay a projection from offset 0 into a shadow table or collection, then swap it in."""
    from rich.progress import Progress

    from eventlog.projection import PostgresProjection, rebuild_mongo, rebuild_postgres
    from projections import all_projections

    known = all_projections()
    if name not in known:
        _fail(stack.StackError(f"unknown projection {name!r}; known: {', '.join(known)}"))
    projection = known[name]
    rebuild = rebuild_postgres if isinstance(projection, PostgresProjection) else rebuild_mongo
    s = _settings()
    started = time.monotonic()
    with Progress(transient=not sys.stdout.isatty()) as bar:
        task = bar.add_task(f"rebuilding {name}", total=None)
        applied = asyncio.run(rebuild(
            s, projection, lambda done, total: bar.update(task, completed=done, total=total)))
    typer.echo(f"Rebuilt {name}: {applied} events applied in {time.monotonic() - started:.1f}s.")


@app.command("openapi")
def openapi(out: Annotated[Path, typer.Option("--out", help="folder for the JSON files")] = Path(
        "frontend/openapi")) -> None:
    """Write both APIs' OpenAPI documents (the SPA's client is generated from them)."""
    from web.openapi import write

    for path in write(out):
        typer.echo(f"wrote {path}")


@app.command("up")
def run_everything(
    stack_only: Annotated[bool, typer.Option("--stack-only", help="Start no service.")] = False,
) -> None:
    """Start the stack and every SOEMS service in the foreground until Ctrl-C."""
    from deploy.gateway.config import GatewayError, from_settings
    from deploy.local.services import Supervisor, services

    s = _settings()
    try:
        wanted = [] if stack_only else services(s)  # before the stack: a missing SPA is said now
    except GatewayError as exc:
        _fail(exc)
    try:
        started = stack.up(s)
    except (InstallError, stack.StackError) as exc:
        _fail(exc)

    async def supervise() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        gateway = from_settings(s).url
        typer.echo(f"SOEMS is running: open {gateway}/ (the SPA; API under {gateway}/api/, "
                   f"combined docs {gateway}/api/docs). Command API "
                   f"http://127.0.0.1:{s.command_api_port}, query API "
                   f"http://127.0.0.1:{s.query_api_port}. Press Ctrl-C to stop.")
        if wanted:
            await Supervisor(wanted).run(stop)
        else:
            await stop.wait()

    try:
        asyncio.run(supervise())
    finally:
        typer.echo("Stopping...")
        stack.down(s, started)


if __name__ == "__main__":
    sys.exit(app())
