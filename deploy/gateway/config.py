"""The gateway (nginx): its configuration, rendered from settings, and how to run it.

``soems up`` supervises it like the APIs; the browser tests start one of their own in front of
the APIs they started. The SPA it serves is ``frontend/dist`` (``make spa`` builds it).
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from command_api.media.decider import MEDIA_TYPES

HERE = Path(__file__).parent
CHECKOUT = HERE.parent.parent
SPA_DIST = CHECKOUT / "frontend" / "dist"
# Requests per client address: the API as a whole, and sign-in (per minute).
API_RATE, API_BURST = 50, 100
LOGIN_RATE, LOGIN_BURST = 20, 10
# An upload to the object store: the largest medium and the signed form's fields.
MAX_MEDIA_BYTES = max(MEDIA_TYPES.values()) + 64 * 2**10


class GatewayError(RuntimeError):
    pass


@dataclass(frozen=True)
class Gateway:
    host: str
    port: int
    command_port: int
    query_port: int
    max_body_bytes: int
    object_store_url: str  # the S3 endpoint (settings.s3_endpoint_url), served at /objects/
    runtime: Path  # config, pid, logs and nginx's temporary files
    spa: Path = SPA_DIST
    max_import_bytes: int = 20 * 2**20  # question and account files
    object_store_bucket: str = "soems"  # only this bucket is reachable under /objects/

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def config_file(self) -> Path:
        return self.runtime / "nginx.conf"

    def render(self) -> str:
        values = {
            # Workers run as the user who runs the rest of SOEMS: as root, nginx would
            # otherwise switch to `nobody`, who may not read a checkout under /root.
            "user": "user root root;" if os.geteuid() == 0 else "",
            "runtime": str(self.runtime), "spa": str(self.spa), "conf_dir": str(HERE),
            "mime_types": str(mime_types()), "host": self.host, "port": str(self.port),
            "command_port": str(self.command_port), "query_port": str(self.query_port),
            "max_body": f"{max(1, self.max_body_bytes // 1024)}k",
            "max_import": f"{max(1, self.max_import_bytes // 1024)}k",
            "max_media": f"{MAX_MEDIA_BYTES // 1024}k",
            "object_store_url": self.object_store_url.rstrip("/"),
            "object_store_host": urlsplit(self.object_store_url).netloc,
            "object_store_bucket": re.escape(self.object_store_bucket),
            "api_rate": str(API_RATE), "api_burst": str(API_BURST),
            "login_rate": str(LOGIN_RATE), "login_burst": str(LOGIN_BURST),
        }
        text = (HERE / "nginx.conf.template").read_text()
        for name, value in values.items():
            text = text.replace("{{" + name + "}}", value)
        if "{{" in text:
            raise GatewayError(f"unfilled value in the gateway template: {text[text.index('{{'):][:40]}")
        return text

    def check_port(self) -> None:
        """Say which setting to change before anything starts, as the stack does."""
        with socket.socket() as probe:
            try:
                probe.bind((self.host, self.port))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise GatewayError(f"gateway: port {self.port} on {self.host} is taken; set "
                                   "SOEMS_GATEWAY_PORT to a free one") from None

    def write(self) -> Path:
        if not (self.spa / "index.html").exists():
            raise GatewayError(f"the SPA is not built ({self.spa}/index.html is missing): "
                               "run `make spa`")
        self.runtime.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(self.render())
        return self.config_file

    def argv(self) -> list[str]:
        """nginx in the foreground, so a supervisor sees it exit and can stop it."""
        return [nginx_binary(), "-p", str(self.runtime), "-c", str(self.config_file),
                "-e", str(self.runtime / "error.log"), "-g", "daemon off;"]


def nginx_binary() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
    if found is None:
        raise GatewayError("nginx is not installed: `soems stack install` installs it")
    return found


def mime_types() -> Path:
    for candidate in (Path("/etc/nginx/mime.types"), Path("/usr/share/nginx/mime.types")):
        if candidate.exists():
            return candidate
    raise GatewayError("nginx's mime.types is missing: reinstall nginx")


def from_settings(s) -> Gateway:
    return Gateway(host=s.gateway_host, port=s.gateway_port, command_port=s.command_api_port,
                   query_port=s.query_api_port, max_body_bytes=s.max_request_body_bytes,
                   max_import_bytes=s.max_import_bytes, object_store_url=s.s3_endpoint_url,
                   object_store_bucket=s.s3_bucket,
                   runtime=s.home / "gateway")
