"""Starting an import (from an uploaded file or pasted emails), reading its progress and its
row report, and the template of accepted columns. Everything is scoped by store.

A batch is created only once its header is accepted (unknown or missing columns are refused
with their names, nothing written); the run itself is the ``run_import`` job.

A run that cannot finish (its job failed on its last attempt, or its worker died and the batch
stopped moving for ``CUSTOMERS_IMPORT_STALL_MINUTES``) leaves the batch ``failed`` with what
its committed chunks wrote, its file and its duplicate keys, so ``resume_import`` can go on
after the checkpoint (or undo can reverse it).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ...bounds import text_problem
from ...i18n import _
from ...models import ImportBatch, ImportRowError
from ...types import utcnow
from .. import settings
from ..errors import Conflict, Invalid, NotFound, invalid
from .columns import EXAMPLE, FIELD_PREFIX, map_header, template_columns
from .decoding import CsvFile, FileProblem
from .runner import summary
from .storage import custom_fields_of, file_path, save_upload

if TYPE_CHECKING:
    from ...state import CustomersState

log = logging.getLogger(__name__)

ON_EXISTING = ("skip", "update")
POLICIES = ("reject-file", "skip-bad-rows")
_EMAIL_SPLIT = re.compile(r"[,;\s]+")
MAX_TAGS = 20


@dataclass(frozen=True, slots=True)
class ImportOptions:
    subscribe: bool | None = None  # None: the store's import_subscribe setting
    tags: Sequence[str] = field(default_factory=tuple)
    on_existing: str = "skip"
    policy: str = "reject-file"
    dry_run: bool = False

    def checked(self) -> dict[str, Any]:
        if self.on_existing not in ON_EXISTING:
            raise invalid("on_existing", _("must be skip or update"))
        if self.policy not in POLICIES:
            raise invalid("policy", _("must be reject-file or skip-bad-rows"))
        tags = [" ".join(t.split())[:100] for t in self.tags if t and t.strip()]
        if len(tags) > MAX_TAGS:
            raise invalid("tags", _("at most {n} tags", n=MAX_TAGS))
        return {
            "subscribe": bool(self.subscribe),
            "tags": list(dict.fromkeys(tags)),
            "on_existing": self.on_existing,
            "policy": self.policy,
            "dry_run": bool(self.dry_run),
        }


def start_import(
    state: CustomersState,
    store_id: str,
    options: ImportOptions,
    *,
    upload: BinaryIO | None = None,
    filename: str | None = None,
    emails: str | None = None,
    actor: str | None = None,
    enqueue: bool = True,
) -> dict[str, Any]:
    """Store the file, check its header and create the batch; queue ``run_import`` after
    commit unless ``enqueue`` is false (the CLI runs the batch itself).

    :raises TooLarge: past ``CUSTOMERS_IMPORT_MAX_BYTES`` (nothing parsed).
    :raises Invalid: bad options, an unreadable file, unknown or missing columns.
    """
    if options.subscribe is None:
        default = settings.effective(store_id, "import_subscribe", state=state)
        options = dataclasses.replace(options, subscribe=bool(default))
    checked = options.checked()
    problem = text_problem(filename) if filename else None
    if problem is not None:
        raise invalid("file", _("the file name {problem}", problem=problem))
    if (upload is None) == (emails is None):
        raise Invalid(_("send either a CSV file or pasted email addresses"))
    max_bytes = int(state.setting("CUSTOMERS_IMPORT_MAX_BYTES"))
    batch_id = uuid.uuid4()
    path = file_path(state, batch_id)
    kind = "csv"
    if emails is not None:
        kind, filename = "emails", None
        upload = io.BytesIO(_emails_csv(emails))
    save_upload(upload, path, max_bytes)
    try:
        csv_file = CsvFile(path)
        with state.db.session() as session:
            map_header(csv_file.header(), custom_fields_of(session, store_id))
        with state.db.transaction() as session:
            batch = ImportBatch(
                id=batch_id,
                store_id=store_id,
                kind=kind,
                filename=(filename or "")[:255] or None,
                options=checked,
                actor=actor,
                status="queued",
            )
            session.add(batch)
            session.flush()
            if enqueue:
                state.jobs.enqueue_after_commit(
                    session,
                    "run_import",
                    str(batch_id),
                    job_id=f"import-{batch_id}",
                    store_id=store_id,
                )
            result = summary(batch)
    except FileProblem as exc:
        path.unlink(missing_ok=True)
        raise invalid("file", str(exc)) from None
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return result


def _emails_csv(text: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["email"])
    addresses = [a for a in _EMAIL_SPLIT.split(text) if a]
    if not addresses:
        raise invalid("emails", _("no email address found"))
    for address in addresses:
        writer.writerow([address])
    return out.getvalue().encode("utf-8")


# -- runs that cannot finish -------------------------------------------------------------------

_ACTIVE = ("validating", "importing")


def fail_batch(
    state: CustomersState,
    batch_id: uuid.UUID | str,
    reason: str,
    *,
    stalled_before: dt.datetime | None = None,
) -> bool:
    """Mark a running batch ``failed`` with ``reason`` (which must name no personal data) and
    how far it got. What its committed chunks wrote stays, and so do its file and duplicate
    keys: the batch can be resumed or undone. With ``stalled_before``, only if the batch has
    not moved since then. Returns whether this call ended it."""
    batch_id = uuid.UUID(str(batch_id))
    with state.db.transaction() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            return False
        where = {"reason": reason, "done": batch.rows_done, "line": batch.checkpoint_line}
        message = (
            _(
                "{reason}. {done} of {total} rows were imported (up to line {line} of the "
                "file); nothing after that was written. Resume the import to go on from "
                "there, or undo it.",
                total=batch.total_rows,
                **where,
            )
            if batch.total_rows
            else _(
                "{reason}. {done} rows were imported (up to line {line} of the file); nothing "
                "after that was written. Resume the import to go on from there, or undo it.",
                **where,
            )
        )
        query = update(ImportBatch).where(
            ImportBatch.id == batch_id, ImportBatch.status.in_(("queued", *_ACTIVE))
        )
        if stalled_before is not None:
            query = query.where(ImportBatch.status.in_(_ACTIVE), _last_moved() < stalled_before)
        ended = session.execute(
            query.values(status="failed", message=message, finished_at=utcnow()).execution_options(
                synchronize_session=False
            )
        ).rowcount
    if ended:
        log.warning("import %s failed: %s", batch_id, reason)
    return bool(ended)


def _last_moved() -> Any:
    return func.coalesce(ImportBatch.updated_at, ImportBatch.started_at, ImportBatch.created_at)


def sweep_stalled_imports(state: CustomersState, now: dt.datetime | None = None) -> list[uuid.UUID]:
    """Mark ``failed`` every validating or importing batch that has not moved for
    ``CUSTOMERS_IMPORT_STALL_MINUTES`` (its worker died); returns their ids."""
    minutes = state.setting("CUSTOMERS_IMPORT_STALL_MINUTES")
    if minutes is None:
        return []
    cutoff = (now or utcnow()) - dt.timedelta(minutes=float(minutes))
    with state.db.session() as session:
        stalled = list(
            session.scalars(
                select(ImportBatch.id).where(
                    ImportBatch.status.in_(_ACTIVE), _last_moved() < cutoff
                )
            )
        )
    reason = _(
        "the import made no progress for {minutes} minutes (its worker stopped)", minutes=minutes
    )
    return [b for b in stalled if fail_batch(state, b, reason, stalled_before=cutoff)]


def resume_import(state: CustomersState, store_id: str, batch_id: uuid.UUID) -> dict[str, Any]:
    """Queue a failed batch again: it re-validates (idempotent) and writes from its checkpoint,
    so no row is written twice.

    :raises NotFound: no such import in this store.
    :raises Conflict: the import has not failed, or its file is gone (start a new import).
    """
    with state.db.transaction() as session:
        batch = get_batch(session, store_id, batch_id)
        if batch.status != "failed":
            raise Conflict(
                _("an import in status '{status}' cannot be resumed", status=batch.status)
            )
        if not file_path(state, batch_id).exists():
            raise Conflict(_("the file of this import is gone: start a new import"))
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id, ImportBatch.status == "failed")
            .values(status="queued", message=None, finished_at=None)
            .execution_options(synchronize_session=False)
        )
        # a new job id: the failed job's id stays taken in RQ until its record expires
        state.jobs.enqueue_after_commit(
            session,
            "run_import",
            str(batch_id),
            job_id=f"import-{batch_id}-resume-{uuid.uuid4().hex[:8]}",
            store_id=store_id,
        )
        session.refresh(batch)
        return summary(batch)


def get_batch(session: Session, store_id: str, batch_id: uuid.UUID) -> ImportBatch:
    batch = session.scalar(
        select(ImportBatch).where(ImportBatch.id == batch_id, ImportBatch.store_id == store_id)
    )
    if batch is None:
        raise NotFound(_("no such import"))
    return batch


def batch_summary(session: Session, store_id: str, batch_id: uuid.UUID) -> dict[str, Any]:
    return summary(get_batch(session, store_id, batch_id))


def list_batches(session: Session, store_id: str, limit: int = 50) -> list[dict[str, Any]]:
    rows = list(
        session.scalars(
            select(ImportBatch)
            .where(ImportBatch.store_id == store_id)
            .order_by(ImportBatch.created_at.desc(), ImportBatch.id.desc())
            .limit(limit)
        )
    )
    return [summary(b) for b in rows]


def report_rows(
    session: Session, store_id: str, batch_id: uuid.UUID, *, page: int = 5000
) -> Iterator[tuple[int, str, str]]:
    """The row report of a batch, by line then column, read in pages."""
    get_batch(session, store_id, batch_id)
    last: tuple[int, str] = (0, "")
    while True:
        rows = session.execute(
            select(ImportRowError.line, ImportRowError.column, ImportRowError.reason)
            .where(
                ImportRowError.batch_id == batch_id,
                (ImportRowError.line > last[0])
                | ((ImportRowError.line == last[0]) & (ImportRowError.column > last[1])),
            )
            .order_by(ImportRowError.line, ImportRowError.column)
            .limit(page)
        ).all()
        if not rows:
            return
        yield from ((line, column, reason) for line, column, reason in rows)
        last = (rows[-1][0], rows[-1][1])


def report_csv(
    session: Session,
    store_id: str,
    batch_id: uuid.UUID,
    *,
    reason: Callable[[str], str] = str,
) -> Iterator[str]:
    """The row report as CSV text (UTF-8 BOM first): line, column, reason (each reason
    passed through ``reason``, e.g. a translation)."""
    rows = report_rows(session, store_id, batch_id)
    yield "\ufeff"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["line", "column", "reason"])
    for count, (line, column, text) in enumerate(rows, 1):
        writer.writerow((line, column, reason(text)))
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def template_csv(session: Session, store_id: str) -> str:
    """The accepted columns (with the store's custom fields) and one example row."""
    columns = template_columns(custom_fields_of(session, store_id))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerow([EXAMPLE.get(c, "") if not c.startswith(FIELD_PREFIX) else "" for c in columns])
    return "\ufeff" + buffer.getvalue()
