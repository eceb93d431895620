"""The validation pass's output, kept for the writing pass in ``customers_import_rows``: every
row of the file by its line, a good row with its parsed values and the id it gets if it creates
a customer, a bad row with its line only (the writing pass counts it as done). The good rows'
email and phone keys find the later rows that repeat them.

Validating a row costs far more than reading it back (phone numbers above all), and a
``reject-file`` import must validate every row before writing one. Staged in the database, the
rows that create customers are written by one ``INSERT … SELECT`` per chunk (``writer``): no
Python touches them twice. Memory stays one chunk deep. Every validation pass stages anew (a
retried job validates again); the writing pass removes each chunk's rows with the chunk, the
end of the batch the rest.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ARRAY, bindparam, delete, func, or_, select, true
from sqlalchemy.orm import Session

from ...db import one_of
from ...models import ImportRow
from ...normalize import search_key
from ...types import new_id
from .bulk import insert_rows
from .columns import CUSTOMER_COLUMNS
from .rows import ParsedRow

_EMPTY = dict.fromkeys(
    ("customer_id", "email_key", "search_name", *CUSTOMER_COLUMNS, "consent", "tags", "fields")
)


@dataclass(frozen=True, slots=True)
class Additions:
    """What a good row adds to the customer it creates besides its columns."""

    tags: list[str]
    fields: dict[uuid.UUID, tuple[str, str]]


NOTHING = Additions([], {})


@dataclass(frozen=True, slots=True)
class StagedChunk:
    after_line: int  # the chunk holds the staged lines after this one, up to last_line
    last_line: int
    size: int  # rows in the chunk, good and bad
    good: int  # the good ones


def stage(session: Session, batch_id: uuid.UUID, rows: Sequence[ParsedRow]) -> None:
    """Stage one validated chunk: all its rows, those with errors by their line only."""
    insert_rows(session, ImportRow.__table__, [_staged(batch_id, row) for row in rows])


def mark_duplicates(session: Session, batch_id: uuid.UUID, rows: Sequence[ParsedRow]) -> None:
    """Give every good row repeating the email or phone of an earlier good row (staged, or
    earlier in ``rows``) a duplicate error naming that row's line. A row found a duplicate is
    bad: its keys mark no later row."""
    good = [row for row in rows if not row.errors]
    first = {
        "email": _staged_lines(session, batch_id, ImportRow.email_key, [r.email_key for r in good]),
        "phone": _staged_lines(
            session, batch_id, ImportRow.phone, [r.values.get("phone") for r in good]
        ),
    }
    for row in good:
        keys = (("email", row.email_key), ("phone", row.values.get("phone")))
        for column, key in keys:
            if key and key in first[column]:
                row.errors.append((column, f"duplicate of line {first[column][key]}"))
        if not row.errors:
            for column, key in keys:
                if key:
                    first[column][key] = row.line


def _staged_lines(
    session: Session, batch_id: uuid.UUID, column: Any, keys: list[str | None]
) -> dict[str, int]:
    """The line of the staged good row holding each of ``keys`` in ``column`` (one at most:
    a duplicate is staged without its keys)."""
    wanted = sorted({key for key in keys if key})
    if not wanted:
        return {}
    return dict(session.execute(key_probe(session, batch_id, column, wanted)).all())


def key_probe(session: Session, batch_id: uuid.UUID, column: Any, wanted: list[str]) -> Any:
    """The statement of ``_staged_lines``: on PostgreSQL one index probe per key, since
    ``column = ANY(:keys)`` would be planned on the staged table's statistics, which lag behind
    a validation pass that grows it by a chunk per transaction."""
    if session.get_bind().dialect.name != "postgresql":
        return select(column, ImportRow.line).where(
            ImportRow.batch_id == batch_id, column.in_(wanted)
        )
    keys_array = bindparam("keys", wanted, type_=ARRAY(column.type))
    key = func.unnest(keys_array).table_valued("key").render_derived(name="wanted")
    line = (
        select(ImportRow.line)
        .where(column == key.c.key, ImportRow.batch_id == batch_id)
        .limit(1)
        .lateral()
    )
    return select(key.c.key, line.c.line).select_from(key.join(line, true()))


def clear(session: Session, batch_id: uuid.UUID) -> None:
    """Remove all the batch's staged rows."""
    session.execute(
        delete(ImportRow)
        .where(ImportRow.batch_id == batch_id)
        .execution_options(synchronize_session=False)
    )


def remove_chunk(session: Session, batch_id: uuid.UUID, chunk: StagedChunk) -> None:
    """Remove the staged rows of a written chunk (a bounded range: the rows removed before
    are never walked again)."""
    session.execute(
        delete(ImportRow)
        .where(*chunk_rows(batch_id, chunk))
        .execution_options(synchronize_session=False)
    )


def next_chunk(
    session: Session, batch_id: uuid.UUID, after_line: int, size: int
) -> StagedChunk | None:
    """The next ``size`` staged rows after ``after_line`` (None: none are left), counted: the
    writer reads from them only what Python must see."""
    window = (
        select(ImportRow.line, ImportRow.ok)
        .where(ImportRow.batch_id == batch_id, ImportRow.line > after_line)
        .order_by(ImportRow.line)
        .limit(size)
        .subquery()
    )
    rows, last, good = session.execute(
        select(func.count(), func.max(window.c.line), func.count().filter(window.c.ok == true()))
    ).one()
    if not rows:
        return None
    return StagedChunk(after_line, last, rows, good)


def chunk_rows(batch_id: uuid.UUID, chunk: StagedChunk) -> list[Any]:
    """The conditions on staged rows that select ``chunk``'s (a bounded range of lines)."""
    return [
        ImportRow.batch_id == batch_id,
        ImportRow.line > chunk.after_line,
        ImportRow.line <= chunk.last_line,
    ]


def additions(
    session: Session, batch_id: uuid.UUID, chunk: StagedChunk, created: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, Additions]]:
    """The tags and field values of the chunk's rows that created customers ``created``,
    by customer (the rows that add nothing are left out)."""
    if not created:
        return []
    ids = set(created)
    found = session.execute(
        select(ImportRow.customer_id, ImportRow.tags, ImportRow.fields)
        .where(
            *chunk_rows(batch_id, chunk),
            ImportRow.ok == true(),
            or_(ImportRow.tags.is_not(None), ImportRow.fields.is_not(None)),
        )
        .order_by(ImportRow.line)
    )
    return [
        (customer_id, Additions(tags or [], _fields(fields)))
        for customer_id, tags, fields in found
        if customer_id in ids
    ]


def lines_not_created(
    session: Session, batch_id: uuid.UUID, chunk: StagedChunk, created: Sequence[uuid.UUID]
) -> list[int]:
    """The chunk's good lines that created no customer (they match one), in order."""
    query = select(ImportRow.line).where(*chunk_rows(batch_id, chunk), ImportRow.ok == true())
    if created:
        query = query.where(~one_of(session, ImportRow.customer_id, created))
    return list(session.scalars(query.order_by(ImportRow.line)))


def parsed_rows(session: Session, batch_id: uuid.UUID, lines: Sequence[int]) -> list[ParsedRow]:
    """The staged good rows of ``lines`` as validated, in line order."""
    if not lines:
        return []
    found = session.scalars(
        select(ImportRow)
        .where(ImportRow.batch_id == batch_id, ImportRow.line.in_(lines), ImportRow.ok)
        .order_by(ImportRow.line)
    )
    return [
        ParsedRow(
            line=r.line,
            values={n: v for n in CUSTOMER_COLUMNS if (v := getattr(r, n)) is not None},
            email_key=r.email_key,
            fields=_fields(r.fields),
            tags=r.tags or [],
            consent=r.consent,
        )
        for r in found
    ]


def _staged(batch_id: uuid.UUID, row: ParsedRow) -> dict[str, Any]:
    if row.errors:
        return {"batch_id": batch_id, "line": row.line, "ok": False, **_EMPTY}
    values = row.values
    staged = {n: values.get(n) for n in CUSTOMER_COLUMNS}
    staged.update(
        batch_id=batch_id,
        line=row.line,
        ok=True,
        customer_id=new_id(),
        email_key=row.email_key,
        search_name=search_key(values.get("name")),
        consent=row.consent,
        tags=row.tags or None,
        fields={str(k): list(v) for k, v in row.fields.items()} or None,
    )
    return staged


def _fields(data: dict[str, list[str]] | None) -> dict[uuid.UUID, tuple[str, str]]:
    return {uuid.UUID(k): (v[0], v[1]) for k, v in (data or {}).items()}
