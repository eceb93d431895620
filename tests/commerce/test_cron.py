"""The rq cron configuration of the periodic review-request, price-drop and sweep jobs."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from customers_plugin.services import commerce_cron

from .conftest import deliver_order, place


class FakeCron:
    def __init__(self) -> None:
        self.entries: list[dict] = []

    def register(self, func, queue_name, cron=None, name="", **kwargs) -> None:
        self.entries.append({"func": func, "queue": queue_name, "cron": cron, "name": name})


def test_the_periodic_jobs_are_registered_on_the_cron_queue():
    cron = FakeCron()
    commerce_cron.register(cron)
    assert {e["name"]: e["cron"] for e in cron.entries} == {
        "customers-send-due-review-requests": "*/15 * * * *",
        "customers-wishlist-price-drops": "0 6 * * *",
        "customers-sweep-stale-work": "*/10 * * * *",
        "customers-send-due-task-reminders": "* * * * *",
        "customers-send-queued-messages": "* * * * *",
    }
    assert {e["func"] for e in cron.entries} >= {commerce_cron.enqueue_sweep}
    assert {e["queue"] for e in cron.entries} == {commerce_cron.CRON_QUEUE}


def test_the_cron_entry_runs_the_due_review_requests(shop, state, mailbox):
    place(state, "o1")
    deliver_order(state, "o1", dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
    with shop.app_context():
        outcome = commerce_cron.enqueue_due_review_requests()
    assert outcome == {"sent": 1}
    assert len(mailbox.messages) == 1


@pytest.mark.parametrize(
    ("entry", "name"),
    [
        (commerce_cron.enqueue_due_review_requests, "send_due_review_requests"),
        (commerce_cron.enqueue_price_drops, "wishlist_price_drops"),
        (commerce_cron.enqueue_sweep, "sweep_stale_work"),
        (commerce_cron.enqueue_task_reminders, "send_due_task_reminders"),
    ],
)
def test_each_cron_entry_queues_its_job_under_an_id_naming_the_minute(
    shop, state, monkeypatch, entry, name
):
    """A crashed run's record keeps its id taken for a year: a fixed id would block the entry."""
    submitted: list[tuple[str, str]] = []
    monkeypatch.setattr(
        state.jobs, "submit", lambda job, *args, job_id=None: submitted.append((job, job_id))
    )
    with shop.app_context():
        entry()
    [(queued, job_id)] = submitted
    assert queued == name
    assert re.fullmatch(name.replace("_", "-") + r"-\d{12}", job_id)
