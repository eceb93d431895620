"""The send job on a real Redis: the API records it in the outbox, the relay puts it on the RQ
queue with the message id as its only argument, and two workers running it twice (a retried
job, or a duplicate relay) send the message once."""

from __future__ import annotations

import threading
import uuid

import pytest
from rq.serializers import JSONSerializer

from customers_plugin.models import Message
from tests.api.conftest import BearerAuth, Staff
from tests.conftest import REDIS_URL
from tests.tasks.test_task_reminders import ThreadWorker

from .conftest import new_customer, send


@pytest.mark.redis
def test_two_workers_running_the_send_job_twice_send_once(
    make_app, recorder, channels, messages_config
):
    app = make_app(
        CUSTOMERS_PLUGINS=[recorder, BearerAuth(), channels],
        CUSTOMERS_REDIS_URL=REDIS_URL,
        CUSTOMERS_QUEUE=f"customers-test-{uuid.uuid4().hex[:8]}",
        **messages_config,
    )
    state = app.extensions["customers"]
    try:
        staff = Staff(app)
        cid = new_customer(staff)
        sent = send(staff, cid, subject="Receipt", body="Thank you, {first_name}").json
        assert channels.sent == []  # queued: nothing runs until a worker takes it
        queue = state.jobs.queue
        with app.app_context():
            state.jobs.submit("send_message", sent["id"], job_id=f"again-{uuid.uuid4().hex}")
        assert [list(job.args) for job in queue.jobs] == [["send_message", [sent["id"]]]] * 2

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
        assert [m["body"] for m in channels.sent] == ["Thank you, Sara"]
        with state.db.session() as session:
            row = session.get(Message, uuid.UUID(sent["id"]))
            assert (row.state, row.provider_id) == ("sent", "p-1")
    finally:
        state.jobs.queue.delete(delete_jobs=True)
