"""One page with the combined OpenAPI of both APIs (each operation names its own server).

The command API's half is fetched from the running command API (the query side never imports
the command side); if it does not answer, the page shows the query API alone and says so.
"""
from __future__ import annotations

import re

import httpx
from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html

from settings import get_settings
from web.hardening import DOCS_ASSETS

router = APIRouter(include_in_schema=False)
# Behind the gateway both APIs live under one prefix (it sends X-Forwarded-Prefix: /api).
# Only a plain path segment is taken: the value is written into the page.
_PREFIX = re.compile(r"/[A-Za-z0-9_-]{1,32}")


def _prefix(request: Request) -> str:
    given = request.headers.get("x-forwarded-prefix", "")
    return given if _PREFIX.fullmatch(given) else ""


def combined_openapi(parts: list[tuple[dict, str]]) -> dict:
    spec = {"openapi": "3.1.0",
            "info": {"title": "SOEMS API", "version": "1",
                     "description": "Commands (writes) and queries (reads) of SOEMS."},
            "paths": {}, "components": {"schemas": {}, "securitySchemes": {}}}
    for part, url in parts:
        for path, operations in part.get("paths", {}).items():
            merged = spec["paths"].setdefault(path, {})
            for method, operation in operations.items():
                merged[method] = {**operation, "servers": [{"url": url}]}
        for kind, items in part.get("components", {}).items():
            spec["components"].setdefault(kind, {}).update(items)
    return spec


@router.get("/v1/openapi.json")
async def openapi_all(request: Request):
    s = get_settings()
    host = request.url.hostname or "127.0.0.1"
    query_url = f"http://{host}:{s.query_api_port}"
    command_url = f"http://{host}:{s.command_api_port}"
    if prefix := _prefix(request):  # one origin: the gateway routes each method itself
        query_url = command_url = prefix
    parts = [(request.app.openapi(), query_url)]
    try:
        async with httpx.AsyncClient(timeout=5) as http:
            answer = await http.get(f"http://127.0.0.1:{s.command_api_port}/openapi.json")
            answer.raise_for_status()
            parts.insert(0, (answer.json(), command_url))
    except (httpx.HTTPError, ValueError):
        pass
    spec = combined_openapi(parts)
    if len(parts) == 1:
        spec["info"]["description"] += " (The command API did not answer: its routes are missing.)"
    return spec


@router.get("/v1/docs")
async def docs_all(request: Request):
    prefix = _prefix(request)
    return get_swagger_ui_html(
        openapi_url=f"{prefix}/v1/openapi.json", title="SOEMS API",
        swagger_js_url=f"{prefix}{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{prefix}{DOCS_ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{prefix}{DOCS_ASSETS}/favicon.png")
