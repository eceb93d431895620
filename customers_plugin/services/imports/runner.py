"""Running an import batch: a validation pass (every row checked, duplicates found through the
batch's key table, the total counted), then, unless the file is refused, the writing pass in
chunks of ``CUSTOMERS_IMPORT_CHUNK_ROWS`` rows, each committed together with its checkpoint
(the last line done) and the batch's counters.

A retry (a worker killed mid-import) re-validates (idempotent: keys and errors are inserted
with ON CONFLICT DO NOTHING) and resumes after the checkpoint, so no row is written twice.
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

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, object_session

from ...db import after_commit, insert, one_of
from ...i18n import _
from ...models import (
    Customer,
    CustomerSource,
    CustomerTag,
    ImportBatch,
    ImportChange,
    ImportKey,
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
from .writer import UNCHANGED, ChunkResult, WriteOptions, write_chunk

if TYPE_CHECKING:
    from ...state import CustomersState

log = logging.getLogger(__name__)

Progress = Callable[[dict[str, Any]], None]
FINAL = ("done", "rejected", "failed", "undone", "undoing")
RUNNING = ("queued", "validating", "importing")


ANALYZE_AFTER_ROWS = 50_000
ANALYZED = (Customer.__table__, CustomerSource.__table__, CustomerTag.__table__)


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

    # reject-file must see every row before writing one: a validation pass, then the writing
    # pass. skip-bad-rows validates each chunk as it writes it (rows are counted first, cheaply,
    # for the progress total).
    validate_first = options.get("policy", "reject-file") == "reject-file"
    try:
        _set(state, batch_id, status="validating", started_at=utcnow())
        if validate_first:
            _total, bad = _validate(state, batch_id, csv_file, parse, chunk, workers, report)
            if bad and _nothing_written(state, batch_id):
                return _finish(
                    state,
                    batch_id,
                    "rejected",
                    f"{bad} row(s) have problems; nothing was imported (see the report)",
                )
        else:
            _set(state, batch_id, total_rows=sum(1 for _row in csv_file.rows()))
        _set(state, batch_id, status="importing")
        _write(
            state,
            batch_id,
            store_id,
            options,
            csv_file,
            parse,
            chunk,
            workers,
            report,
            validate_first,
        )
    except FileProblem as exc:
        return _finish(state, batch_id, "failed", str(exc))
    except Superseded:
        log.warning("import %s: another run or the stall sweep took the batch over", batch_id)
        with db.session() as session:
            return summary(session.get(ImportBatch, batch_id))
    message = _("dry run: nothing was written") if options.get("dry_run") else None
    finished = _finish(state, batch_id, "done", message)
    if not options.get("dry_run") and finished.get("created", 0) >= ANALYZE_AFTER_ROWS:
        _analyze(state)
    return finished


def _analyze(state: CustomersState) -> None:
    """Refresh PostgreSQL's statistics after a large import, before autovacuum gets to it: a
    list or an export right after a million new rows would otherwise be planned on the
    table's old size."""
    if state.db.dialect != "postgresql":
        return
    with state.db.engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        for table in ANALYZED:
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
) -> Generator[tuple[int, int, list[ParsedRow]], None, None]:
    """(last line, row count, parsed rows) of each chunk, parsed ahead by the workers if any
    (closing this generator stops them)."""
    with closing(parsed_chunks(_chunks(rows, chunk), parse, workers)) as blocks:
        for parsed in blocks:
            yield parsed[-1].line, len(parsed), parsed


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
    stager = staging.Stager(csv_file.path)
    try:
        chunks = _parsed(csv_file.rows(), parse, chunk, workers)
        with closing(chunks):
            for _last, _size, parsed in chunks:
                total += len(parsed)
                with state.db.transaction() as session:
                    _mark_duplicates(session, batch_id, parsed)
                    errors = [(p.line, c, r) for p in parsed for c, r in p.errors]
                    _record_errors(session, batch_id, errors)
                    session.execute(
                        update(ImportBatch)
                        .where(ImportBatch.id == batch_id)
                        .values(total_rows=total)
                    )
                stager.add(parsed)
                report({"status": "validating", "total_rows": total, "rows_done": 0})
    except BaseException:
        stager.abandon()
        raise
    stager.complete()
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
    return total, bad


def _mark_duplicates(session: Session, batch_id: uuid.UUID, rows: Sequence[ParsedRow]) -> None:
    """Give every row repeating an email or phone of an earlier row a duplicate error."""
    first: dict[str, int] = {}
    for row in rows:
        if not row.errors:
            for _column, key in row.keys:
                first.setdefault(key, row.line)
    if not first:
        return
    known = dict(
        session.execute(
            select(ImportKey.key, ImportKey.line).where(
                ImportKey.batch_id == batch_id, one_of(session, ImportKey.key, list(first))
            )
        ).all()
    )
    # one run per batch at a time (deterministic job id), and a chunk commits whole: the keys
    # not found are new
    insert_rows(
        session,
        ImportKey.__table__,
        [{"batch_id": batch_id, "key": k, "line": n} for k, n in first.items() if k not in known],
    )
    known = {**first, **known}
    for row in rows:
        if row.errors:
            continue
        for column, key in row.keys:
            if known.get(key, row.line) < row.line:
                row.errors.append((column, f"duplicate of line {known[key]}"))


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
    csv_file: CsvFile,
    parse: Callable[[Row], ParsedRow],
    chunk: int,
    workers: int,
    report: Progress,
    validated: bool,
) -> None:
    """The writing pass, from the checkpoint on. ``validated``: the validation pass has run
    (bad lines are in the report already); otherwise each chunk is validated here."""
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
    if validated:  # the rows that passed, as the validation pass staged them
        chunks: Generator[tuple[int, int, Any], None, None] = (
            (c.last_line, c.size, c.rows) for c in staging.read_chunks(csv_file.path, checkpoint)
        )
    else:
        remaining = (row for row in csv_file.rows() if row.line > checkpoint)
        chunks = _parsed(remaining, parse, chunk, workers)
    committed = checkpoint  # where this run's next chunk must find the batch
    with closing(chunks):
        for last, size, rows in chunks:
            with state.db.transaction() as session:
                if validated:
                    good, found_bad = rows, 0
                else:
                    good = rows
                    _mark_duplicates(session, batch_id, good)
                    errors = [(p.line, c, r) for p in good for c, r in p.errors]
                    _record_errors(session, batch_id, errors)
                    found_bad = len({line for line, _c, _r in errors})
                good = [row for row in good if not row.errors]
                with session.begin_nested() as savepoint:
                    result = write_chunk(session, write_options, good)
                    if dry_run:
                        savepoint.rollback()
                # after the savepoint: SQLAlchemy's after_commit also fires when a SAVEPOINT is
                # released, which would run the session's outbox before the real commit
                if not dry_run:
                    _after_write(state, session, store_id, result)
                insert_rows(session, ImportChange.__table__, result.unchanged)
                _record_errors(session, batch_id, result.errors)
                new_bad = found_bad + len({line for line, _c, _r in result.errors})
                moved = session.execute(
                    update(ImportBatch)
                    .where(
                        ImportBatch.id == batch_id,
                        ImportBatch.status == "importing",
                        ImportBatch.checkpoint_line == committed,
                    )
                    .values(
                        checkpoint_line=last,
                        rows_done=ImportBatch.rows_done + size,
                        created_count=ImportBatch.created_count + len(result.created),
                        updated_count=ImportBatch.updated_count + len(result.updated),
                        skipped_count=ImportBatch.skipped_count + result.skipped,
                        error_count=ImportBatch.error_count + new_bad,
                    )
                    .execution_options(synchronize_session=False)
                ).rowcount
                if not moved:  # rolls the chunk back
                    raise Superseded(str(batch_id))
            committed = last
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
            session.execute(delete(ImportKey).where(ImportKey.batch_id == batch_id))
    if ended:  # else the stall sweep ended it first (failed, resumable): file and keys stay
        _drop_file(state, batch_id, status)
    with state.db.session() as session:
        return summary(session.get(ImportBatch, batch_id))


def _drop_file(state: CustomersState, batch_id: uuid.UUID, status: str) -> None:
    """The uploaded file is not kept once the batch has ended (undo uses the undo record)."""
    path: Path = file_path(state, batch_id)
    try:
        path.unlink(missing_ok=True)
        staging.remove(path)
    except OSError:
        log.warning("could not remove the file of import %s (%s)", batch_id, status)


def unchanged_counts(session: Session, batch_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many rows of each batch matched a customer and changed nothing (their undo records
    say ``unchanged``), in one query."""
    if not batch_ids:
        return {}
    return dict(
        session.execute(
            select(ImportChange.batch_id, func.count())
            .where(ImportChange.batch_id.in_(batch_ids), ImportChange.action == UNCHANGED)
            .group_by(ImportChange.batch_id)
        ).all()
    )


def summary(batch: ImportBatch, unchanged: int | None = None) -> dict[str, Any]:
    """The progress and outcome of a batch, as shown by the API, the CLI and RQ job meta.

    ``unchanged`` is counted from the batch's session unless given (see ``unchanged_counts``).
    """
    if unchanged is None:
        session = object_session(batch)
        unchanged = unchanged_counts(session, [batch.id]).get(batch.id, 0) if session else 0
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
        "unchanged": unchanged,
        "skipped": batch.skipped_count,
        "errors": batch.error_count,
        "created_at": batch.created_at,
        "started_at": batch.started_at,
        "finished_at": batch.finished_at,
        "undone_at": batch.undone_at,
    }
