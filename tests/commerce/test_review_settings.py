"""A store's review-request settings (``/settings``) change its review requests only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from customers_plugin.models import ReviewRequest

from .conftest import deliver_order, place

NOW = dt.datetime.now(dt.UTC)


def _settings(staff, **body):
    answer = staff.as_(perms="settings.manage").patch("/settings", json=body)
    assert answer.status_code == 200, answer.json


def _scheduled(state):
    with state.db.session() as session:
        return session.scalars(select(ReviewRequest)).all()


def test_review_channel_override_is_the_channel_of_the_store_s_requests(state, staff, mailbox):
    cid = place(state, "o1")
    _settings(staff, review_request_channel="sms")
    refused = staff.post(f"/customers/{cid}/review-requests")
    assert refused.status_code == 409
    assert "sms" in refused.json["error"]["message"]  # sara has an email, no phone
    _settings(staff, review_request_channel=None)
    assert staff.post(f"/customers/{cid}/review-requests").status_code == 202


def test_automatic_review_requests_off_schedules_nothing_after_delivery(state, staff):
    _settings(staff, automatic_review_requests=False)
    place(state, "o1")
    deliver_order(state, "o1", NOW - dt.timedelta(days=8))
    assert _scheduled(state) == []


def test_review_request_days_override_sets_when_the_request_is_due(state, staff):
    _settings(staff, review_request_days=2)
    place(state, "o1")
    delivered = NOW - dt.timedelta(days=8)
    deliver_order(state, "o1", delivered)
    [scheduled] = _scheduled(state)
    assert scheduled.due_at == delivered + dt.timedelta(days=2)
