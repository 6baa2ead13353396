"""The gateway's nginx configuration, rendered from settings and checked by nginx itself."""
from __future__ import annotations

import socket
import subprocess
from pathlib import Path

import pytest

from deploy.gateway.config import Gateway, GatewayError, nginx_binary
from settings import load_settings
from storage import objects


def gateway(tmp_path, port=18999, spa=None) -> Gateway:
    spa = spa or tmp_path / "dist"
    spa.mkdir(exist_ok=True)
    (spa / "index.html").write_text("<!doctype html>")
    return Gateway(host="127.0.0.1", port=port, command_port=18000, query_port=18001,
                   max_body_bytes=1_048_576, object_store_url="http://127.0.0.1:18900",
                   runtime=tmp_path / "gw", spa=spa)


def test_the_rendered_configuration_is_valid_nginx(tmp_path):
    config = gateway(tmp_path).write()
    checked = subprocess.run([nginx_binary(), "-t", "-p", str(tmp_path / "gw"), "-c",
                              str(config), "-e", str(tmp_path / "gw" / "error.log")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    assert "listen 127.0.0.1:18999;" in text and "server 127.0.0.1:18001;" in text
    assert "client_max_body_size 1024k;" in text and "{{" not in text
    assert "client_max_body_size 20480k;" in text  # imports take files up to 20 MiB
    # The object store on the gateway's origin, with the Host its presigned GETs signed.
    assert "proxy_pass http://127.0.0.1:18900;" in text
    assert "proxy_set_header Host 127.0.0.1:18900;" in text
    assert "location ~ ^/objects/soems(/|$) {" in text  # the bucket only
    assert "proxy_set_header X-Forwarded-Object-Store /objects;" in (
        Path(__file__).parents[2] / "deploy" / "gateway" / "proxy_params.conf").read_text()


def test_a_missing_spa_build_is_named(tmp_path):
    g = gateway(tmp_path)
    (g.spa / "index.html").unlink()
    with pytest.raises(GatewayError, match="make spa"):
        g.write()


def test_a_taken_port_names_the_setting(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(GatewayError, match="SOEMS_GATEWAY_PORT"):
            gateway(tmp_path, port=taken.getsockname()[1]).check_port()


def test_media_urls_move_onto_the_gateways_origin_only_when_it_says_so():
    s = load_settings()
    url = f"{s.s3_endpoint_url}/soems/media/u1/m1?X-Amz-Signature=abc"
    assert objects.as_seen_by(s, url, None) == url
    assert objects.as_seen_by(s, url, "/objects") == \
        "/objects/soems/media/u1/m1?X-Amz-Signature=abc"
    assert objects.as_seen_by(s, url, "https://evil.example/") == url  # a path, nothing else
    assert objects.as_seen_by(s, "https://elsewhere/x", "/objects") == "https://elsewhere/x"


def test_the_gateway_closes_idle_upstream_connections_before_the_apis_do(tmp_path):
    """Otherwise nginx can send a request on a connection uvicorn is just closing, and it
    does not retry a POST: the user would get a 502."""
    import re

    from deploy.local.services import services

    text = gateway(tmp_path).write().read_text()
    upstream = {int(v) for v in re.findall(r"keepalive_timeout (\d+)s;", text)}
    # One command API process: several would empty their metrics folder as a side effect.
    s = load_settings().model_copy(update={"command_api_processes": 1})
    assert upstream and max(upstream) < s.api_keep_alive_seconds
    for service in services(s):
        if service.name in ("command-api", "query-api"):
            argv = service.argv
            assert argv[argv.index("--timeout-keep-alive") + 1] == str(s.api_keep_alive_seconds)
