"""Group refresh jobs under RQ (a real Redis): progress in job meta, and the periodic refresh
registered with RQ's own cron."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin.models import GroupMember
from customers_plugin.services.groups import manage, schedule
from customers_plugin.services.groups.registry import registry_for
from tests.conftest import REDIS_URL

from .conftest import STORE, insert_customer

pytestmark = pytest.mark.redis


@pytest.fixture
def rq_state(make_app: Any) -> Any:
    queue_name = f"customers-test-{uuid.uuid4().hex[:8]}"
    app = make_app(CUSTOMERS_REDIS_URL=REDIS_URL, CUSTOMERS_QUEUE=queue_name)
    state = app.extensions["customers"]
    yield state
    state.jobs.queue.delete(delete_jobs=True)


def _work(state: Any) -> None:
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    queue = state.jobs.queue
    with state.app.app_context():
        SimpleWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
            burst=True
        )


def test_refresh_all_groups_under_rq_reports_progress_in_job_meta(rq_state: Any) -> None:
    registry = registry_for(rq_state.pm)
    with rq_state.db.transaction() as session:
        rich = insert_customer(session, total_spent=Decimal(2000), orders_count=12)
        for name, field in (("vip", "total_purchases"), ("often", "orders_count")):
            value = "1500" if field == "total_purchases" else 10
            condition = {"field": field, "op": "gt", "value": value}
            conditions = {"match": "all", "conditions": [condition]}
            manage.create_group(session, registry, STORE, {"name": name, "conditions": conditions})
    job = rq_state.jobs.submit("refresh_all_groups", STORE)
    _work(rq_state)
    job.refresh()
    assert job.get_status() == "finished"
    assert job.meta["progress"] == {"groups_total": 2, "groups_done": 2}
    assert job.return_value() == {"groups": 2, "added": 2, "removed": 0}
    with rq_state.db.session() as session:
        assert set(session.scalars(select(GroupMember.customer_id))) == {rich}


def test_rq_cron_config_registers_the_periodic_refresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from redis import Redis
    from rq.cron import CronScheduler

    monkeypatch.setenv("CUSTOMERS_GROUPS_REFRESH_CRON", "0 3 * * *")
    scheduler = CronScheduler(connection=Redis.from_url(REDIS_URL))
    scheduler.load_config_from_file("customers_plugin.services.groups.rq_cron")
    [cron_job] = scheduler.get_jobs()
    assert cron_job.func is schedule.enqueue_refresh_all
    assert cron_job.queue_name == schedule.CRON_QUEUE
    assert cron_job.cron == "0 3 * * *"


def test_the_cron_job_queues_one_refresh_of_every_group(rq_state: Any) -> None:
    with rq_state.app.app_context():
        first = schedule.enqueue_refresh_all()
        second = schedule.enqueue_refresh_all()
    assert first == "refresh-all-groups"
    assert second is None  # already queued: deduplicated
    assert rq_state.jobs.queue.job_ids == ["refresh-all-groups"]
