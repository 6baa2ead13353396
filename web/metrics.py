"""HTTP metrics for the SOEMS APIs: request latency per route (commands by outcome are
counted by the command side, ``eventlog.metrics.count_command``).

``install_metrics(app, service)`` wraps an app in a plain ASGI middleware (BaseHTTPMiddleware
costs a task and a memory stream per request) and adds ``GET /metrics`` for Prometheus.
The route label is the matched template (``/v1/exams/{exam_id}``), never the raw path: exam
and user ids in a label would make one time series per id. Methods outside the standard set
are labelled "other" for the same reason: a client must not be able to mint new series.
"""
from __future__ import annotations

import os
from ipaddress import ip_address, ip_network
from time import perf_counter

from fastapi import FastAPI, HTTPException, Request, Response
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram,
                               generate_latest, multiprocess)

HTTP_REQUEST_SECONDS = Histogram(
    "soems_http_request_seconds", "HTTP request latency, from the request in to the response out",
    ["service", "method", "route", "status"],
    buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


class HTTPMetrics:
    """Times every HTTP request and labels it with the route template that routing matched."""

    def __init__(self, app, service: str):
        self.app, self.service = app, service
        # labels() validates and takes a lock on every call; the label sets are few and
        # bounded (routes x methods x 5 status classes), so keep the children at hand.
        self._series: dict[tuple[str, str, int], object] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":  # lifespan and websockets pass through untimed
            return await self.app(scope, receive, send)
        status = 500  # what the server answers if the app raises before it starts a response

        async def send_noting_status(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        started = perf_counter()
        try:
            await self.app(scope, receive, send_noting_status)
        finally:
            # The router writes the matched route into this same scope dict.
            method = scope["method"] if scope["method"] in METHODS else "other"
            key = (method, getattr(scope.get("route"), "path", UNMATCHED), status // 100)
            series = self._series.get(key)
            if series is None:
                series = self._series[key] = HTTP_REQUEST_SECONDS.labels(
                    self.service, method, key[1], f"{key[2]}xx")
            series.observe(perf_counter() - started)


def install_metrics(app: FastAPI, service: str,
                    allow_from: str = "127.0.0.0/8,::1/128") -> None:
    """Time every request of ``app`` as ``service`` and serve ``GET /metrics`` to clients in
    the networks ``allow_from`` (comma-separated CIDRs: ``SOEMS_METRICS_ALLOW_FROM``); to
    anyone else it does not exist (404), so the gateway never exposes it."""
    app.add_middleware(HTTPMetrics, service=service)
    scrapers = [ip_network(cidr.strip()) for cidr in allow_from.split(",") if cidr.strip()]

    @app.get("/metrics", include_in_schema=False)
    def metrics(request: Request) -> Response:  # sync: rendering is CPU work, off the loop
        try:
            client = ip_address(request.client.host) if request.client else None
        except ValueError:
            client = None
        if client is None or not any(client in network for network in scrapers):
            raise HTTPException(404, "Not Found")
        return Response(generate_latest(_registry()), media_type=CONTENT_TYPE_LATEST)


def _registry() -> CollectorRegistry:
    """The series of this process, or, when the API runs as several processes (uvicorn
    --workers with ``PROMETHEUS_MULTIPROC_DIR`` set, see deploy/local/services.py), of all of
    them: whichever process answers the scrape, Prometheus sees the whole API."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY  # this process's series
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry
