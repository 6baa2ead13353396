"""The one error shape of both APIs and of security: ``{"detail", "code", "field"}``.

``detail`` is for people, ``code`` is stable for programs, ``field`` names the input at fault
(``title``, ``If-Match``, ``page``) or is null. Request validation failures add ``errors``,
one entry per problem in the same shape. The input is never echoed back (it may be a
password). Domain refusals (``schemas.refusals``) map to statuses by their kind.
"""
from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from eventlog.outages import UNAVAILABLE
from schemas.refusals import DomainError

STATUS_OF_KIND = {
    "invalid": 422, "forbidden": 403, "not_found": 404, "conflict": 409,
    "unauthenticated": 401, "too_large": 413, "too_many_requests": 429, "unavailable": 503,
}
# Codes for errors raised without one (framework 404s, 405s, ...).
_CODE_OF_STATUS = {400: "bad_request", 401: "unauthenticated", 403: "forbidden",
                   404: "not_found", 405: "method_not_allowed", 409: "conflict",
                   413: "too_large", 422: "invalid", 429: "too_many_requests"}


def error_body(detail: str, code: str, field: str | None = None, **extra: Any) -> dict:
    return {"detail": detail, "code": code, "field": field, **extra}


def _field_of(loc: tuple | list) -> str | None:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or None


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    problems = []
    for err in exc.errors():
        message = err.get("msg", "invalid value")
        # A model validator's message is prefixed "Value error, ": keep the sentence.
        message = message.removeprefix("Value error, ")
        problems.append(error_body(message, err.get("type", "invalid"),
                                   _field_of(err.get("loc", ()))))
    return problems


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def refused(request: Request, exc: DomainError):
        status = STATUS_OF_KIND.get(exc.kind, 409)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
        if "retry_after" in exc.details:
            headers["Retry-After"] = str(exc.details["retry_after"])
        return JSONResponse(status_code=status, headers=headers or None,
                            content=error_body(exc.message, exc.code, exc.field, **exc.details))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError):
        problems = _validation_errors(exc)
        first = problems[0] if problems else error_body("invalid request", "invalid")
        return JSONResponse(status_code=422, content={**first, "errors": problems})

    async def store_unavailable(request: Request, exc: Exception):
        return JSONResponse(status_code=503, headers={"Retry-After": "1"}, content=error_body(
            "A data store is restarting, so this request may not have been carried out. Send "
            "it again in a moment with the same Idempotency-Key: a request that was carried out "
            "is answered as before, never applied twice.", "unavailable"))

    for outage in UNAVAILABLE:
        app.add_exception_handler(outage, store_unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "request refused"
        return JSONResponse(status_code=exc.status_code, headers=exc.headers,
                            content=error_body(detail, _CODE_OF_STATUS.get(
                                exc.status_code, "error")))


# The error shape as OpenAPI describes it: FastAPI documents every 422 as its own
# ``HTTPValidationError``; both APIs answer this shape instead, so the documents say so.
ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail", "code", "field"],
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for people"},
        "code": {"type": "string", "description": "Stable, for programs"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}],
                  "description": "The input at fault (a body field, a header, a parameter)"},
        "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Error"},
                   "description": "Every problem, when the request did not validate"},
    },
    "additionalProperties": True,  # facts of a refusal: current_version, retry_after
}


def document_errors(app: FastAPI) -> None:
    """Make the app's OpenAPI describe the error shape it really answers with."""
    make_schema = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is None:
            spec = make_schema()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            schemas["Error"] = ERROR_SCHEMA
            schemas.pop("ValidationError", None)
            schemas["HTTPValidationError"] = {"$ref": "#/components/schemas/Error"}
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi
