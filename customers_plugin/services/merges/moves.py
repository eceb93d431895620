"""Moving one customer's rows to another, table by table, as ``privacy.owned.OWNED`` says,
recording each moved row's key and each set-aside row's values in ``customers_merge_rows``;
and moving them back for the undo. Set-based SQL: a customer with many orders costs a few
statements per table, not one per row."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    String,
    Uuid,
    and_,
    cast,
    delete,
    exists,
    insert,
    literal,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...db import insert_ignore
from ...models import Customer, MergeRow
from ..privacy.owned import OWNED, Owned
from .rows import dump_row, load_row

_rows = MergeRow.__table__


def move_all(
    session: Session, store_id: str, merge_id: uuid.UUID, kept_id: uuid.UUID, other_id: uuid.UUID
) -> dict[str, int]:
    """Move every registered table's rows of ``other_id`` to ``kept_id``. Returns the number
    of rows moved per table (tables with none left out)."""
    moved: dict[str, int] = {}
    for entry in OWNED:
        count = _move(session, store_id, merge_id, entry, kept_id, other_id)
        if count:
            moved[entry.table.name] = count
    return moved


def _move(
    session: Session,
    store_id: str,
    merge_id: uuid.UUID,
    entry: Owned,
    kept_id: uuid.UUID,
    other_id: uuid.UUID,
) -> int:
    table = entry.table
    if entry.merge == "stay":
        return 0
    mine = and_(table.c.store_id == store_id, table.c.customer_id == other_id)
    if entry.merge == "drop":
        naming = or_(*(table.c[column] == other_id for column in entry.columns))
        _set_aside(session, store_id, merge_id, entry, and_(table.c.store_id == store_id, naming))
        return 0
    if entry.merge == "dedupe":
        theirs = table.alias("kept_rows")
        same = exists().where(
            theirs.c.store_id == store_id,
            theirs.c.customer_id == kept_id,
            *(theirs.c[column] == table.c[column] for column in entry.same),
        )
        aside = same if entry.moves is None else or_(same, not_(entry.moves(table)))
        _set_aside(session, store_id, merge_id, entry, and_(mine, aside))
    session.execute(
        insert(_rows).from_select(
            ["merge_id", "table_name", "row_key", "store_id", "action"],
            select(
                literal(merge_id, Uuid),
                literal(table.name, String),
                cast(table.c[entry.key], String),
                literal(store_id, String),
                literal("moved", String),
            ).where(mine),
        )
    )
    return session.execute(update(table).where(mine).values(customer_id=kept_id)).rowcount


def _set_aside(
    session: Session, store_id: str, merge_id: uuid.UUID, entry: Owned, where: Any
) -> None:
    """Record the values of the rows matching ``where``, then delete them."""
    table = entry.table
    found = session.execute(select(table).where(where)).mappings().all()
    if not found:
        return
    session.execute(
        insert(_rows),
        [
            {
                "merge_id": merge_id,
                "table_name": table.name,
                "row_key": "aside:" + str(row[entry.key]),
                "store_id": store_id,
                "action": "dropped",
                "data": dump_row(row),
            }
            for row in found
        ],
    )
    session.execute(delete(table).where(where))


def move_back(
    session: Session, store_id: str, merge_id: uuid.UUID, kept_id: uuid.UUID, merged_id: uuid.UUID
) -> None:
    """Undo ``move_all``: the rows that moved go back to ``merged_id`` (those the kept customer
    still has), and the set-aside rows are written again where what they refer to still
    exists."""
    for entry in OWNED:
        if entry.merge in ("move", "dedupe"):
            table = entry.table
            keys = select(_rows.c.row_key).where(
                _rows.c.merge_id == merge_id,
                _rows.c.table_name == table.name,
                _rows.c.action == "moved",
            )
            session.execute(
                update(table)
                .where(
                    table.c.store_id == store_id,
                    table.c.customer_id == kept_id,
                    cast(table.c[entry.key], String).in_(keys),
                )
                .values(customer_id=merged_id)
            )
    for entry in reversed(OWNED):  # notes before their files, as they were written
        _restore_aside(session, store_id, merge_id, entry)


def _restore_aside(session: Session, store_id: str, merge_id: uuid.UUID, entry: Owned) -> None:
    table = entry.table
    saved = session.scalars(
        select(_rows.c.data).where(
            _rows.c.merge_id == merge_id,
            _rows.c.table_name == table.name,
            _rows.c.action == "dropped",
        )
    ).all()
    for data in saved:
        row = load_row(table, data or {})
        if row.get("store_id") != store_id or not _customers_exist(session, store_id, entry, row):
            continue
        try:
            with session.begin_nested():
                insert_ignore(session, table, row)
        except IntegrityError:  # what it referred to (a tag, a group…) is gone since
            continue


def _customers_exist(session: Session, store_id: str, entry: Owned, row: dict[str, Any]) -> bool:
    ids = {row[column] for column in entry.columns if row.get(column) is not None}
    found = session.scalars(
        select(Customer.id).where(Customer.store_id == store_id, Customer.id.in_(ids))
    ).all()
    return len(found) == len(ids)
