"""A worker stops promptly: RQ's teardown (unsubscribe, stop the pub/sub thread) does not wait
out the pub/sub thread's 60-second poll (redis-py 8.2 joins that thread on ``stop()``; the
dependency range keeps a redis-py that does not)."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from redis import Redis
from rq import Queue, SimpleWorker

from tests.conftest import REDIS_URL

pytestmark = pytest.mark.redis


def test_a_worker_that_unsubscribed_stops_without_waiting_out_its_pubsub_poll():
    connection = Redis.from_url(REDIS_URL)
    worker = SimpleWorker([Queue(f"customers-test-{uuid.uuid4().hex[:8]}", connection=connection)])
    worker.subscribe()
    try:
        # the moment a burst worker's teardown can meet: the thread has seen the unsubscribe
        worker.pubsub.unsubscribe()
        deadline = time.monotonic() + 60
        while worker.pubsub.subscribed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not worker.pubsub.subscribed
        teardown = threading.Thread(target=worker.unsubscribe, daemon=True)
        teardown.start()
        teardown.join(timeout=30)  # RQ's poll is 60 s: a join on it would still be waiting
        assert not teardown.is_alive()
    finally:
        worker.pubsub.close()
        connection.close()
