"""``python -m benchmarks.transfer``: CSV import and export rows per second and peak RSS.

For each size: a fresh database (throwaway PostgreSQL schema or SQLite file), a generated
multilingual CSV (Arabic, Hebrew, Italian names; local and international phones; country
names; tags) written to a temporary folder, then in separate child processes (so each peak RSS
is its own): the import (validation pass + writing pass, as the ``run_import`` job does it)
and the export of every customer with the default columns, each beside its floor on
PostgreSQL: the same CSV's rows COPY'd in unvalidated, the same columns COPY'd out. No data is
kept.

    python -m benchmarks.transfer --backend postgresql --rows 100000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .common import Result, bench_database, make_app, settle, table

FIRST = ["ليلى", "محمد", "נועה", "יוסי", "Giulia", "Marco", "إيمان", "שירה", "Luca", "فاطمة"]
LAST = ["الأحمد", "כהן", "Rossi", "العتيبي", "לוי", "Bianchi", "الحربي", "Esposito"]
COUNTRIES = [("السعودية", "05"), ("ישראל", "05"), ("Italia", "3"), ("SA", "05"), ("IT", "3")]


def write_csv(path: Path, rows: int) -> None:
    rnd = random.Random(42)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        out.write("email,phone,name,country,birthdate,tags,marketing_consent\r\n")
        for i in range(rows):
            country, prefix = COUNTRIES[i % len(COUNTRIES)]
            phone = f"{prefix}{i:08d}" if prefix == "05" else f"+39 3{i:09d}"
            name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
            tags = "vip" if i % 10 == 0 else ""
            out.write(
                f"c{i}@example.com,{phone},{name},{country},{1970 + i % 40}-0{1 + i % 9}-1{i % 9},"
                f"{tags},{'yes' if i % 3 == 0 else ''}\r\n"
            )


def child_import(url: str, folder: str, path: str, policy: str = "reject-file") -> dict:
    from customers_plugin.services import imports

    app = make_app(url, CUSTOMERS_TRANSFER_FOLDER=folder, CUSTOMERS_IMPORT_MAX_BYTES=10**10)
    state = app.extensions["customers"]
    with app.app_context(), state.db.for_jobs():  # as the import job runs it
        start = time.perf_counter()
        with open(path, "rb") as upload:
            batch = imports.start_import(
                state,
                "bench",
                imports.ImportOptions(policy=policy),
                upload=upload,
                enqueue=False,
            )
        result = imports.run_batch(state, batch["id"])
        seconds = time.perf_counter() - start
    assert result["status"] == "done", result
    return {"rows": result["created"], "seconds": seconds, "errors": result["errors"]}


def child_export(url: str, folder: str, path: str, _policy: str = "") -> dict:
    from customers_plugin.services import exports
    from customers_plugin.services.listing import Filters

    app = make_app(url, CUSTOMERS_TRANSFER_FOLDER=folder)
    state = app.extensions["customers"]
    request = exports.ExportRequest(filters=Filters(statuses=["active", "inactive", "blocked"]))
    start = time.perf_counter()
    size = 0
    with open(path, "wb") as out:
        for piece in exports.stream_csv(state, "bench", request):
            size += len(piece)
            out.write(piece)
    seconds = time.perf_counter() - start
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = sum(1 for _ in f) - 1  # names hold no line breaks here
    return {"rows": rows, "seconds": seconds, "bytes": size}


# the floors: the same rows moved by hand-written SQL through psycopg COPY (PostgreSQL only)
_COPY_IN = (
    "COPY customers_customers (id, store_id, email, email_normalized, phone, name, search_name, "
    "country, birthdate, marketing_consent, extra_emails, extra_phones, addresses, "
    "system_notifications, status, joined_at, updated_at, orders_count, total_spent, "
    "cancelled_orders_count, bookings_count, reviews_count, rating_sum, wallet_balance) "
    "FROM STDIN"
)
_TAGS = (
    "(SELECT string_agg(t.name, ', ' ORDER BY t.name) FROM customers_customer_tags ct "
    "JOIN customers_tags t ON t.id = ct.tag_id WHERE ct.customer_id = c.id)"
)
_SOURCES = (
    "(SELECT string_agg(s.source, ', ' ORDER BY s.source) FROM customers_customer_sources s "
    "WHERE s.customer_id = c.id)"
)
_COPY_OUT = (
    "COPY (SELECT c.id, c.email, c.phone, c.name, c.country, c.language, c.gender, c.birthdate, "
    f"c.company, c.position, c.vat_id, {_TAGS}, c.marketing_consent, c.status, c.joined_at, "
    f"c.orders_count, c.total_spent / 1000.0, c.last_order_at, {_SOURCES} "
    "FROM customers_customers c WHERE c.store_id = %s ORDER BY c.id) TO STDOUT "
    "(FORMAT csv, HEADER)"
)


def child_copy_in(url: str, _folder: str, path: str, _policy: str = "") -> dict:
    """Floor of the import: read the same CSV and COPY its rows in (no validation)."""
    import csv
    import datetime as dt
    import uuid

    from .common import raw_connection

    conn = raw_connection(url)
    now = dt.datetime.now(dt.UTC)
    start = time.perf_counter()
    rows = 0
    with open(path, encoding="utf-8-sig", newline="") as f, conn.cursor() as cur:
        reader = csv.DictReader(f)
        with cur.copy(_COPY_IN) as copy:
            for r in reader:
                email = r["email"]
                copy.write_row(
                    (uuid.uuid4(), "floor", email, email.lower(), r["phone"], r["name"],
                     r["name"].lower(), r["country"][:2], r["birthdate"] or None,
                     "subscribed" if r["marketing_consent"] else "not_set", "[]", "[]", "[]",
                     True, "active", now, now, 0, 0, 0, 0, 0, 0, 0)
                )  # fmt: skip
                rows += 1
    seconds = time.perf_counter() - start
    with conn.cursor() as cur:
        cur.execute("DELETE FROM customers_customers WHERE store_id = 'floor'")
    conn.close()
    return {"rows": rows, "seconds": seconds}


def child_copy_out(url: str, _folder: str, path: str, _policy: str = "") -> dict:
    """Floor of the export: one COPY … TO STDOUT of the same columns, written to a file."""
    from .common import raw_connection

    conn = raw_connection(url)
    start = time.perf_counter()
    with open(path, "wb") as out, conn.cursor() as cur, cur.copy(_COPY_OUT, ("bench",)) as copy:
        for block in copy:
            out.write(block)
    seconds = time.perf_counter() - start
    conn.close()
    with open(path, encoding="utf-8", newline="") as f:
        rows = sum(1 for _ in f) - 1
    return {"rows": rows, "seconds": seconds}


PHASES = {
    "import": child_import,
    "export": child_export,
    "copy-in": child_copy_in,
    "copy-out": child_copy_out,
}


def run_child(phase: str, url: str, folder: str, path: str, policy: str) -> dict:
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.transfer", "--child", phase, url, folder, path, policy],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    if child.returncode:
        raise RuntimeError(f"the {phase} child failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ``ru_maxrss`` would not do: Linux carries it over
    ``exec``, so a child would report its parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(backend: str, rows: int, policy: str = "reject-file") -> list[Result]:
    """Import then export ``rows`` customers in a fresh database, each beside its floor."""
    pg = backend == "postgresql"
    with tempfile.TemporaryDirectory() as tmp, bench_database(backend, tmp) as url:
        source = Path(tmp) / "customers.csv"
        write_csv(source, rows)
        folder = os.path.join(tmp, "transfer")
        floor_in = run_child("copy-in", url, folder, str(source), "") if pg else None
        if pg:  # the floor's rows are deleted: the import starts from a vacuumed table, as
            settle(url)  # autovacuum would leave it (it is off on the project's machines)
        work_in = run_child("import", url, folder, str(source), policy)
        settle(url)  # the statistics autovacuum would gather after a million-row import
        exported = str(Path(tmp) / "export.csv")
        work_out = run_child("export", url, folder, exported, "")
        floor_out = run_child("copy-out", url, folder, exported, "") if pg else None
    results = []
    for name, work, floor in (
        (f"CSV import with validation ({policy})", work_in, floor_in),
        ("CSV export, default columns", work_out, floor_out),
    ):
        results.append(
            Result(
                name=name,
                backend=backend,
                n_customers=rows,
                unit="rows/s",
                median=work["rows"] / work["seconds"],
                floor=floor["rows"] / floor["seconds"] if floor else None,
                samples=work["rows"],
                notes=f"peak RSS {work['peak_rss_mb']:.0f} MB; floor: psycopg COPY",
                extra={"peak_rss_mb": work["peak_rss_mb"], "seconds": work["seconds"]},
            )
        )
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transfer", description=__doc__)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--rows", default="100000", help="comma-separated sizes")
    parser.add_argument("--policy", choices=["reject-file", "skip-bad-rows"], default="reject-file")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        phase, url, folder, path, policy = args.child
        result = PHASES[phase](url, folder, path, policy)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["peak_rss_mb"] = _peak_rss_mb()
        result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(result))
        return 0
    results = []
    for rows in (int(n) for n in args.rows.split(",")):
        results += run(args.backend, rows, args.policy)
        print(table(results[-2:]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
