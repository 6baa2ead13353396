"""Benchmark of the SPA: how long a teacher waits, in headless Chromium through the gateway.

    .venv/bin/python bench/spa.py [--runs 15]

Needs `make run` (the gateway serves the built SPA and both APIs). A fresh admin (through
the CLI) makes a fresh teacher with a few drafts; then ``frontend/e2e/timing.mjs`` (playwright
-core driving Debian's Chromium) runs ``--runs`` times, each in a fresh browser context with
an empty cache, and this prints p50/p95/p99 of every stage the teacher waits on:

* sign-in page: from navigation until the form shows (HTML, the first page's JavaScript);
* sign in to dashboard: from the click until the dashboard lists the exams (the login, the
  teacher's chunk, the catalogue query);
* dashboard reload: with a warm cache, until the exams show again (the silent refresh from
  the stored refresh token, then the query);

and the JavaScript the first page downloads, compressed as served and decoded.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import subprocess
import sys
from pathlib import Path
from uuid import uuid4

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from commands import percentile  # noqa: E402
from settings import load_settings  # noqa: E402

FRONTEND = Path(__file__).resolve().parents[1] / "frontend"


def make_teacher(command_url: str) -> tuple[str, str]:
    tag, password = secrets.token_hex(4), secrets.token_urlsafe(18)
    admin_email = f"bench-spa-{tag}@example.edu"
    subprocess.run([str(Path(sys.executable).with_name("soems")), "admin", "create", "--email",
                    admin_email, "--name", "Bench", "--password-stdin"],
                   input=password + "\n", text=True, check=True, capture_output=True)
    with httpx.Client(base_url=command_url, timeout=60) as http:
        admin = http.post("/v1/auth/login", json={"email": admin_email,
                                                  "password": password}).json()
        email = f"bench-spa-teacher-{tag}@example.edu"
        http.post("/v1/users", json={"email": email, "name": "Bench SPA", "password": password,
                                     "role": "teacher"},
                  headers={"Authorization": f"Bearer {admin['access_token']}",
                           "Idempotency-Key": str(uuid4())}).raise_for_status()
        teacher = http.post("/v1/auth/login", json={"email": email,
                                                    "password": password}).json()
        for n in range(5):
            http.post("/v1/exams", json={"title": f"Bench draft {n}", "duration_minutes": 60},
                      headers={"Authorization": f"Bearer {teacher['access_token']}",
                               "Idempotency-Key": str(uuid4())}).raise_for_status()
    return email, password


def _kind_of(path: str) -> str:
    """A request's path with ids and build hashes taken out, to group the runs' requests."""
    path = re.sub(r"-[A-Za-z0-9_-]{8}\.(js|css)$", r".\1", path)  # Vite's content hashes
    return re.sub(r"/[0-9a-f]{8}-[0-9a-f-]{27,}|/bench-[^/]+", "/{id}", path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    s = load_settings()
    email, password = make_teacher(f"http://127.0.0.1:{s.command_api_port}")
    done = subprocess.run(["node", "e2e/timing.mjs"], cwd=FRONTEND, capture_output=True,
                          text=True, timeout=600, env={
                              **os.environ, "SOEMS_BENCH_RUNS": str(args.runs),
                              "SOEMS_E2E_BASE_URL": f"http://127.0.0.1:{s.gateway_port}",
                              "SOEMS_E2E_TEACHER_EMAIL": email,
                              "SOEMS_E2E_TEACHER_PASSWORD": password})
    if done.returncode:
        sys.exit(done.stdout + done.stderr)
    runs = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}; {len(runs)} runs, each with an empty cache")
    print(f"{'stage (ms)':<34} {'p50':>8} {'p95':>8} {'p99':>8}")
    for key, name in (("signInPage", "sign-in page usable"),
                      ("signInToDashboard", "sign in to dashboard usable"),
                      ("reloadDashboard", "dashboard reload (warm cache)")):
        ordered = sorted(r[key] for r in runs)
        print(f"{name:<34} {percentile(ordered, 50):>8.0f} {percentile(ordered, 95):>8.0f} "
              f"{percentile(ordered, 99):>8.0f}")
    print("\nwhere signing in waits (ms from the click, p50 over the runs; what the browser "
          "fetched, in order)")
    fetched: dict[str, list[tuple[float, float]]] = {}
    for run in runs:
        for r in run["afterClick"]:
            fetched.setdefault(_kind_of(r["name"]), []).append((r["start"], r["end"]))
    for name, spans in sorted(fetched.items(),
                              key=lambda kv: percentile(sorted(s for s, _ in kv[1]), 50)):
        starts, ends = sorted(s for s, _ in spans), sorted(e for _, e in spans)
        print(f"  {name:<44} from {percentile(starts, 50):>6.0f} to "
              f"{percentile(ends, 50):>6.0f}  ({len(spans) / len(runs):.0f} per run)")
    ordered = sorted(r["signInToDashboard"] for r in runs)
    print(f"  {'the dashboard shows its exams':<44} at {percentile(ordered, 50):>8.0f}")
    first = runs[0]
    print(f"first page JavaScript: {first['jsCompressed'] / 1024:,.1f} KB as served (gzip), "
          f"{first['jsDecoded'] / 1024:,.1f} KB decoded")


if __name__ == "__main__":
    main()
