"""The two APIs' OpenAPI documents, read from the apps themselves (no running stack needed).

The SPA's client (``frontend/src/api/``) is generated from these files; a test compares them
with the apps so a route change that was not regenerated fails.
"""
from __future__ import annotations

import json
from pathlib import Path

DOCUMENTS = {"command-api.json": "command_api.app", "query-api.json": "query_api.app"}


def documents() -> dict[str, str]:
    """File name -> the document as the checked-in text (sorted keys, stable across runs)."""
    from importlib import import_module

    return {name: json.dumps(import_module(module).app.openapi(), indent=2, sort_keys=True,
                             ensure_ascii=False) + "\n"
            for name, module in DOCUMENTS.items()}


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in documents().items():
        (out / name).write_text(text)
        written.append(out / name)
    return written
