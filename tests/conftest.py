"""Shared fixtures. Integration tests run against the real local stack (`make test` starts it)."""
from __future__ import annotations

import uuid

import pytest

from deploy.local import stack
from settings import load_settings


def pytest_collection_modifyitems(items):
    # Unit and integration tests first, then end-to-end, and last the tests that stop and
    # start the shared stack.
    items.sort(key=lambda item: (item.get_closest_marker("restarts_stack") is not None,
                                 "/e2e/" in str(item.path)))


@pytest.fixture(scope="session")
def settings():
    return load_settings()


@pytest.fixture(scope="session")
def live_stack(settings):
    """The shared local stack, every component answering its protocol."""
    report = stack.status(settings)
    down = {name: row["reason"] for name, row in report.items() if not row["up"]}
    if down:
        pytest.fail(f"the local stack is not up ({down}); run the suite with `make test`")
    return settings


@pytest.fixture
def unique():
    """A short unique suffix so tests never collide with each other or with earlier runs."""
    return uuid.uuid4().hex[:12]
