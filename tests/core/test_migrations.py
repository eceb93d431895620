"""The Alembic history: builds the schema, agrees with the models, lives beside the host's."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from customers_plugin import migrate
from customers_plugin.db import Database
from customers_plugin.migrate import VERSION_TABLE, include_object
from customers_plugin.models import Base


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
