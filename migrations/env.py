"""Alembic environment of customers-plugin: its own history, its own version table.

Run through ``flask customers db upgrade`` (customers_plugin/migrate.py), which hands the
connection over in ``config.attributes["connection"]``.
"""

from alembic import context

from customers_plugin.migrate import VERSION_TABLE, include_object
from customers_plugin.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run the plugin's migrations with `flask customers db upgrade`")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    version_table=VERSION_TABLE,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
