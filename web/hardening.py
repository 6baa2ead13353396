"""What every response of both APIs carries for browsers, and who may call from a browser.

- Headers: ``nosniff`` (a JSON answer is never run as a script), no framing by other sites,
  no Referer leaking ids to other sites, and a Content-Security-Policy: the APIs' JSON needs
  nothing (``default-src 'none'``); the docs page may load only its own bundled Swagger UI.
- CORS: only the origins listed in settings (``cors_allow_origins``); none by default, since
  the SPA is served through the same gateway origin as the APIs.
- Request bodies over ``max_request_body_bytes`` (settings) are refused with a 413.
- The docs page's Swagger UI comes from the ``fastapi-offline`` wheel, served locally: the
  page works offline and loads nothing from a public CDN.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote_to_bytes

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles

from starlette.exceptions import HTTPException

from web.errors import error_body

DOCS_ASSETS = "/v1/docs/assets"
_API_POLICY = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI's bundle sets inline styles and its page has one inline init script.
_DOCS_POLICY = ("default-src 'none'; script-src 'self' 'unsafe-inline'; "
                "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
                "frame-ancestors 'none'")
_COMMON = [(b"x-content-type-options", b"nosniff"), (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"no-referrer"), (b"cross-origin-resource-policy", b"same-origin")]


def swagger_assets() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).with_name("static")


class SecurityHeaders:
    """A plain ASGI middleware (no per-request task) that adds the headers to every answer."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        docs = scope["path"].startswith("/v1/docs")
        policy = (_DOCS_POLICY if docs else _API_POLICY).encode()

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in _COMMON if n not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", policy))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_CONTROL_BYTES = re.compile(rb"[\x00-\x1f\x7f]")


class RequestLimits:
    """Refuses, in the APIs' error shape, what no route should ever see: control characters
    in the path or the query (a NUL reaches PostgreSQL as text and fails there: 422 here), and
    a body over ``limit`` bytes (413: at once when Content-Length says so, else as soon as the
    streamed body passes the limit)."""

    def __init__(self, app, limit: int, larger: dict[str, int] | None = None):
        self.app, self.default_limit = app, limit
        # Path prefixes that take larger bodies (a file import), with their own limit.
        self.larger = sorted((larger or {}).items(), key=lambda kv: -len(kv[0]))

    def limit_for(self, path: str) -> int:
        return next((limit for prefix, limit in self.larger if path.startswith(prefix)),
                    self.default_limit)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for part, raw in (("path", scope["path"].encode("utf-8", "surrogateescape")),
                          ("query", unquote_to_bytes(scope.get("query_string", b"")))):
            if _CONTROL_BYTES.search(raw):
                response = JSONResponse(status_code=422, content=error_body(
                    f"the {part} must not contain control characters", "control_characters",
                    part))
                return await response(scope, receive, send)
        limit = self.limit_for(scope["path"])
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = JSONResponse(status_code=413, content=error_body(
                f"the request body is larger than {limit:,} bytes", "too_large"))
            return await response(scope, receive, send)
        seen = 0

        async def counting_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # FastAPI passes an HTTPException through its body read
                    raise HTTPException(413, f"the request body is larger than "
                                             f"{limit:,} bytes")
            return message

        await self.app(scope, counting_receive, send)


def install_hardening(app: FastAPI, cors_allow_origins: list[str], max_body_bytes: int,
                      serve_docs_assets: bool = False,
                      larger_bodies: dict[str, int] | None = None) -> None:
    if serve_docs_assets:
        app.mount(DOCS_ASSETS, StaticFiles(directory=swagger_assets()), name="docs-assets")
    if cors_allow_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_allow_origins,
                           allow_methods=["GET", "POST", "PUT", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key",
                                          "If-Match"],
                           expose_headers=["ETag", "Retry-After"], max_age=600)
    app.add_middleware(RequestLimits, limit=max_body_bytes, larger=larger_bodies)
    app.add_middleware(SecurityHeaders)
