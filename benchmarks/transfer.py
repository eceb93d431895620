"""``python -m benchmarks.transfer``: CSV import and export rows per second and peak RSS.

For each size: a fresh database (throwaway PostgreSQL schema or SQLite file), a generated
multilingual CSV (Arabic, Hebrew, Italian names; local and international phones; country
names; tags) written to a temporary folder, then in separate child processes (so each peak RSS
is its own): the import (validation pass + writing pass, as the ``run_import`` job does it)
and the export of every customer with the default columns. No data is kept.

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

from .common import bench_database, make_app

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
    with app.app_context():
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


def run_child(phase: str, url: str, folder: str, path: str, policy: str) -> dict:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.transfer", "--child", phase, url, folder, path, policy],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.transfer", description=__doc__)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--rows", default="100000", help="comma-separated sizes")
    parser.add_argument("--policy", choices=["reject-file", "skip-bad-rows"], default="reject-file")
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        phase, url, folder, path, policy = args.child
        result = (child_import if phase == "import" else child_export)(url, folder, path, policy)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["peak_rss_mb"] = usage.ru_maxrss / 1024
        result["cpu_seconds"] = usage.ru_utime + usage.ru_stime
        print(json.dumps(result))
        return 0
    print("| work | backend | rows | seconds | rows/s | Python CPU s | peak RSS | load |")
    print("|---|---|---|---|---|---|---|---|")
    for rows in (int(n) for n in args.rows.split(",")):
        with tempfile.TemporaryDirectory() as tmp, bench_database(args.backend, tmp) as url:
            source = Path(tmp) / "customers.csv"
            write_csv(source, rows)
            for phase, path in (("import", source), ("export", Path(tmp) / "export.csv")):
                r = run_child(phase, url, os.path.join(tmp, "transfer"), str(path), args.policy)
                work = f"import ({args.policy})" if phase == "import" else phase
                print(
                    f"| {work} | {args.backend} | {r['rows']:,} | {r['seconds']:.1f} | "
                    f"{r['rows'] / r['seconds']:,.0f} | {r['cpu_seconds']:.0f} | "
                    f"{r['peak_rss_mb']:.0f} MB | {os.getloadavg()[0]:.1f} |",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
