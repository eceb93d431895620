"""The Alembic history: builds the schema, agrees with the models, lives beside the host's."""

from __future__ import annotations

import datetime as dt
import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, inspect, select, text

from customers_plugin import migrate
from customers_plugin.db import Database
from customers_plugin.migrate import VERSION_TABLE, include_object
from customers_plugin.models import Base, Customer, ExportJob, ImportBatch, ReviewRequest


def test_models_and_migrations_agree(database_urls, backend):
    engine = create_engine(database_urls[backend])
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": include_object,
                "compare_type": True,
                "version_table": VERSION_TABLE,
            },
        )
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_history_uses_its_own_version_table_beside_the_hosts(tmp_path):
    url = f"sqlite:///{tmp_path}/shared.db"
    host = create_engine(url)
    with host.begin() as conn:  # the host's own Alembic history on the same database
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('host_rev_1')"))
        conn.execute(text("CREATE TABLE products (id INTEGER PRIMARY KEY)"))
    db = Database(url)
    migrate.upgrade(db)
    assert migrate.current_revision(db) == migrate.head_revision(db)
    with host.connect() as conn:
        assert (
            conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "host_rev_1"
        )
    tables = set(inspect(host).get_table_names())
    assert {"products", "alembic_version", VERSION_TABLE, "customers_customers"} <= tables
    migrate.downgrade(db, "base")
    left = set(inspect(host).get_table_names())
    assert left == {"products", "alembic_version", VERSION_TABLE}
    db.dispose()
    host.dispose()


def test_host_autogenerate_filter_ignores_the_plugin_tables():
    table = Base.metadata.tables["customers_customers"]
    assert migrate.exclude_plugin_tables(table, table.name, "table", True, None) is False
    assert migrate.exclude_plugin_tables(None, "products", "table", True, None) is True
    assert migrate.exclude_plugin_tables(None, VERSION_TABLE, "table", True, None) is False


def test_unique_email_per_store_is_case_insensitive_in_the_schema(database_urls, backend):
    engine = create_engine(database_urls[backend])
    uniques = inspect(engine).get_unique_constraints("customers_customers")
    assert ["store_id", "email_normalized"] in [u["column_names"] for u in uniques]
    engine.dispose()


def _as_of_0006(model, added=("updated_at", "claimed_at", "expires_at")):
    """The model's table without the columns 0007 adds (so rows can be written before it)."""
    columns = [c._copy() for c in model.__table__.columns if c.name not in added]
    return Table(model.__tablename__, MetaData(), *columns)


# customer columns a later migration (0014) adds
_SMS_CONSENT = ("sms_consent", "sms_consent_at", "sms_consent_source")
# import batch columns 0007 and a later migration (0020) add
_BATCH_LATER = ("updated_at", "unchanged_count")


def test_0007_gives_rows_already_there_what_the_sweeps_need(fresh_url):
    db = Database(fresh_url)
    migrate.upgrade(db, "0006")
    t0 = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)
    customer, batch, export, running = (uuid.uuid4() for _ in range(4))
    with db.engine.begin() as conn:
        conn.execute(
            _as_of_0006(Customer, added=_SMS_CONSENT).insert(),
            {"id": customer, "store_id": "s", "email": "a@example.com",
             "email_normalized": "a@example.com", "search_name": ""},
        )  # fmt: skip
        conn.execute(
            _as_of_0006(ImportBatch, added=_BATCH_LATER).insert(),
            {"id": batch, "store_id": "s", "options": {}, "status": "importing",
             "created_at": t0, "started_at": t0 + dt.timedelta(minutes=1)},
        )  # fmt: skip
        conn.execute(
            _as_of_0006(ReviewRequest).insert(),
            {"id": uuid.uuid4(), "store_id": "s", "customer_id": customer, "send_key": "k",
             "trigger": "manual", "status": "sending", "order_ids": [], "due_at": t0},
        )  # fmt: skip
        for export_id, status in ((export, "done"), (running, "running")):
            conn.execute(
                _as_of_0006(ExportJob).insert(),
                {"id": export_id, "store_id": "s", "params": {}, "status": status,
                 "finished_at": t0 if status == "done" else None},
            )  # fmt: skip
    migrate.upgrade(db)
    with db.session() as session:
        assert session.get(ImportBatch, batch).updated_at == t0 + dt.timedelta(minutes=1)
        assert session.scalars(select(ReviewRequest.claimed_at)).one() == t0
        assert session.get(ExportJob, export).expires_at == t0 + dt.timedelta(days=7)
        assert session.get(ExportJob, running).expires_at is None
    migrate.downgrade(db, "0006")
    columns = {c["name"] for c in inspect(db.engine).get_columns("customers_export_jobs")}
    assert "expires_at" not in columns
    db.dispose()
