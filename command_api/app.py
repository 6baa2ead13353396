"""The command API: accepts commands, decides, appends events with the outbox.

Run with ``uvicorn command_api.app:app --port 8000`` (``soems up`` does it).
"""
from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI

from command_api.attempts.routes import router as attempts
from command_api.cohorts.routes import router as cohorts
from command_api.exams.routes import router as exams
from command_api.grading.routes import router as grading
from command_api.identity.imports import USER_IMPORTS_PATH
from command_api.identity.imports import router as user_imports
from command_api.identity.routes import auth, users
from command_api.media.routes import router as media
from command_api.questions.imports import IMPORTS_PATH, exports as question_exports
from command_api.questions.imports import router as question_imports
from command_api.questions.routes import router as questions
from eventlog.postgres import create_pool
from eventlog.runtime import collect_cycles_rarely
from eventlog.store import PostgresEventStore
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
    pool = await create_pool(s, min_size=2, max_size=20, reset_sessions=False, role="command")
    app.state.pool = pool
    app.state.store = PostgresEventStore(pool)
    app.state.personal = PersonalData(pool, s.personal_data_key)
    app.state.redis = connect_redis(s.redis_url)
    app.state.sessions = Sessions(app.state.redis, s.access_token_minutes * 60)
    app.state.throttle = Throttle(app.state.redis)
    collect_cycles_rarely()  # an import holds 10,000 questions' models at once
    yield
    await app.state.redis.aclose()
    await pool.close()


def create_app() -> FastAPI:
    app = FastAPI(
        title="SOEMS command API",
        version="1",
        description="Commands that change SOEMS. Every command carries an `Idempotency-Key` "
                    "(the client-made command id): a retry returns the first answer and "
                    "changes nothing. `If-Match: \"<version>\"` makes a stale write answer 409.",
        lifespan=lifespan, docs_url=None, redoc_url=None,  # one docs page: the query API's
    )
    for router in (auth, user_imports, users, exams, cohorts, question_imports, question_exports,
                   questions, media, attempts, grading):
        app.include_router(router)

    install_error_handlers(app)
    document_errors(app)
    install_metrics(app, "command-api", get_settings().metrics_allow_from)
    install_hardening(app, get_settings().cors_allow_origins,
                      get_settings().max_request_body_bytes,
                      larger_bodies={IMPORTS_PATH: get_settings().max_import_bytes,
                                     USER_IMPORTS_PATH: get_settings().max_import_bytes})

    @app.get("/healthz", include_in_schema=False)
    async def health():
        await app.state.pool.fetchval("SELECT 1")
        return {"status": "ok"}

    return app


app = create_app()
