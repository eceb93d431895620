"""Property-based runs of schemathesis against the API's own OpenAPI document.

1. Every check schemathesis has, all its phases (examples, coverage, fuzzing, stateful), on
   the example host app served over HTTP in a thread, with a fixed seed and deterministic
   generation: every disagreement between the document and the server fails the test, except
   the business rules a schema cannot express, listed in ``RULES`` (and, with their reasons,
   in docs/api/openapi-notes.md). ``CUSTOMERS_TEST_FUZZ_ENGINE_EXAMPLES`` (default 6) examples per
   operation and phase, ``CUSTOMERS_TEST_FUZZ_SEED`` to explore with another seed. The storefront
   operations run as a signed-in shopper (the host's session cookie). This run takes two
   minutes: it runs on one backend, PostgreSQL when the suite has it (the in-process runs
   below cover both).
2. In process (WSGI): tests/test_openapi_fuzz_wsgi.py (a file of its own, so that the two
   run side by side on the suite's processes).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema
from werkzeug.serving import make_server

from tests.api.conftest import PREFIX
from tests.conftest import BACKENDS

ENGINE_EXAMPLES = int(os.environ.get("CUSTOMERS_TEST_FUZZ_ENGINE_EXAMPLES", "6"))
ENGINE_SEED = int(os.environ.get("CUSTOMERS_TEST_FUZZ_SEED", "20261206"))
ANY = r".*"


@dataclass(frozen=True)
class Rule:
    """A business rule the document cannot express: schema-valid requests it refuses.

    Matches a failure of ``check`` on an operation whose label matches ``operation``, answered
    with ``status`` and an error whose code, field names or messages match ``error``.
    """

    reason: str
    check: str
    operation: str
    status: int
    error: str = ANY

    def covers(self, check: str, label: str, status: int, error: str) -> bool:
        return (
            check == self.check
            and re.fullmatch(f"[A-Z]+ {PREFIX}{self.operation}", label) is not None
            and status == self.status
            and re.search(self.error, error) is not None
        )


ACCEPTED = "positive_data_acceptance"
RULES = (
    Rule(
        "a customer has an email or a phone, and every email address and phone number is a "
        "real one (email-validator; phonenumbers with the store's region)",
        ACCEPTED,
        r"/customers(/\{customer_id\})?",
        422,
        r'"(email|phone|extra_emails|extra_phones)[".]',
    ),
    Rule(
        "a cursor is one the server issued, for the same list and sort",
        ACCEPTED,
        ANY,
        400,
        r"invalid_cursor",
    ),
    Rule(
        "a custom field (a filter or a value) names a field of the store, with a value of its type",
        ACCEPTED,
        r"/(customers(/\{customer_id\}|/bulk)?|exports.*)",
        422,
        r'"(field|filter\.field|custom_fields(\.[^"]*)?)"',  # OpenAPI 3.0 cannot bound keys
    ),
    Rule(
        "export columns name existing columns (built-in or the store's custom fields)",
        ACCEPTED,
        r"/exports.*",
        422,
        r'"columns',
    ),
    Rule(
        "dates and datetimes lie in a bounded range (1900 to 9000 UTC; a birthdate up to today)",
        ACCEPTED,
        ANY,
        422,
        r"out of range|between 1900-01-01 and today",
    ),
    Rule(
        "the low end of a range is not above its high end", ACCEPTED, ANY, 422, r"is above|is after"
    ),
    Rule("a sort names each key once", ACCEPTED, ANY, 422, r"is repeated"),
    Rule(
        "a group condition names a registered condition type, with an op and a value it allows",
        ACCEPTED,
        r"/groups.*",
        422,
        r'"conditions\.',
    ),
    Rule(
        "an import sends a CSV file (UTF-8 or UTF-16 text with an email column) or pasted text "
        "holding at least one email address",
        ACCEPTED,
        "/imports",
        422,
        r'send either|no email address found|"file"',  # any refusal of the file's content
    ),
    Rule(
        "a photo is a JPEG, PNG, GIF or WebP by its content",
        ACCEPTED,
        r"/customers/\{customer_id\}/photo",
        415,
    ),
    Rule(
        "a note's file is one of the configured types by its content",
        ACCEPTED,
        r"/notes/\{note_id\}/files",
        415,
    ),
    Rule(
        "a wallet transaction in a currency names the wallet's own currency",
        ACCEPTED,
        r"/customers/\{customer_id\}/wallet/transactions",
        422,
        r"wallets hold",
    ),
    Rule(
        "what an action or a report needs: tag for tag/untag, group_id for the group actions, "
        "bookings_from and bookings_to for the booking report",
        ACCEPTED,
        r"/(customers/bulk|exports.*)",
        422,
        r"action needs|report needs",
    ),
    Rule(
        "the ids of a group's manual members must be customers of the store (a generated "
        "id is nobody's): 404, and nothing is added",
        "ensure_resource_availability",
        r"/groups(/\{group_id\}/members)?",
        404,
        r"not customers of this store",
    ),
    Rule(
        "a wished product is one the host sells (its product_prices knows it)",
        ACCEPTED,
        r"/me/wishlist",
        422,
        r"no such product in this shop",
    ),
    Rule(
        "a task's assignee is one of the store's staff (the host's list_staff knows them)",
        ACCEPTED,
        r"/(customers/\{customer_id\}/tasks|tasks/\{task_id\})",
        422,
        r'"assignee_id"',
    ),
    Rule(
        "an address has what the store's address method needs (free text: a first line or a "
        "city; National Address: its six fields; map: a point), a point both coordinates, and "
        "a list at most one default shipping and one default billing address",
        ACCEPTED,
        r"/(customers(/\{customer_id\}(/addresses(/\{address_id\})?)?)?|me/addresses.*)",
        422,
        r'"(addresses\.[0-9]+\.)?(line1|latitude|longitude|building_number|street|district'
        r'|city|postal_code|additional_number|default_shipping|default_billing|id)"',
    ),
    Rule(
        "an expiry lies in the future",
        ACCEPTED,
        r"/customers/\{customer_id\}/(coupons|wishlist/\{item_id\}/gift)",
        422,
        r"must be in the future",
    ),
    Rule(
        "an order names each product once, a coupon that is the customer's, and what the "
        "shop sells (the host's place_order refuses with its reason; a reused key: 409)",
        ACCEPTED,
        r"/customers/\{customer_id\}/orders",
        422,
        r'each product at most once|"coupon_code"|unknown_product|one_product_per_order'
        r"|coupon_invalid",
    ),
    Rule(
        "an order's idempotency key sent again with another body",
        ACCEPTED,
        r"/customers/\{customer_id\}/orders",
        409,
        r"idempotency_key_reused",
    ),
    Rule(
        "a percent discount is at most 100",
        ACCEPTED,
        r"/customers/\{customer_id\}/wishlist/\{item_id\}/gift",
        422,
        r"a percent is at most 100",
    ),
    Rule(
        "a customer holds a coupon code once (until revoked)",
        ACCEPTED,
        r"/customers/\{customer_id\}/coupons",
        409,
        r"coupon_held",
    ),
    Rule(
        "a customer is merged with another customer, not with itself",
        ACCEPTED,
        r"/customers/\{customer_id\}/merge",
        422,
        r"merged into itself",
    ),
    Rule(
        "a body above the configured byte limit answers 413 before it is parsed",
        "negative_data_rejection",
        ANY,
        413,
        r"too_large",
    ),
)


@dataclass(frozen=True)
class Served:
    url: str
    shopper_cookie: str  # the host's session cookie of a signed-in shopper of store "default"


def _signed_up_account(app: Any) -> int:
    """A storefront account of store "default", signed up with its email verified (as the
    example host's sign-in link does), so ``/me/*`` has a linked customer to serve."""
    from customers_plugin import Contact, CustomerSignedUp
    from examples.host_app.models import Account, db

    with app.app_context():
        account = Account(store_id="default", email="shopper@example.com")
        db.session.add(account)
        db.session.commit()
        app.extensions["customers"].hook.on_customer_signup(
            event=CustomerSignedUp(
                store_id="default",
                user_id=str(account.id),
                contact=Contact(email=account.email),
                email_verified=True,
            )
        )
        return account.id


@pytest.fixture
def served_host(make_host: Any, tmp_path: Any) -> Iterator[Served]:
    """The example host app, served over HTTP on a free port in a thread."""
    app = make_host(
        CUSTOMERS_TRANSFER_FOLDER=str(tmp_path / "transfer"),
        CUSTOMERS_ATTACHMENTS_FOLDER=str(tmp_path / "attachments"),
    )
    signer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    cookie = signer.dumps({"account": {"default": _signed_up_account(app)}})
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Served(f"http://127.0.0.1:{server.port}", cookie)
    server.shutdown()
    thread.join()
    server.server_close()


def _error_parts(response: Any) -> list[str]:
    """The answer as texts for the rules: one per field of an error (each field must be
    explained by a rule), or the whole answer."""
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return [""]
    error = body.get("error") if isinstance(body, dict) else None
    fields = error.get("fields") if isinstance(error, dict) else None
    if not fields:
        return [json.dumps(body)]
    code = error.get("code")
    return [json.dumps({"error": {"code": code, "fields": {k: v}}}) for k, v in fields.items()]


def _reasons(check: str, label: str, status: int, parts: list[str]) -> list[str] | None:
    """The rules explaining every part of a failure, or None."""
    reasons = []
    for part in parts:
        rule = next((r for r in RULES if r.covers(check, label, status, part)), None)
        if rule is None:
            return None
        reasons.append(rule.reason)
    return reasons


@pytest.mark.parametrize("backend", [BACKENDS[-1]])
def test_the_document_agrees_with_the_server_but_for_the_listed_rules(served_host):
    from examples.host_app.stores import DEMO_ADMIN_TOKEN

    config = SchemathesisConfig.from_dict(
        {
            "seed": ENGINE_SEED,
            "cache": {"enabled": False},  # no state carried over from an earlier run
            "auth": {
                "openapi": {
                    "staff": {"bearer": DEMO_ADMIN_TOKEN},
                    "shopper": {"api_key": served_host.shopper_cookie},
                }
            },
            "workers": 1,
            "generation": {
                "max-examples": ENGINE_EXAMPLES,
                "deterministic": True,
                "database": "none",
            },
            # schemathesis 4.32's error feedback (shared by the coverage phase) reads the 422
            # error shape as if it described the request and grafts an "error" property into
            # closed bodies, then calls them schema-valid
            "phases": {"fuzzing": {"error-feedback": {"enabled": False}}},
        }
    )
    schema = schemathesis.openapi.from_url(f"{served_host.url}{PREFIX}/openapi.json", config=config)
    unexplained: dict[tuple[str, ...], str] = {}
    explained: Counter[str] = Counter()
    scenarios = 0
    for event in from_schema(schema).execute():
        assert not isinstance(event, events.FatalError), event
        if isinstance(event, events.NonFatalError):
            unexplained[(event.label, "error", event.info.message[:200])] = ""
        if not isinstance(event, events.ScenarioFinished):
            continue
        scenarios += 1
        for case_id, checks in event.recorder.checks.items():
            for check in checks:
                if check.failure_info is None:
                    continue
                case = event.recorder.cases[case_id].value
                interaction = event.recorder.interactions.get(case_id)
                response = interaction.response if interaction else None
                status = response.status_code if response is not None else 0
                parts = _error_parts(response) if response is not None else [""]
                label = case.operation.label
                reasons = _reasons(check.name, label, status, parts)
                if reasons is not None:
                    explained.update(reasons)
                    continue
                title = check.failure_info.failure.title
                unexplained[(event.phase.name, label, check.name, title)] = (
                    f"{status} {' '.join(parts)[:400]}"
                )
    assert scenarios >= 60
    assert unexplained == {}, "\n".join(f"{k}: {v}" for k, v in unexplained.items())
