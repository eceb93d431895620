"""Review-request jobs under RQ with a real Redis: a job whose first send fails is retried by
RQ and the customer still gets exactly one message."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from rq import SimpleWorker
from rq.serializers import JSONSerializer

from tests.api.conftest import BearerAuth, Staff
from tests.conftest import REDIS_URL

from .conftest import STORE, deliver_order, place
from .test_review_requests import FlakyEmail, _requests

pytestmark = pytest.mark.redis


@pytest.fixture
def provider() -> FlakyEmail:
    return FlakyEmail(failures=1)


@pytest.fixture
def rq_state(make_app: Any, host: Any, provider: FlakyEmail) -> Any:
    app = make_app(
        SECRET_KEY="k",
        CUSTOMERS_PLUGINS=[BearerAuth(), host, provider],
        CUSTOMERS_DEFAULT_STORE=STORE,
        CUSTOMERS_REVIEW_PAGE_URL="https://shop.example/r/{token}",
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=f"customers-test-{uuid.uuid4().hex[:8]}",
    )
    state = app.extensions["customers"]
    yield state
    state.jobs.queue.delete(delete_jobs=True)


def _work(state: Any) -> None:
    queue = state.jobs.queue
    with state.app.app_context():
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True
        )


def test_manual_request_job_is_retried_by_rq_and_sends_one_message(rq_state, provider):
    cid = place(rq_state, "o1")
    staff = Staff(rq_state.app, STORE)
    accepted = staff.post(f"/customers/{cid}/review-requests")
    assert accepted.status_code == 202
    assert provider.calls == 0  # queued, not sent inside the request
    request_id = accepted.json["id"]
    assert rq_state.jobs.queue.job_ids == [f"review-request-{request_id}"]
    _work(rq_state)
    assert provider.calls == 2  # failed once, retried by RQ
    assert provider.sent == ["sara@example.sa"]
    [row] = _requests(rq_state)
    assert (row.status, row.attempts) == ("sent", 2)


def test_periodic_job_under_rq_sends_due_requests_once(rq_state, provider):
    provider.failures = 0
    place(rq_state, "o1")
    deliver_order(rq_state, "o1", dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
    rq_state.jobs.submit("send_due_review_requests")
    rq_state.jobs.submit("send_due_review_requests")
    _work(rq_state)
    assert provider.sent == ["sara@example.sa"]
