"""The SOEMS services as supervised local processes, with prefixed logs.

Each service runs in its own process group; a service that dies is restarted with a growing
delay; stopping sends SIGTERM and, after a grace period, SIGKILL.
"""
from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from settings import Settings


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Run in the child before exec: Linux sends it SIGTERM when its parent dies, so a
    supervisor killed with SIGKILL leaves no orphaned service behind."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass(frozen=True)
class Service:
    name: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)


def services(s: Settings) -> list[Service]:
    from projections import all_projections

    py = sys.executable
    found = [
        command_api(s),
        Service("query-api", [py, "-m", "uvicorn", "query_api.app:app", "--host", "127.0.0.1",
                              "--port", str(s.query_api_port), "--no-access-log",
                              "--ws-max-size", "65536", *keep_alive(s)]),
        Service("relay", [py, "-m", "eventlog.relay"]),
        Service("sealer", [py, "-m", "eventlog.sealer"]),
    ]
    found += [Service(f"projection.{name}", [py, "-m", "projections", "run", name])
              for name in all_projections()]
    found.append(Service("processors", [py, "-m", "stream_processors", "worker"]))
    found.append(Service("judge", [py, "-m", "stream_processors.judge", "worker"]))
    found.append(Service("notifier", [py, "-m", "stream_processors.notifications"]))
    found.append(Service("gateway", gateway_argv(s)))
    return found


def keep_alive(s: Settings) -> list[str]:
    return ["--timeout-keep-alive", str(s.api_keep_alive_seconds)]


def command_api(s: Settings) -> Service:
    """The command API, as ``s.command_api_processes`` uvicorn workers on one port. Several
    processes keep their Prometheus series in files of a folder emptied at each start
    (prometheus-client's multi-process mode), which /metrics sums."""
    argv = [sys.executable, "-m", "uvicorn", "command_api.app:app", "--host", "127.0.0.1",
            "--port", str(s.command_api_port), "--no-access-log", *keep_alive(s)]
    if s.command_api_processes <= 1:
        return Service("command-api", argv)
    series = Path(s.home) / "run" / f"command-api-metrics-{s.command_api_port}"
    shutil.rmtree(series, ignore_errors=True)
    series.mkdir(parents=True)
    return Service("command-api", argv + ["--workers", str(s.command_api_processes)],
                   env={"PROMETHEUS_MULTIPROC_DIR": str(series)})


def gateway_argv(s: Settings) -> list[str]:
    from deploy.gateway.config import from_settings

    gateway = from_settings(s)
    gateway.check_port()
    gateway.write()
    return gateway.argv()


class Supervisor:
    def __init__(self, wanted: list[Service], out=sys.stdout):
        self.wanted = wanted
        self.out = out
        self.procs: dict[str, asyncio.subprocess.Process] = {}
        self.stopping = False
        self.width = max(len(s.name) for s in wanted)

    def say(self, name: str, line: str) -> None:
        self.out.write(f"{name:>{self.width}} | {line}\n")
        self.out.flush()

    async def _pipe(self, name: str, proc: asyncio.subprocess.Process) -> None:
        assert proc.stdout is not None
        async for raw in proc.stdout:
            self.say(name, raw.decode(errors="replace").rstrip())

    async def _keep_running(self, service: Service) -> None:
        delay = 1.0
        while not self.stopping:
            started = time.monotonic()
            proc = await asyncio.create_subprocess_exec(
                *service.argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL, start_new_session=True,
                preexec_fn=die_with_parent,
                env={**os.environ, "PYTHONUNBUFFERED": "1", **service.env})
            self.procs[service.name] = proc
            await asyncio.gather(self._pipe(service.name, proc), proc.wait())
            if self.stopping:
                return
            self.say(service.name, f"exited with code {proc.returncode}; restarting in "
                                   f"{delay:.0f}s")
            await asyncio.sleep(delay)
            # A service that ran a while before dying starts again quickly.
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)

    async def run(self, stop: asyncio.Event) -> None:
        tasks = [asyncio.create_task(self._keep_running(s)) for s in self.wanted]
        await stop.wait()
        self.stopping = True
        await self.stop_all()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def stop_all(self, grace: float = 15.0) -> None:
        for proc in self.procs.values():
            if proc.returncode is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + grace
        for name, proc in self.procs.items():
            try:
                await asyncio.wait_for(proc.wait(), max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                self.say(name, f"did not stop within {grace:g}s; killing it")
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                await proc.wait()
