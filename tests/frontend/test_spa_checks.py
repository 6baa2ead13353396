"""The SPA's own checks, run by `make test` through pytest: ESLint and Prettier, the strict
TypeScript compile, the Vitest component tests, and the drift check of the generated client."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


@pytest.fixture(scope="module")
def npm():
    if not (FRONTEND / "node_modules" / ".package-lock.json").exists():
        pytest.fail("frontend/node_modules is missing: run `make spa` (npm ci)")
    return shutil.which("npm") or pytest.fail("npm is not installed")


@pytest.mark.parametrize("script", ["lint", "typecheck", "test", "api:check"])
def test_spa_check(npm, script):
    run = subprocess.run([npm, "run", "--silent", script], cwd=FRONTEND, capture_output=True,
                         text=True, timeout=240, env={**os.environ, "CI": "true"})
    assert run.returncode == 0, f"npm run {script} failed:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"

