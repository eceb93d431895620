"""Running an import batch: a validation pass (every row checked and staged, duplicates found
through the staged rows' keys: ``staging``, the total counted), then, unless the file is
refused, the writing pass over the staged rows in chunks of ``CUSTOMERS_IMPORT_CHUNK_ROWS``
rows, each committed together with its checkpoint (the last line done) and the batch's
counters.

A retry (a worker killed mid-import) re-validates (the rows staged anew, errors inserted with
ON CONFLICT DO NOTHING) and resumes after the checkpoint, so no row is written twice.
Each chunk commits only if the batch is still ``importing`` at the checkpoint this run started
the chunk from: a run whose batch was meanwhile marked failed (its worker looked dead) or taken
over by a resumed run rolls its chunk back and stops (``Superseded``).
A dry run writes each chunk inside a savepoint that is rolled back: the counts are real,
the customers untouched.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import closing
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from ...db import after_commit, insert
from ...i18n import _
from ...models import (
    Customer,
    CustomerSource,
    CustomerTag,
    ImportBatch,
    ImportChange,
    ImportRow,
    ImportRowError,
)
from ...types import utcnow
from .. import settings
from ..errors import Invalid
from ..fields import FieldTypes
from . import staging
from .announce import announce_changes
from .bulk import insert_rows
from .columns import map_header
from .decoding import CsvFile, FileProblem, Row
from .parallel import parsed_chunks
from .rows import ParsedRow, parse_row
from .storage import custom_fields_of, file_path
from .writer import ChunkResult, WriteOptions, write_chunk

if TYPE_CHECKING:
    from ...state import CustomersState

log = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]
FINAL = ("done", "rejected", "failed", "undone", "undoing")
RUNNING = ("queued", "validating", "importing")


ANALYZE_AFTER_ROWS = 50_000
ANALYZED = (Customer.__table__, CustomerSource.__table__, CustomerTag.__table__)
# while writing, the customer tables are analyzed once this many customers are created, then
# each time the number created doubles (see _write)
ANALYZE_GROWN_BY = 5_000


class Superseded(Exception):
    """The batch is no longer this run's: marked failed, or resumed by another run."""


def run_batch(
    state: CustomersState, batch_id: uuid.UUID | str, progress: Progress | None = None
) -> dict[str, Any]:
    """Run (or resume) an import batch; returns its progress summary."""
    batch_id = uuid.UUID(str(batch_id))
    db = state.db
    with db.session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None:
            return {"status": "missing"}
        if batch.status in FINAL:
            return summary(batch)
        store_id, options = batch.store_id, dict(batch.options)
    types = FieldTypes.collect(state.pm)
    report = progress or (lambda _s: None)
    try:
        csv_file = CsvFile(file_path(state, batch_id))
        with db.session() as session:
            columns = map_header(csv_file.header(), custom_fields_of(session, store_id))
    except (FileProblem, Invalid, FileNotFoundError) as exc:
        message = exc.message if isinstance(exc, Invalid) else str(exc)
        status = "rejected" if isinstance(exc, Invalid) else "failed"
        return _finish(state, batch_id, status, message)
    chunk = int(state.setting("CUSTOMERS_IMPORT_CHUNK_ROWS"))
    workers = _workers(state, csv_file)
    region = settings.effective(store_id, "default_region", state=state)

    def parse(row: Row) -> ParsedRow:
        return parse_row(row, columns, types, region)

    # every row is validated (and staged) before the first is written: reject-file refuses a
    # file with any bad row, skip-bad-rows writes the good ones
    reject_bad = options.get("policy", "reject-file") == "reject-file"
    try:
        _set(state, batch_id, status="validating", started_at=utcnow())
        _total, bad = _validate(state, batch_id, csv_file, parse, chunk, workers, report)
        if bad and reject_bad and _nothing_written(state, batch_id):
            return _finish(
                state,
                batch_id,
                "rejected",
                f"{bad} row(s) have problems; nothing was imported (see the report)",
            )
        _set(state, batch_id, status="importing")
        _write(state, batch_id, store_id, options, chunk, report)
    except FileProblem as exc:
        return _finish(state, batch_id, "failed", str(exc))
    except Superseded:
        log.warning("import %s: another run or the stall sweep took the batch over", batch_id)
        with db.session() as session:
            return summary(session.get(ImportBatch, batch_id))
    message = _("dry run: nothing was written") if options.get("dry_run") else None
    finished = _finish(state, batch_id, "done", message)
    if not options.get("dry_run") and finished.get("created", 0) >= ANALYZE_AFTER_ROWS:
        _analyze(state, ANALYZED)
    return finished


def _analyze(state: CustomersState, tables: Sequence[Table]) -> None:
    """Refresh PostgreSQL's statistics of ``tables`` before autovacuum gets to them: after a
    large import (a list or an export right after a million new rows would otherwise be
    planned on the table's old size), and of the staged rows after validation (grown from
    nothing within minutes, read by the writing pass)."""
    if state.db.dialect != "postgresql":
        return
    with state.db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in tables:
            connection.exec_driver_sql(f"ANALYZE {table.name}")


def _workers(state: CustomersState, csv_file: CsvFile) -> int:
    """How many processes validate the file: the configured pool for a large file, else
    the job's own process (starting workers costs more than a small file's validation)."""
    threshold = state.setting("CUSTOMERS_IMPORT_PARALLEL_BYTES")
    if threshold is None or csv_file.path.stat().st_size < int(threshold):
        return 1
    return int(state.setting("CUSTOMERS_IMPORT_WORKERS"))


def _nothing_written(state: CustomersState, batch_id: uuid.UUID) -> bool:
    with state.db.session() as session:
        return (
            session.scalar(select(ImportBatch.checkpoint_line).where(ImportBatch.id == batch_id))
            == 1
        )


def _chunks(rows: Iterator[Row], size: int) -> Iterator[list[Row]]:
    while True:
        block = list(islice(rows, size))
        if not block:
            return
        yield block


def _parsed(
    rows: Iterator[Row], parse: Callable[[Row], ParsedRow], chunk: int, workers: int
) -> Generator[list[ParsedRow], None, None]:
    """The parsed rows of each chunk, parsed ahead by the workers if any (closing this
    generator stops them)."""
    with closing(parsed_chunks(_chunks(rows, chunk), parse, workers)) as blocks:
        yield from blocks


def _validate(
    state: CustomersState,
    batch_id: uuid.UUID,
    csv_file: CsvFile,
    parse: Callable[[Row], ParsedRow],
    chunk: int,
    workers: int,
    report: Progress,
) -> tuple[int, int]:
    total = 0
    with state.db.transaction() as session:
        staging.clear(session, batch_id)  # a retried run validates anew
    chunks = _parsed(csv_file.rows(), parse, chunk, workers)
    with closing(chunks):
        for parsed in chunks:
            total += len(parsed)
            with state.db.transaction() as session:
                staging.mark_duplicates(session, batch_id, parsed)
                errors = [(p.line, c, r) for p in parsed for c, r in p.errors]
                _record_errors(session, batch_id, errors)
                staging.stage(session, batch_id, parsed)
                session.execute(
                    update(ImportBatch).where(ImportBatch.id == batch_id).values(total_rows=total)
                )
            report({"status": "validating", "total_rows": total, "rows_done": 0})
    with state.db.transaction() as session:
        bad = session.scalar(
            select(func.count(func.distinct(ImportRowError.line))).where(
                ImportRowError.batch_id == batch_id
            )
        )
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(total_rows=total, error_count=bad)
        )
    _analyze(state, (ImportRow.__table__,))
    return total, bad


def _record_errors(
    session: Session, batch_id: uuid.UUID, errors: list[tuple[int, str, str]]
) -> None:
    if errors:
        session.execute(
            insert(session, ImportRowError.__table__).on_conflict_do_nothing(),
            [
                {"batch_id": batch_id, "line": line, "column": column, "reason": reason[:300]}
                for line, column, reason in errors
            ],
        )


def _write(
    state: CustomersState,
    batch_id: uuid.UUID,
    store_id: str,
    options: dict[str, Any],
    chunk: int,
    report: Progress,
) -> None:
    """The writing pass over the staged rows, from the checkpoint on."""
    with state.db.session() as session:
        batch = session.get(ImportBatch, batch_id)
        checkpoint = batch.checkpoint_line
        actor = batch.actor
    write_options = WriteOptions(
        store_id=store_id,
        batch_id=batch_id,
        actor=actor,
        subscribe=bool(options.get("subscribe")),
        tags=tuple(options.get("tags") or ()),
        update_existing=options.get("on_existing") == "update",
    )
    dry_run = bool(options.get("dry_run"))
    committed = checkpoint  # where this run's next chunk must find the batch
    created, analyze_at = 0, ANALYZE_GROWN_BY
    while True:
        with state.db.transaction() as session:
            staged = staging.next_chunk(session, batch_id, committed, chunk)
            if staged is None:
                return
            with session.begin_nested() as savepoint:
                result = write_chunk(session, write_options, staged)
                if dry_run:
                    savepoint.rollback()
            # after the savepoint: SQLAlchemy's after_commit also fires when a SAVEPOINT is
            # released, which would run the session's outbox before the real commit
            if not dry_run:
                _after_write(state, session, store_id, result)
            insert_rows(session, ImportChange.__table__, result.unchanged)
            _record_errors(session, batch_id, result.errors)
            staging.remove_chunk(session, batch_id, staged)
            moved = session.execute(
                update(ImportBatch)
                .where(
                    ImportBatch.id == batch_id,
                    ImportBatch.status == "importing",
                    ImportBatch.checkpoint_line == committed,
                )
                .values(
                    checkpoint_line=staged.last_line,
                    rows_done=ImportBatch.rows_done + staged.size,
                    created_count=ImportBatch.created_count + len(result.created),
                    updated_count=ImportBatch.updated_count + len(result.updated),
                    unchanged_count=ImportBatch.unchanged_count + len(result.unchanged),
                    skipped_count=ImportBatch.skipped_count + result.skipped,
                    error_count=ImportBatch.error_count
                    + len({line for line, _c, _r in result.errors}),
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if not moved:  # rolls the chunk back
                raise Superseded(str(batch_id))
        committed = staged.last_line
        created += len(result.created)
        if not dry_run and created >= analyze_at:
            # Plans made while the store was nearly empty (the foreign-key checks of every
            # row's source, tags and consent event among them) read the customers by a
            # sequential scan, which costs more with every chunk: fresh statistics replace
            # them (ANALYZE invalidates the plans of the tables it analyzes).
            _analyze(state, ANALYZED)
            analyze_at = 2 * created
        with state.db.session() as session:
            report(summary(session.get(ImportBatch, batch_id)))


def _after_write(
    state: CustomersState, session: Session, store_id: str, result: ChunkResult
) -> None:
    """Group memberships of the chunk's customers (one set-based call) and notifications."""
    created, changes = list(result.created), dict(result.changes)
    ids = [*created, *changes]
    if not ids:
        return
    try:
        from ..groups import reevaluate_customers
    except ImportError:  # pragma: no cover - groups are part of the package
        reevaluate_customers = None
    if reevaluate_customers is not None:
        reevaluate_customers(session, state, store_id, ids)
    after_commit(session, lambda: announce_changes(state, created, changes))


def _set(state: CustomersState, batch_id: uuid.UUID, **values: Any) -> None:
    with state.db.transaction() as session:
        session.execute(update(ImportBatch).where(ImportBatch.id == batch_id).values(**values))


def _finish(
    state: CustomersState, batch_id: uuid.UUID, status: str, message: str | None
) -> dict[str, Any]:
    with state.db.transaction() as session:
        ended = session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id, ImportBatch.status.in_(RUNNING))
            .values(status=status, message=message, finished_at=utcnow())
            .execution_options(synchronize_session=False)
        ).rowcount
        if ended:
            staging.clear(session, batch_id)
    if ended:  # else the stall sweep ended it first (failed, resumable): file and keys stay
        _drop_file(state, batch_id, status)
    with state.db.session() as session:
        return summary(session.get(ImportBatch, batch_id))


def _drop_file(state: CustomersState, batch_id: uuid.UUID, status: str) -> None:
    """The uploaded file is not kept once the batch has ended (undo uses the undo record)."""
    path: Path = file_path(state, batch_id)
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.warning("could not remove the file of import %s (%s)", batch_id, status)


def summary(batch: ImportBatch) -> dict[str, Any]:
    """The progress and outcome of a batch, as shown by the API, the CLI and RQ job meta."""
    return {
        "id": str(batch.id),
        "status": batch.status,
        "message": batch.message,
        "filename": batch.filename,
        "dry_run": bool(batch.options.get("dry_run")),
        "options": dict(batch.options),
        "total_rows": batch.total_rows,
        "rows_done": batch.rows_done,
        "created": batch.created_count,
        "updated": batch.updated_count,
        "unchanged": batch.unchanged_count,
        "skipped": batch.skipped_count,
        "errors": batch.error_count,
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
        "undone_at": batch.undone_at,
    }
