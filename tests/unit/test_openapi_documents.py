"""The SPA's client is generated from frontend/openapi/*.json: they must be the apps' own.

A route or model change that was not followed by `npm run api:generate` (in frontend/) fails
here; `tests/frontend` then checks the generated TypeScript against these documents.
"""
from __future__ import annotations

from pathlib import Path

from web.openapi import DOCUMENTS, documents

CHECKED_IN = Path(__file__).resolve().parents[2] / "frontend" / "openapi"


def test_the_checked_in_openapi_documents_are_the_apps_own():
    stale = [name for name, text in documents().items()
             if not (CHECKED_IN / name).exists() or (CHECKED_IN / name).read_text() != text]
    assert not stale, (f"{stale} differ from the apps: run `npm run api:generate` in frontend/ "
                       "and commit the result")


def test_every_document_is_checked_in_and_nothing_else():
    assert sorted(p.name for p in CHECKED_IN.glob("*.json")) == sorted(DOCUMENTS)
