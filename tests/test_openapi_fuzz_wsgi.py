"""Property-based runs of schemathesis against the API's own OpenAPI document, in process
(WSGI): every operation gets a bounded number of generated requests from a staff member allowed
everything: valid ones aimed at real rows (a fresh customer, tag, field, booking, group, import
of the store fill the path's ids, so bodies reach the services) and invalid ones. Checks: never
a 5xx (exceptions propagate in TESTING, so a crash fails too) and every documented answer,
errors included, matches its schema. ``CUSTOMERS_TEST_FUZZ_EXAMPLES`` (default 4) examples per
operation and mode. (Driven through hypothesis directly: schemathesis's pytest fixture loader
does not work with pytest 9.) The run of every schemathesis check on the served example host
is tests/test_openapi_fuzz.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests.api.conftest import PREFIX, BearerAuth, ShopDesk, Staff, book
from tests.conftest import BACKENDS

EXAMPLES = int(os.environ.get("CUSTOMERS_TEST_FUZZ_EXAMPLES", "4"))
AUTH = {"Authorization": "Bearer a:*"}
# operations whose caller is not staff: the shopper, a provider's signed webhook, a signed link
NOT_STAFF = tuple(f"{PREFIX}{p}" for p in ("/me/", "/deliveries/", "/unsubscribe/", "/inbound/"))


@pytest.fixture
def fuzz_app(make_app, recorder, tmp_path):
    return make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), ShopDesk()],
        CUSTOMERS_DEFAULT_REGION="SA",
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
    )


def _real_ids(app: Any, n: int, names: list[str]) -> dict[str, str]:
    """Fresh rows of store "a" for the ids in an operation's path (export ids stay random:
    the CSV download would leave its file open in schemathesis's WSGI client)."""
    staff = Staff(app, "a")
    ids: dict[str, str] = {}
    if {"customer_id", "tag_id", "booking_id"} & set(names):
        email = f"fuzz{n}@example.com"
        customer = staff.create(email=email, tags=[f"tag{n}"])
        ids["customer_id"] = customer["id"]
        ids["tag_id"] = customer["tags"][0]["id"]
        if "booking_id" in names:
            book(app, "a", email, f"booking{n}", dt.timedelta(days=1))
            bookings = staff.get(f"/customers/{customer['id']}/bookings").json["items"]
            ids["booking_id"] = bookings[0]["id"]
    for name, path, body, status in (
        ("field_id", "/fields", {"label": f"Field {n}", "type": "text"}, 201),
        ("group_id", "/groups", {"name": f"Group {n}"}, 201),
        ("batch_id", "/imports", {"emails": f"imported{n}@example.com"}, 202),
    ):
        if name in names:
            response = staff.post(path, json=body)
            if response.status_code == status:
                ids[name] = response.json["id"]
    return ids


# valid requests reach the services on each backend; invalid ones are refused before any
# statement, so one backend (the embedded default) is enough for them
@pytest.mark.parametrize(
    ("backend", "mode"),
    [(b, GenerationMode.POSITIVE) for b in BACKENDS] + [(BACKENDS[0], GenerationMode.NEGATIVE)],
)
def test_no_server_errors_and_answers_match_the_document(fuzz_app, mode):
    schema = schemathesis.openapi.from_wsgi(f"{PREFIX}/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25
    fuzzed = 0
    statuses: list[int] = []
    for n, operation in enumerate(operations):
        path_parameters = None
        if mode == GenerationMode.POSITIVE:
            names = re.findall(r"{(\w+)}", operation.path)
            ids = _real_ids(fuzz_app, n, names)
            path_parameters = {name: ids[name] for name in names if name in ids} or None
        try:
            _fuzz(operation, mode, statuses, path_parameters)
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
        assert successes >= len(statuses) // 4, Counter(statuses)


def _fuzz(operation: Any, mode: GenerationMode, statuses: list[int], path_parameters: Any) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        response = case.call_and_validate(
            headers=AUTH, checks=[not_a_server_error, response_schema_conformance]
        )
        # storefront: current_customer; signed webhooks and links: no staff at all; negative
        # cases may spoil the documented credentials
        sent = response.request.headers.get("Authorization")
        if not operation.path.startswith(NOT_STAFF) and sent == AUTH["Authorization"]:
            statuses.append(response.status_code)

    run()
