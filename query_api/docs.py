"""One page with the combined OpenAPI of both APIs (each operation names its own server)."""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html

from soems.settings import get_settings

router = APIRouter(include_in_schema=False)


def combined_openapi(query_app, command_app, query_url: str, command_url: str) -> dict:
    spec = {"openapi": "3.1.0",
            "info": {"title": "SOEMS API", "version": "1",
                     "description": "Commands (writes) and queries (reads) of SOEMS."},
            "paths": {}, "components": {"schemas": {}, "securitySchemes": {}}}
    for app, url in ((command_app, command_url), (query_app, query_url)):
        part = app.openapi()
        for path, operations in part.get("paths", {}).items():
            merged = spec["paths"].setdefault(path, {})
            for method, operation in operations.items():
                merged[method] = {**operation, "servers": [{"url": url}]}
        for kind, items in part.get("components", {}).items():
            spec["components"].setdefault(kind, {}).update(items)
    return spec


@router.get("/v1/openapi.json")
async def openapi_all(request: Request):
    from command_api.app import app as command_app

    s = get_settings()
    host = request.url.hostname or "127.0.0.1"
    return combined_openapi(request.app, command_app, f"http://{host}:{s.query_api_port}",
                            f"http://{host}:{s.command_api_port}")


@router.get("/v1/docs")
async def docs_all():
    return get_swagger_ui_html(openapi_url="/v1/openapi.json", title="SOEMS API")
