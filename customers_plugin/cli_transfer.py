"""``flask customers import FILE`` and ``flask customers export FILE``: the same services as
the API, run in this process with a progress bar and a summary; exit status 1 on failure."""

from __future__ import annotations

import csv
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import click

from .cli import customers_cli
from .models import STATUSES
from .services import exports
from .services.errors import ServiceError
from .services.imports import ImportOptions, fail_batch, report_rows, run_batch, start_import
from .services.imports.jobs import failure_reason
from .services.listing import Filters
from .state import get_state


@customers_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate and count; write nothing.")
@click.option("--subscribe", is_flag=True, help="Subscribe every imported customer to marketing.")
@click.option("--tag", "tags", multiple=True, help="Tag every imported customer (repeatable).")
@click.option("--store", "store_id", default=None, help="Store id (default: the default store).")
@click.option(
    "--on-existing", type=click.Choice(["skip", "update"]), default="skip", show_default=True
)
@click.option(
    "--policy",
    type=click.Choice(["reject-file", "skip-bad-rows"]),
    default="reject-file",
    show_default=True,
    help="On a bad row: import nothing, or import the good rows and report the bad.",
)
@click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the row report here."
)
@click.option("--actor", default="cli", show_default=True, help="Who imports (consent log).")
def import_command(
    file: Path,
    dry_run: bool,
    subscribe: bool,
    tags: tuple[str, ...],
    store_id: str | None,
    on_existing: str,
    policy: str,
    report: Path | None,
    actor: str,
) -> None:
    """Import customers from a CSV FILE (docs/features/import-export.md lists the columns)."""
    state = get_state()
    store_id = store_id or state.setting("CUSTOMERS_DEFAULT_STORE")
    options = ImportOptions(
        subscribe=subscribe, tags=tags, on_existing=on_existing, policy=policy, dry_run=dry_run
    )
    try:
        with open(file, "rb") as upload:
            batch = start_import(
                state,
                store_id,
                options,
                upload=upload,
                filename=file.name,
                actor=actor,
                enqueue=False,
            )
    except ServiceError as exc:
        raise click.ClickException(_describe(exc)) from None
    bar = _Bar()
    try:
        result = run_batch(state, batch["id"], bar.update)
    except Exception as exc:  # the batch says so too (resumable), not only this terminal
        fail_batch(state, batch["id"], failure_reason(exc))
        raise
    finally:
        bar.close()
    if report is not None:
        _write_report(state, store_id, batch["id"], report)
    click.echo(
        f"import {result['id']}: {result['status']}{' (dry run)' if dry_run else ''} - "
        f"{result['total_rows'] or 0} rows, {result['created']} created, "
        f"{result['updated']} updated, {result['unchanged']} unchanged, "
        f"{result['skipped']} skipped, {result['errors']} bad"
    )
    if result.get("message"):
        click.echo(result["message"])
    if result["errors"] and report is None:
        click.echo("run again with --report FILE, or GET /imports/{id}/report.csv, for the rows")
    if result["status"] != "done":
        raise SystemExit(1)


class _Bar:
    """A click progress bar that appears once the total is known (after validation)."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._done = 0

    def update(self, info: dict[str, Any]) -> None:
        if info.get("status") != "importing" or not info.get("total_rows"):
            return
        if self._bar is None:
            self._bar = click.progressbar(length=info["total_rows"], label="importing")
            self._bar.__enter__()
        self._bar.update(info["rows_done"] - self._done)
        self._done = info["rows_done"]

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _describe(exc: ServiceError) -> str:
    return exc.message


def _write_report(state: Any, store_id: str, batch_id: str, target: Path) -> None:
    with state.db.session() as session, open(target, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["line", "column", "reason"])
        writer.writerows(report_rows(session, store_id, uuid.UUID(batch_id)))


@customers_cli.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", "store_id", default=None, help="Store id (default: the default store).")
@click.option("--columns", default=None, help="Comma-separated columns (default: all).")
@click.option("--q", default=None, help="Search text (name, email, phone).")
@click.option("--tag", "tags", multiple=True, help="Only customers with this tag (repeatable).")
@click.option(
    "--status", "statuses", multiple=True, type=click.Choice(STATUSES), help="Default: all."
)
@click.option("--source", "sources", multiple=True, help="Only customers from this source.")
@click.option("--country", "countries", multiple=True, help="ISO country code (repeatable).")
@click.option("--id", "ids", multiple=True, help="Only these customer ids (repeatable).")
@click.option("--bookings-from", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--bookings-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
def export_command(
    file: Path,
    store_id: str | None,
    columns: str | None,
    q: str | None,
    tags: tuple[str, ...],
    statuses: tuple[str, ...],
    sources: tuple[str, ...],
    countries: tuple[str, ...],
    ids: tuple[str, ...],
    bookings_from: dt.datetime | None,
    bookings_to: dt.datetime | None,
) -> None:
    """Export customers to a CSV FILE (Excel-safe); with --bookings-from/--bookings-to, the
    booking report (customers who had bookings in that date range)."""
    state = get_state()
    store_id = store_id or state.setting("CUSTOMERS_DEFAULT_STORE")
    try:
        filters = Filters(
            q=q,
            tags=list(tags),
            statuses=list(statuses or STATUSES),
            sources=list(sources),
            countries=list(countries),
            ids=[uuid.UUID(i) for i in ids],
        )
    except ValueError:
        raise click.BadParameter("not a customer id", param_hint="--id") from None
    booking = bookings_from is not None or bookings_to is not None
    request = exports.ExportRequest(
        filters=filters,
        columns=[c.strip() for c in columns.split(",") if c.strip()] if columns else [],
        kind="bookings" if booking else "customers",
        bookings_from=bookings_from.date() if bookings_from else None,
        bookings_to=bookings_to.date() if bookings_to else None,
    )
    with state.db.session() as session:
        try:
            chosen = exports.check_request(session, store_id, request)
        except ServiceError as exc:
            raise click.ClickException(_describe(exc)) from None
        scope = exports.make_scope(state, session, store_id)
        total = exports.count(scope, request)
        written = 0
        with (
            open(file, "wb") as out,
            click.progressbar(length=total, label="exporting") as bar,
        ):
            for piece, customers in exports.csv_pieces(scope, request, chosen):
                out.write(piece)
                written += customers
                bar.update(customers)
    click.echo(f"export: {written} customer(s), {len(chosen)} column(s) written to {file}")
