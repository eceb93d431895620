"""The app benchmark workers load (``FLASK_APP=benchmarks.worker_app:create_app``), set by env."""

import os

from flask import Flask

from customers_plugin import CustomersPlugin


def create_app() -> Flask:
    app = Flask(__name__)
    app.config.update(
        CUSTOMERS_DATABASE_URI=os.environ["CUSTOMERS_TEST_WORKER_DB"],
        CUSTOMERS_REDIS_URL=os.environ["CUSTOMERS_TEST_REDIS_URL"],
        CUSTOMERS_QUEUE=os.environ["CUSTOMERS_TEST_QUEUE"],
        CUSTOMERS_CAPTURE_MODE="queue",
        CUSTOMERS_LOAD_ENTRY_POINTS=False,
    )
    CustomersPlugin(app)
    return app
