"""The command API as several processes on one port (as `soems up` runs it): requests are
spread over them, and /metrics, whichever process answers it, counts every request."""
from __future__ import annotations

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from deploy.local.services import command_api
from tests.e2e.harness import free_port, healthy

REQUESTS = 40


def test_metrics_sum_every_process_of_the_command_api(settings):
    s = settings.model_copy(update={"command_api_port": free_port(), "command_api_processes": 2})
    service = command_api(s)
    assert "--workers" in service.argv
    series = Path(service.env["PROMETHEUS_MULTIPROC_DIR"])
    proc = subprocess.Popen(service.argv, env={**os.environ, **service.env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    url = f"http://127.0.0.1:{s.command_api_port}"
    try:
        assert healthy(url)
        # New connections, eight at a time, so the kernel hands them to both processes.
        with ThreadPoolExecutor(8) as clients:
            answers = list(clients.map(lambda _: httpx.get(f"{url}/v1/no-such-route"),
                                       range(REQUESTS)))
        assert {a.status_code for a in answers} == {404}
        pids = {m.group(1) for f in series.iterdir()
                if (m := re.match(r"histogram_(\d+)\.db$", f.name))}
        assert len(pids) == 2, pids  # both processes answered some

        scraped = httpx.get(f"{url}/metrics").text
        counted = sum(float(line.rsplit(" ", 1)[1]) for line in scraped.splitlines()
                      if line.startswith("soems_http_request_seconds_count{")
                      and 'route="unmatched"' in line)
        assert counted == REQUESTS
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
