"""Installing the local stack's components from the registries this project can reach.

Everything is idempotent: a component whose artefact is already in the cache is skipped, so a
second `soems stack install` costs a few file checks. Downloads and builds live in
``$SOEMS_CACHE_DIR`` (default ``~/.cache/soems``), never in the checkout.
"""
from __future__ import annotations

import ctypes.util
import glob
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from settings import Settings

KAFKA_VERSION = "4.0.2"
POM = Path(__file__).with_name("kafka") / "pom.xml"


class InstallError(RuntimeError):
    pass


def say(message: str) -> None:
    print(f"[install] {message}", flush=True)


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a build step; on failure raise with the tail of its output."""
    proc = subprocess.run(
        cmd, cwd=cwd, env={**os.environ, **(env or {})}, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.strip().splitlines()[-25:])
        raise InstallError(f"`{' '.join(cmd)}` failed with exit code {proc.returncode}:\n{tail}")
    return proc.stdout


# --- Debian packages -------------------------------------------------------------------------

def postgres_bindir() -> Path | None:
    """The newest PostgreSQL server installed from Debian's packages."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/postgres"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


APT_PACKAGES = {
    # package: how to tell it is there
    "postgresql": lambda: postgres_bindir() is not None,
    "redis-server": lambda: shutil.which("redis-server") is not None,
    "openjdk-17-jre-headless": lambda: shutil.which("java") is not None,
    "maven": lambda: shutil.which("mvn") is not None,
    "nodejs": lambda: shutil.which("node") is not None,
    "npm": lambda: shutil.which("npm") is not None,
    "nginx": lambda: shutil.which("nginx") is not None or os.access("/usr/sbin/nginx", os.X_OK),
    "bubblewrap": lambda: shutil.which("bwrap") is not None,
    # pyseccomp loads the system's libseccomp to build the sandbox's syscall filter.
    "libseccomp2": lambda: ctypes.util.find_library("seccomp") is not None,
}

COMPONENT_APT = {
    "postgres": ["postgresql"],
    "redis": ["redis-server"],
    "kafka": ["openjdk-17-jre-headless", "maven"],
    "smtp": ["nodejs", "npm"],
}
# Not a stack component but always run by `soems up`: the gateway serves the SPA and the APIs.
GATEWAY_APT = ["nginx"]
# Nor is the judge's sandbox (stream_processors/judge/sandbox.py): students' code runs in bwrap.
JUDGE_APT = ["bubblewrap", "libseccomp2"]


def ensure_apt(components: list[str]) -> None:
    wanted = sorted({p for c in components for p in COMPONENT_APT.get(c, [])}
                    | set(GATEWAY_APT) | set(JUDGE_APT))
    missing = [p for p in wanted if not APT_PACKAGES[p]()]
    if not missing:
        return
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    say(f"apt-get install {' '.join(missing)}")
    env = {"DEBIAN_FRONTEND": "noninteractive"}
    run(prefix + ["apt-get", "update", "-q"], env=env)
    run(prefix + ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)


# --- Kafka from Maven Central ------------------------------------------------------------------

def kafka_libs(s: Settings) -> Path:
    return s.cache_dir / f"kafka-{KAFKA_VERSION}" / "libs"


def install_kafka(s: Settings) -> None:
    libs = kafka_libs(s)
    marker = libs / ".complete"
    if marker.exists():
        return
    if shutil.which("mvn") is None:
        raise InstallError("Maven (mvn) is needed to fetch Kafka's jars from Maven Central")
    say(f"kafka {KAFKA_VERSION}: resolving jars from Maven Central")
    staging = libs.with_name("libs.partial")
    shutil.rmtree(staging, ignore_errors=True)
    run([
        "mvn", "-q", "-B", "-f", str(POM), "dependency:copy-dependencies",
        f"-Dkafka.version={KAFKA_VERSION}", f"-DoutputDirectory={staging}",
        "-DincludeScope=runtime",
    ])
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    marker.write_text(KAFKA_VERSION)


# --- Go binaries from the Go module proxy -------------------------------------------------------

@dataclass(frozen=True)
class GoBinary:
    name: str
    module: str
    version: str
    # The module's h1: hash, pinned here because the checksum database is not reachable from
    # these machines; `go mod download` output is compared with it before anything is built.
    sum: str
    package: str = "."
    # Files to write into the module source before building (path -> content).
    generated: tuple[tuple[str, str], ...] = ()
    # The module embeds a web UI that npm must build first.
    npm_build: str | None = None
    ldflags: str = "-s -w"

    def path(self, s: Settings) -> Path:
        return s.cache_dir / "bin" / f"{self.name}-{self.version}"


FERRETDB = GoBinary(
    name="ferretdb", module="github.com/FerretDB/FerretDB", version="v1.24.2",
    sum="h1:trrUU0LbmusMbyubhPS1IELncvrIwKrsRT2LW1UUWCw=", package="./cmd/ferretdb",
    # FerretDB reads its own version from a file its release tooling generates.
    generated=(("build/version/version.txt", "v1.24.2\n"),),
)
MINIO = GoBinary(
    name="minio", module="github.com/minio/minio",
    version="v0.0.0-20260212201848-7aac2a2c5b7c",
    sum="h1:/qdoYujxF5MBLDMVLeiYJ/7fBa1HikX39Dvzb9Ji8pA=",
)
MAILPIT = GoBinary(
    name="mailpit", module="github.com/axllent/mailpit", version="v1.28.0",
    sum="h1:XEPABW9braGOXaqWbK/R2qEXMdfKZHDETDQfsw85kvk=",
    npm_build="package",
    ldflags="-s -w -X github.com/axllent/mailpit/config.Version=v1.28.0",
)
GO_BINARIES = {"mongo": FERRETDB, "s3": MINIO, "smtp": MAILPIT}


def go_binary() -> str:
    """The Go toolchain: on PATH, or where the official tarball installs it."""
    found = shutil.which("go") or next(
        (p for p in ("/usr/local/go/bin/go",) if os.access(p, os.X_OK)), None)
    if found is None:
        raise InstallError("Go 1.24 or newer is needed to build FerretDB, MinIO and Mailpit "
                           "from the Go module proxy; install it and put `go` on PATH")
    return found


def go_env() -> dict[str, str]:
    return {
        # The checksum database is not reachable here; each module's own go.sum still
        # verifies its dependencies (-mod=readonly) and the module itself is checked against
        # the pinned hash above.
        "GOSUMDB": "off",
        "GOFLAGS": "-buildvcs=false -mod=readonly",
        "GOTOOLCHAIN": "local",
        "CGO_ENABLED": "0",
    }


def install_go_binary(s: Settings, spec: GoBinary) -> None:
    target = spec.path(s)
    if target.exists():
        return
    go = go_binary()
    started = time.monotonic()
    say(f"{spec.name} {spec.version}: downloading {spec.module}")
    info = json.loads(run([go, "mod", "download", "-json", f"{spec.module}@{spec.version}"],
                          env=go_env()))
    if info.get("Error"):
        raise InstallError(f"{spec.module}@{spec.version}: {info['Error']}")
    if info.get("Sum") != spec.sum:
        raise InstallError(
            f"{spec.module}@{spec.version}: checksum {info.get('Sum')} does not match the "
            f"pinned {spec.sum}; refusing to build it"
        )
    build_dir = s.cache_dir / "build" / f"{spec.name}-{spec.version}"
    shutil.rmtree(build_dir, ignore_errors=True)
    shutil.copytree(info["Dir"], build_dir)
    for root, dirs, files in os.walk(build_dir):  # the module cache is read-only
        for entry in dirs + files:
            p = os.path.join(root, entry)
            os.chmod(p, os.stat(p).st_mode | 0o200)
    for rel, content in spec.generated:
        (build_dir / rel).write_text(content)
    if spec.npm_build:
        say(f"{spec.name}: building its web UI with npm")
        run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=build_dir)
        run(["npm", "run", spec.npm_build], cwd=build_dir)
    say(f"{spec.name}: go build (the first build compiles every dependency; minutes)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    run([go, "build", "-trimpath", "-ldflags", spec.ldflags, "-o", str(partial), spec.package],
        cwd=build_dir, env=go_env())
    partial.rename(target)
    shutil.rmtree(build_dir, ignore_errors=True)
    say(f"{spec.name}: built in {time.monotonic() - started:.0f}s")


def install(s: Settings, components: list[str]) -> None:
    """Install what the named components need; quick when everything is cached."""
    ensure_apt(components)
    if "kafka" in components:
        install_kafka(s)
    for name in components:
        if name in GO_BINARIES:
            install_go_binary(s, GO_BINARIES[name])

