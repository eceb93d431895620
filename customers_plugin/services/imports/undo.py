"""Undoing an import batch from its undo record, in chunks (each its own transaction, so a
retried undo resumes where it stopped): customers it created are deleted (unless they have
since placed orders or bookings, which are never thrown away), fields it updated get their
previous values back, tags and the "import" source it added are removed, and a consent it
changed is restored with a history row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ...db import after_commit, insert
from ...i18n import _
from ...models import (
    ConsentEvent,
    Customer,
    CustomerSource,
    CustomerTag,
    FieldValue,
    ImportBatch,
    ImportChange,
    NoteFile,
)
from ...normalize import search_key
from ...types import new_id, utcnow
from ..attachments import delete_after_commit
from ..errors import Conflict
from ..fields import definitions_by_key
from . import staging
from .announce import announce_deleted
from .batches import get_batch
from .runner import summary
from .storage import file_path
from .writer import SOURCE, UNCHANGED

if TYPE_CHECKING:
    from ...state import CustomersState

UNDO_CHUNK = 1000
_DATE_COLUMNS = {"birthdate"}
_DATETIME_COLUMNS = {"marketing_consent_at"}


def request_undo(state: CustomersState, store_id: str, batch_id: uuid.UUID) -> dict[str, Any]:
    """Mark a finished batch for undo and queue ``undo_import`` after commit."""
    with state.db.transaction() as session:
        batch = get_batch(session, store_id, batch_id)
        if batch.status == "undone":
            return summary(batch)
        if batch.status not in ("done", "failed", "undoing") or batch.options.get("dry_run"):
            raise Conflict(
                _("an import in status '{status}' cannot be undone", status=batch.status)
            )
        batch.status = "undoing"
        session.flush()
        state.jobs.enqueue_after_commit(
            session,
            "undo_import",
            str(batch_id),
            job_id=f"undo-import-{batch_id}",
            store_id=store_id,
        )
        return summary(batch)


def run_undo(state: CustomersState, batch_id: uuid.UUID | str) -> dict[str, Any]:
    """Reverse what the batch did; safe to run again (it resumes)."""
    batch_id = uuid.UUID(str(batch_id))
    with state.db.session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            return {"status": "missing"}
        if batch.status != "undoing":
            return summary(batch)
        store_id = batch.store_id
    kept = 0
    while True:
        with state.db.transaction() as session:
            changes = list(
                session.scalars(
                    select(ImportChange)
                    # unchanged rows have nothing to reverse; their records keep the count
                    .where(ImportChange.batch_id == batch_id, ImportChange.action != UNCHANGED)
                    .order_by(ImportChange.line)
                    .limit(UNDO_CHUNK)
                )
            )
            if not changes:
                break
            kept += _undo_chunk(state, session, store_id, changes)
    with state.db.transaction() as session:
        batch = session.get(ImportBatch, batch_id)
        batch.status = "undone"
        batch.undone_at = utcnow()
        if kept:
            batch.message = _(
                "{n} created customer(s) kept: they have orders or bookings since", n=kept
            )
        # a failed batch kept these to be resumable; undone, it never runs again
        staging.clear(session, batch_id)
        session.flush()
        result = summary(batch)
    file_path(state, batch_id).unlink(missing_ok=True)
    return result


def _undo_chunk(
    state: CustomersState, session: Session, store_id: str, changes: list[ImportChange]
) -> int:
    created = [c.customer_id for c in changes if c.action == "created"]
    kept = 0
    if created:
        deletable = select(Customer.id).where(
            Customer.store_id == store_id,
            Customer.id.in_(created),
            Customer.orders_count == 0,
            Customer.bookings_count == 0,
        )
        gone = set(session.scalars(deletable))
        if gone:
            photos = session.scalars(
                select(Customer.photo_key).where(
                    Customer.id.in_(gone), Customer.photo_key.is_not(None)
                )
            )
            files = session.scalars(
                select(NoteFile.key).where(
                    NoteFile.store_id == store_id, NoteFile.customer_id.in_(gone)
                )
            )
            delete_after_commit(session, state.pm, store_id, [*photos, *files])
            session.execute(delete(Customer).where(Customer.id.in_(gone)))
            deleted = sorted(gone)
            after_commit(session, lambda: announce_deleted(state, store_id, deleted))
        existing = set(
            session.scalars(select(Customer.id).where(Customer.id.in_(set(created) - gone)))
        )
        kept = len(existing)
    fields = None
    restored = []
    for change in changes:
        if change.action == "created":  # deleted above, or kept whole (orders or bookings)
            continue
        restored.append(change.customer_id)
        values: dict[str, Any] = {}
        for name, old in change.previous.items():
            if name.startswith("field:"):
                fields = fields if fields is not None else definitions_by_key(session, store_id)
                _restore_field(session, store_id, change.customer_id, fields.get(name[6:]), old)
            else:
                values[name] = _typed(name, old)
        if values:
            if "name" in values:
                values["search_name"] = search_key(values["name"])
            values["updated_at"] = utcnow()
            session.execute(
                update(Customer)
                .where(Customer.id == change.customer_id, Customer.store_id == store_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if "marketing_consent" in values:
                _consent_event(session, store_id, change.customer_id, values["marketing_consent"])
        if change.added_tags:
            session.execute(
                delete(CustomerTag).where(
                    CustomerTag.customer_id == change.customer_id,
                    CustomerTag.tag_id.in_([uuid.UUID(t) for t in change.added_tags]),
                )
            )
        if change.added_source:
            session.execute(
                delete(CustomerSource).where(
                    CustomerSource.customer_id == change.customer_id,
                    CustomerSource.source == SOURCE,
                )
            )
    session.execute(
        delete(ImportChange).where(
            ImportChange.batch_id == changes[0].batch_id,
            ImportChange.customer_id.in_([c.customer_id for c in changes]),
        )
    )
    if restored:
        from ..groups import reevaluate_customers

        reevaluate_customers(session, state, store_id, restored)
    return kept


def _typed(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name in _DATE_COLUMNS:
        return dt.date.fromisoformat(value)
    if name in _DATETIME_COLUMNS:
        return dt.datetime.fromisoformat(value)
    return value


def _restore_field(
    session: Session, store_id: str, customer_id: uuid.UUID, definition: Any, old: str | None
) -> None:
    if definition is None:  # the field was deleted since
        return
    session.execute(
        delete(FieldValue).where(
            FieldValue.customer_id == customer_id, FieldValue.field_id == definition.id
        )
    )
    if old is not None:
        session.execute(
            insert(session, FieldValue.__table__).values(
                customer_id=customer_id, field_id=definition.id, store_id=store_id, value=old
            )
        )


def _consent_event(session: Session, store_id: str, customer_id: uuid.UUID, status: str) -> None:
    session.execute(
        insert(session, ConsentEvent.__table__).values(
            id=new_id(),
            store_id=store_id,
            customer_id=customer_id,
            channel="marketing",
            status=status,
            source="import_undo",
            actor=None,
            occurred_at=utcnow(),
        )
    )
