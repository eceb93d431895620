"""Running the plugin's Alembic history (``migrations/``, shipped inside the package as
``customers_plugin.migrations``) with its own version table, so it never collides with the
host's history on the same database.

Hosts that autogenerate their own migrations should filter the plugin's tables out with
``customers_plugin.migrate.exclude_plugin_tables`` as ``include_object`` in their env.py.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from .db import Database
from .models import TABLE_PREFIX

VERSION_TABLE = "customers_alembic_version"


def _is_plugin_table(name: str | None) -> bool:
    return bool(name) and (name.startswith(TABLE_PREFIX) or name == VERSION_TABLE)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For the plugin's own env.py: look only at the plugin's tables."""
    table = (
        obj.table.name
        if type_ in ("column", "index", "unique_constraint", "foreign_key_constraint")
        else name
    )
    return _is_plugin_table(table)


def exclude_plugin_tables(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """For the host's env.py: never propose changes to (or drops of) the plugin's tables."""
    return not include_object(obj, name, type_, reflected, compare_to)


def alembic_config(db: Database) -> Config:
    config = Config()
    config.set_main_option("script_location", str(files("customers_plugin.migrations")))
    config.attributes["database"] = db
    return config


def _run(db: Database, action: Any, *args: Any, **kwargs: Any) -> None:
    config = alembic_config(db)
    with db.for_jobs(), db.engine.connect() as connection:
        # On SQLite a batch migration rebuilds a table (create, copy, drop, rename); with
        # foreign keys enforced, dropping the old table would cascade-delete every row that
        # points at it. The pragma is a no-op inside a transaction, so it is set before.
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                action(config, *args, **kwargs)
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def upgrade(db: Database, revision: str = "head") -> None:
    _run(db, command.upgrade, revision)


def downgrade(db: Database, revision: str) -> None:
    _run(db, command.downgrade, revision)


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def head_revision(db: Database) -> str | None:
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head()


UPGRADE_COMMAND = "flask customers db upgrade"


def pending(db: Database) -> tuple[str | None, str] | None:
    """``(current, head)`` when the database has not reached the code's last revision (``current``
    is ``None`` on a database the plugin's history never touched), else ``None``. A database that
    cannot be asked counts as not pending: the caller's own error stands."""
    head = head_revision(db)
    try:
        current = current_revision(db)
    except Exception:  # the database is down or refuses us: not a question of migrations
        return None
    return None if current == head or head is None else (current, head)


class MigrationsPending(RuntimeError):
    """The plugin's tables are behind its code: raised to a host that fires an event on a
    database ``flask customers db upgrade`` has not reached (the message says what to run)."""


def raise_if_pending(db: Database, error: Exception) -> None:
    """Turn a database ``error`` into ``MigrationsPending`` when the cause is a database the
    migrations have not reached; otherwise return (the caller re-raises ``error``)."""
    behind = pending(db)
    if behind is not None:
        raise MigrationsPending(pending_message(*behind)) from error


def pending_message(current: str | None, head: str) -> str:
    """What to tell an operator whose database is behind: where it is and what to run."""
    where = "has none of its tables yet" if current is None else f"is at revision {current}"
    return (
        f"the customers database {where}; this version of customers-plugin needs revision "
        f"{head}: run `{UPGRADE_COMMAND}`"
    )


def revision(db: Database, message: str) -> None:
    """Autogenerate a new revision (for plugin developers)."""
    _run(db, command.revision, message=message, autogenerate=True)


__all__ = [
    "UPGRADE_COMMAND",
    "VERSION_TABLE",
    "MigrationsPending",
    "current_revision",
    "downgrade",
    "exclude_plugin_tables",
    "head_revision",
    "include_object",
    "pending",
    "pending_message",
    "revision",
    "upgrade",
]
