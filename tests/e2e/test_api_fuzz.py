"""schemathesis against both OpenAPI documents, on the real stack: inputs generated from the
schemas (valid and invalid) never get a 5xx, and every documented answer matches its schema.

An admin's token is sent with every case, so the cases reach past authentication. The
fuzzer's requests come from an address of their own (its failed sign-ins must not throttle
the other tests), and sign-out is left out (it would end the token the cases need; the
route x role matrix covers it).
"""
from __future__ import annotations

import uuid

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.e2e.harness import own_address

EXAMPLES_PER_OPERATION = 20  # per operation and mode (valid inputs, then invalid ones)
CHECKS = [not_a_server_error, response_schema_conformance]
FUZZ_SETTINGS = settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                         suppress_health_check=list(HealthCheck), phases=[Phase.generate])


@pytest.fixture(scope="session")
def fuzzer_headers(make_user) -> dict[str, str]:
    return {**make_user("admin")["headers"], **own_address()}


def fuzz(schema, headers: dict[str, str], fresh_key: bool) -> int:
    """Every operation of ``schema``, valid and invalid inputs; returns the cases sent. Run
    with Hypothesis directly (schemathesis's pytest plugin does not support pytest 9 yet)."""
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @FUZZ_SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def one(case):
                nonlocal sent
                # A fresh, valid Idempotency-Key per command, so cases are commands rather
                # than retries of one another.
                extra = {"Idempotency-Key": str(uuid.uuid4())} if fresh_key else {}
                case.call_and_validate(headers={**headers, **extra}, checks=CHECKS)
                sent += 1

            one()
    return sent


def test_the_command_api_never_fails_on_input(services, fuzzer_headers):
    schema = schemathesis.openapi.from_url(f"{services.command_url}/openapi.json").exclude(
        path="/v1/auth/logout")
    assert fuzz(schema, fuzzer_headers, fresh_key=True) > 0


def test_the_query_api_never_fails_on_input(services, fuzzer_headers):
    schema = schemathesis.openapi.from_url(f"{services.query_url}/openapi.json")
    assert fuzz(schema, fuzzer_headers, fresh_key=False) > 0
