"""The service supervisor: prefixed logs, restarts after a crash, a clean stop."""
from __future__ import annotations

import asyncio
import io
import sys

from deploy.local.services import Service, Supervisor

PY = sys.executable


async def supervise(services: list[Service], seconds: float) -> str:
    out = io.StringIO()
    supervisor = Supervisor(services, out=out)
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    await supervisor.run(stop)
    assert all(p.returncode is not None for p in supervisor.procs.values())
    return out.getvalue()


def test_logs_are_prefixed_crashes_restart_and_stop_ends_everything():
    services = [
        Service("steady", [PY, "-c", "import time\nprint('ready', flush=True)\ntime.sleep(60)"]),
        Service("crashy", [PY, "-c", "print('boom', flush=True); raise SystemExit(3)"]),
    ]
    log = asyncio.run(supervise(services, seconds=2.5))
    assert "steady | ready" in log
    assert "crashy | boom" in log
    assert "crashy | exited with code 3; restarting in 1s" in log
    assert log.count("crashy | boom") >= 2, "the crashed service was started again"


def test_a_service_that_ignores_sigterm_is_killed_after_the_grace_period():
    stubborn = Service("stubborn", [PY, "-c", (
        "import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "print('up', flush=True)\ntime.sleep(60)")])

    async def run() -> str:
        out = io.StringIO()
        supervisor = Supervisor([stubborn], out=out)
        task = asyncio.create_task(supervisor._keep_running(stubborn))
        while "up" not in out.getvalue():
            await asyncio.sleep(0.05)
        supervisor.stopping = True
        await supervisor.stop_all(grace=0.5)
        await task
        return out.getvalue()

    assert "stubborn | did not stop within 0.5s; killing it" in asyncio.run(run())
