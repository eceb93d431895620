"""trigram indexes for the admin list search

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 12:35:00

PostgreSQL: enables pg_trgm (needs a role allowed to CREATE EXTENSION, or the extension
installed beforehand by an administrator) and adds GIN trigram indexes, so the list's substring
search on names, emails and phones uses an index. SQLite: plain indexes of the same names (its
LIKE '%…%' cannot use an index; they keep the models and both histories identical).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = ("search_name", "email_normalized", "phone")


def _trigram_ops() -> str:
    """Install pg_trgm (in ``public`` when it exists, so dropping an app schema never drops
    it) and return its operator class, qualified: the app's search_path may not see it."""
    bind = op.get_bind()
    has_public = bind.execute(
        sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")
    ).scalar()
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" SCHEMA public" if has_public else ""))
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
        )
    ).scalar()
    return f'"{schema}".gin_trgm_ops'


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        ops = _trigram_ops()
        for column in COLUMNS:
            op.create_index(
                f"ix_customers_customers_{column}_trgm",
                "customers_customers",
                [column],
                postgresql_using="gin",
                postgresql_ops={column: ops},
            )
        return
    with op.batch_alter_table("customers_customers", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.create_index(f"ix_customers_customers_{column}_trgm", [column])


def downgrade() -> None:
    with op.batch_alter_table("customers_customers", schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f"ix_customers_customers_{column}_trgm")
