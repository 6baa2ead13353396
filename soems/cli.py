"""The `soems` command line: one entry point for operators and developers."""
from __future__ import annotations

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
from soems.settings import COMPONENTS, load_settings

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


@app.command("up")
def run_everything() -> None:
    """Start the stack and every SOEMS service in the foreground until Ctrl-C."""
    s = _settings()
    try:
        started = stack.up(s)
    except (InstallError, stack.StackError) as exc:
        _fail(exc)
    stop = {"now": False}

    def request_stop(signum, frame):
        stop["now"] = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    typer.echo("SOEMS is running. Press Ctrl-C to stop.")
    for name, row in stack.status(s).items():
        typer.echo(f"  {name:9} {'up' if row['up'] else 'DOWN'}  {row['address']}")
    try:
        while not stop["now"]:
            time.sleep(0.5)
            for name in started:
                if stack.running(s, name) is None:
                    typer.secho(f"{name} exited; last lines:\n{stack.log_tail(s, name)}",
                                fg=typer.colors.RED, err=True)
                    started.remove(name)
    finally:
        typer.echo("Stopping...")
        stack.down(s, started)


if __name__ == "__main__":
    sys.exit(app())
