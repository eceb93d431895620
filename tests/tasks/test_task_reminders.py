"""Task reminders: the assignee gets one email when a task falls due, through ``send_message``
with the address from ``list_staff``; exactly once across two runs at the same time, two RQ
workers on a real Redis, or a job run twice; a rescheduled task gets a new one, a done task
none; job arguments carry no personal data."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from rq import SimpleWorker
from rq.serializers import JSONSerializer
from rq.timeouts import TimerDeathPenalty

from customers_plugin.cli import customers_cli
from customers_plugin.models import Activity
from customers_plugin.services.tasks import remind_due
from tests.api.conftest import BearerAuth
from tests.conftest import REDIS_URL

from .conftest import Clerk, new_customer, new_task


class ThreadWorker(SimpleWorker):
    """An RQ worker that runs in a thread: no signal handlers, a timer for job timeouts."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        pass


def _past(minutes: int = 5) -> str:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).isoformat()


def _future(days: int = 2) -> str:
    return (dt.datetime.now(dt.UTC) + dt.timedelta(days=days)).isoformat()


def _state(app: Any) -> Any:
    return app.extensions["customers"]


def test_a_due_task_reminds_its_assignee_once_by_email(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, title="Call Sara", due_at=_past(), assignee_id="s2")
    new_task(clerk, cid, title="Not yet", due_at=_future(), assignee_id="s2")
    state = _state(tasks_app)
    assert remind_due(state) == {"sent": 1}
    assert remind_due(state) == {}
    [message] = staff_host.sent
    assert message["to"] == "omar@shop.example"
    assert message["subject"] == "Task due: Call Sara"
    assert "Omar" in message["body"]
    assert clerk.get(f"/tasks/{task['id']}").json["reminded_at"] is not None
    with state.db.session() as session:
        kinds = [a.kind for a in session.query(Activity).filter(Activity.kind.like("task_%"))]
    assert kinds.count("task_reminded") == 1


def test_a_done_task_gets_no_reminder_and_an_unassigned_one_none(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, due_at=_past(), assignee_id="s1")
    clerk.patch(f"/tasks/{task['id']}", json={"status": "done"})
    new_task(clerk, cid, due_at=_past())
    assert remind_due(_state(tasks_app)) == {}
    assert staff_host.sent == []


def test_a_rescheduled_task_gets_a_new_reminder(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, due_at=_past(10), assignee_id="s1")
    state = _state(tasks_app)
    remind_due(state)
    moved = clerk.patch(f"/tasks/{task['id']}", json={"due_at": _past(1)}).json
    assert moved["reminded_at"] is None
    assert remind_due(state) == {"sent": 1}
    assert [m["to"] for m in staff_host.sent] == ["huda@shop.example"] * 2


def test_a_reassigned_task_reminds_the_new_assignee(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    task = new_task(clerk, cid, due_at=_past(), assignee_id="s1")
    state = _state(tasks_app)
    remind_due(state)
    clerk.patch(f"/tasks/{task['id']}", json={"assignee_id": "s2"})
    remind_due(state)
    assert [m["to"] for m in staff_host.sent] == ["huda@shop.example", "omar@shop.example"]


def test_a_provider_failure_gives_the_claim_back_and_the_next_run_sends(
    clerk, staff_host, tasks_app
):
    cid = new_customer(clerk)
    new_task(clerk, cid, due_at=_past(), assignee_id="s1")
    staff_host.fail = 1
    state = _state(tasks_app)
    assert remind_due(state) == {"failed": 1}
    assert remind_due(state) == {"sent": 1}
    assert len(staff_host.sent) == 1


def test_an_assignee_without_email_is_skipped_once(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    new_task(clerk, cid, due_at=_past(), assignee_id="s3")
    state = _state(tasks_app)
    assert remind_due(state) == {"skipped": 1}
    assert remind_due(state) == {}
    assert staff_host.sent == []


def test_two_runs_at_the_same_time_send_each_reminder_once(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    for i in range(6):
        new_task(clerk, cid, title=f"t{i}", due_at=_past(), assignee_id="s1")
    staff_host.delay = 0.02  # both runs are inside the sends at once
    state = _state(tasks_app)
    outcomes: list[dict[str, int]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        with tasks_app.app_context():
            barrier.wait()
            outcomes.append(remind_due(state))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m["subject"] for m in staff_host.sent) == [f"Task due: t{i}" for i in range(6)]
    assert sum(o.get("sent", 0) for o in outcomes) == 6


def test_the_cli_reminds_inline_without_redis(clerk, staff_host, tasks_app):
    cid = new_customer(clerk)
    new_task(clerk, cid, due_at=_past(), assignee_id="s1")
    runner = CliRunner()
    with tasks_app.app_context():
        result = runner.invoke(customers_cli, ["tasks", "remind"], obj=tasks_app.cli)
    assert result.exit_code == 0, result.output
    assert "sent" in result.output
    assert len(staff_host.sent) == 1


@pytest.mark.redis
def test_two_rq_workers_send_each_reminder_once_and_jobs_carry_no_personal_data(
    make_app, recorder, staff_host
):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), staff_host],
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=f"customers-test-{uuid.uuid4().hex[:8]}",
    )
    state = _state(app)
    try:
        clerk = Clerk(app)
        cid = new_customer(clerk)
        for i in range(4):
            new_task(clerk, cid, title=f"t{i}", due_at=_past(), assignee_id="s2")
        staff_host.delay = 0.02
        with app.app_context():
            for n in range(2):  # the job twice (two cron ticks, or a retried one)
                state.jobs.submit(
                    "send_due_task_reminders", job_id=f"task-reminders-{n}-{uuid.uuid4().hex}"
                )
        queue = state.jobs.queue
        assert [list(job.args) for job in queue.jobs] == [["send_due_task_reminders", []]] * 2

        def work() -> None:
            with app.app_context():
                ThreadWorker([queue], connection=queue.connection, serializer=JSONSerializer).work(
                    burst=True
                )

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert sorted(m["subject"] for m in staff_host.sent) == [
            f"Task due: t{i}" for i in range(4)
        ]
        assert {m["to"] for m in staff_host.sent} == {"omar@shop.example"}
    finally:
        state.jobs.queue.delete(delete_jobs=True)
