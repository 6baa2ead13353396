"""The metrics layer: route templates as labels, the exposition, scraping, consumer lag."""
from __future__ import annotations

import httpx
import pytest
from aiokafka import TopicPartition
from fastapi import APIRouter, FastAPI
from prometheus_client import REGISTRY, CollectorRegistry, Gauge, start_http_server

from eventlog.metrics import CONSUMER_LAG, metrics_port, record_lag, scrape
from eventlog.metrics import count_command
from web.metrics import install_metrics


def _exam_app(service: str) -> FastAPI:
    exams = APIRouter(prefix="/v1/exams")

    @exams.get("/{exam_id}")
    async def exam(exam_id: str):
        return {"exam_id": exam_id}

    app = FastAPI()
    app.include_router(exams)
    install_metrics(app, service)
    return app


def _requests(service: str, method: str, route: str, status: str) -> float:
    return REGISTRY.get_sample_value("soems_http_request_seconds_count", {
        "service": service, "method": method, "route": route, "status": status}) or 0.0


async def _get(app: FastAPI, path: str, client: str = "127.0.0.1") -> httpx.Response:
    transport = httpx.ASGITransport(app, client=(client, 50_000))
    async with httpx.AsyncClient(transport=transport, base_url="http://exam") as c:
        return await c.get(path)


async def test_a_templated_route_is_labelled_with_its_template():
    app = _exam_app("test-template")
    assert (await _get(app, "/v1/exams/e-123")).status_code == 200
    assert (await _get(app, "/v1/exams/e-456")).status_code == 200
    assert _requests("test-template", "GET", "/v1/exams/{exam_id}", "2xx") == 2
    assert _requests("test-template", "GET", "/v1/exams/e-123", "2xx") == 0


async def test_a_path_without_a_route_counts_as_unmatched():
    app = _exam_app("test-unmatched")
    assert (await _get(app, "/v1/no-such-thing/42")).status_code == 404
    assert _requests("test-unmatched", "GET", "unmatched", "4xx") == 1


async def test_the_metrics_route_serves_the_exposition_format():
    app = _exam_app("test-exposition")
    await _get(app, "/v1/exams/e-1")
    count_command("exam", "accepted")
    response = await _get(app, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "soems_http_request_seconds_bucket{" in response.text
    assert 'soems_commands_total{aggregate="exam",outcome="accepted"}' in response.text
    assert "/metrics" not in app.openapi()["paths"]


async def test_the_metrics_route_does_not_exist_outside_the_scrapers_networks():
    app = _exam_app("test-scrapers")
    assert (await _get(app, "/metrics", client="203.0.113.7")).status_code == 404
    assert (await _get(app, "/metrics", client="::1")).status_code == 200
    assert (await _get(app, "/metrics", client="not-an-address")).status_code == 404


async def test_an_endpoint_that_raises_counts_as_a_server_error():
    app = _exam_app("test-raises")

    @app.get("/v1/broken")
    async def broken():
        raise RuntimeError("the read model is gone")

    transport = httpx.ASGITransport(app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://exam") as c:
        assert (await c.get("/v1/broken")).status_code == 500
    assert _requests("test-raises", "GET", "/v1/broken", "5xx") == 1


def test_an_unknown_command_outcome_is_refused():
    with pytest.raises(ValueError):
        count_command("exam", "maybe")


def test_scrape_reads_labelled_samples_from_an_exporter():
    registry = CollectorRegistry()
    lag = Gauge("soems_consumer_lag", "lag", ["group", "topic", "partition"], registry=registry)
    lag.labels("projection.exam_catalogue", "soems.exam.events", "3").set(17)
    server, thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    try:
        samples = scrape(f"http://127.0.0.1:{server.server_port}/metrics")
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert samples[("soems_consumer_lag", frozenset({("group", "projection.exam_catalogue"),
                                                     ("topic", "soems.exam.events"),
                                                     ("partition", "3")}))] == 17


class _Consumer:
    """Just what record_lag reads of an AIOKafkaConsumer."""

    def __init__(self, highwater: dict, positions: dict):
        self._highwater, self._positions = highwater, positions

    def assignment(self):
        return set(self._positions)

    def highwater(self, tp):
        return self._highwater.get(tp)

    async def position(self, tp):
        return self._positions[tp]


def _lag(group: str, partition: int) -> float | None:
    return REGISTRY.get_sample_value("soems_consumer_lag", {
        "group": group, "topic": "soems.exam.events", "partition": str(partition)})


async def test_record_lag_sets_highwater_minus_position_and_forgets_revoked_partitions():
    p0, p1, p2 = (TopicPartition("soems.exam.events", p) for p in range(3))
    await record_lag(_Consumer({p0: 120, p1: 40}, {p0: 100, p1: 40, p2: 0}), "test.lag")
    assert (_lag("test.lag", 0), _lag("test.lag", 1)) == (20, 0)
    assert _lag("test.lag", 2) is None  # not fetched yet: unknown, not 0
    await record_lag(_Consumer({p1: 45}, {p1: 41}), "test.lag")  # p0 went to another member
    assert (_lag("test.lag", 0), _lag("test.lag", 1)) == (None, 4)
    CONSUMER_LAG.remove("test.lag", "soems.exam.events", "1")


def test_metrics_ports_are_slots_from_the_base():
    assert metrics_port(9400, 0) == 9400
    assert metrics_port(9400, 3) == 9403
    with pytest.raises(ValueError):
        metrics_port(65535, 1)
