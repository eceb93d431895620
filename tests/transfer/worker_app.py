"""The app a real ``rq worker`` loads in transfer tests: like ``tests.worker_app`` plus the
shared transfer folder where uploaded import files wait for the worker."""

import os

from flask import Flask

from customers_plugin import CustomersPlugin


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["CUSTOMERS_DATABASE_URI"] = os.environ["CUSTOMERS_TEST_WORKER_DB"]
    app.config["CUSTOMERS_REDIS_URL"] = os.environ["CUSTOMERS_TEST_REDIS_URL"]
    app.config["CUSTOMERS_QUEUE"] = os.environ["CUSTOMERS_TEST_QUEUE"]
    app.config["CUSTOMERS_TRANSFER_FOLDER"] = os.environ["CUSTOMERS_TEST_TRANSFER_FOLDER"]
    app.config["CUSTOMERS_IMPORT_CHUNK_ROWS"] = 2
    app.config["CUSTOMERS_LOAD_ENTRY_POINTS"] = False
    CustomersPlugin(app)
    return app
