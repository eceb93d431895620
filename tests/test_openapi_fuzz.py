"""Property-based run of schemathesis against the API's own OpenAPI document, in process (WSGI).

Every operation gets a bounded number of generated requests, valid and invalid, from a staff
member allowed everything. Checks: never a 5xx (exceptions propagate in TESTING, so a crash
fails too) and every documented answer matches its schema. ``CUSTOMERS_FUZZ_EXAMPLES``
(default 4) examples per operation and generation mode keep it fast in CI.
(Driven through hypothesis directly: schemathesis's pytest fixture loader does not work
with pytest 9.)
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.api.conftest import PREFIX, BearerAuth

EXAMPLES = int(os.environ.get("CUSTOMERS_FUZZ_EXAMPLES", "4"))
AUTH = {"Authorization": "Bearer a:*"}


@pytest.fixture
def api_schema(make_app, recorder, tmp_path):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth()],
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path),
    )
    return schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", app)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_answers_match_the_document(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 25
    fuzzed = 0
    statuses: list[int] = []
    for operation in operations:
        try:
            _fuzz(operation, mode, statuses)
        except Unsatisfiable:
            # nothing to make invalid (no parameters, no body): nothing to fuzz negatively
            assert mode == GenerationMode.NEGATIVE, operation.label
            continue
        fuzzed += 1
    assert fuzzed >= 20
    # admin requests reached the views (authorised), and many were answered successfully
    assert 401 not in statuses and 403 not in statuses
    if mode == GenerationMode.POSITIVE:
        successes = sum(200 <= s < 300 for s in statuses)
        assert successes >= len(statuses) // 10, Counter(statuses)


def _fuzz(operation, mode, statuses):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call_and_validate(
            headers=AUTH, checks=[not_a_server_error, response_schema_conformance]
        )
        if not operation.path.startswith(f"{PREFIX}/me/"):  # storefront: current_customer
            statuses.append(response.status_code)

    run()
