"""The query API: reads only read models (PostgreSQL, MongoDB), never the event store.

Run with ``uvicorn query_api.app:app --port 8001`` (``soems up`` does it).
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from pymongo import AsyncMongoClient

from eventlog.postgres import create_pool
from projections.attempts import ATTEMPT_CHANGES
from query_api import (analytics, attempts, cohorts, docs, exams, grading, media,
                       notifications, questions, users)
from query_api.live import LiveFeed, quiet_socket_access_lines
from security.personal_data import PersonalData
from security.sessions import Sessions, connect_redis
from security.throttle import Throttle
from security.tokens import signing_secret
from settings import get_settings
from web.errors import document_errors, install_error_handlers
from web.hardening import install_hardening
from web.metrics import install_metrics


@asynccontextmanager
async def lifespan(app: FastAPI):
    s = get_settings()
    signing_secret(s)  # fail at start, not at the first login
    # A plan for the values at hand, every time: asyncpg prepares each statement, and after
    # five runs PostgreSQL would switch to one generic plan for every teacher and every word
    # (measured on the bank's search: 37 ms a search with custom plans, 55 with the generic
    # one); planning the read models' queries costs well under a millisecond.
    app.state.pool = await create_pool(s, min_size=2, max_size=20, reset_sessions=False,
                                       role="query",
                                       server_settings={"plan_cache_mode": "force_custom_plan"})
    mongo = AsyncMongoClient(s.mongo_uri, serverSelectionTimeoutMS=10_000)
    app.state.mongo = mongo[s.mongo_db]
    # Opens personal fields that read models keep sealed (accommodation reasons) at read time,
    # so erasing a person makes them unreadable at once, with no read model to scrub: no key
    # cache here (a few staff reads, one key query each).
    app.state.personal = PersonalData(app.state.pool, s.personal_data_key, cache_seconds=0)
    app.state.redis = connect_redis(s.redis_url)
    app.state.sessions = Sessions(app.state.redis, s.access_token_minutes * 60)
    app.state.throttle = Throttle(app.state.redis)
    # Open pages hear of their rows' changes through it (query_api/live.py).
    app.state.live = LiveFeed(s, (ATTEMPT_CHANGES,))
    await app.state.live.start()
    quiet_socket_access_lines()
    yield
    await app.state.live.stop()
    await app.state.redis.aclose()
    await app.state.pool.close()
    await mongo.close()


def create_app() -> FastAPI:
    app = FastAPI(title="SOEMS query API", version="1", lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Reads served from the read models. Writes go to the command "
                              "API; what they change shows up here within a moment.")
    for router in (users.router, exams.router, cohorts.router, questions.router, media.router,
                   attempts.router, grading.router, analytics.router, notifications.router,
                   docs.router):
        app.include_router(router)
    install_error_handlers(app)
    document_errors(app)
    install_metrics(app, "query-api", get_settings().metrics_allow_from)
    install_hardening(app, get_settings().cors_allow_origins,
                      get_settings().max_request_body_bytes, serve_docs_assets=True)

    @app.get("/healthz", include_in_schema=False)
    async def health():
        await app.state.pool.fetchval("SELECT 1")
        return {"status": "ok"}

    return app


app = create_app()
