"""``python -m benchmarks``: run the suite, print and save the tables.

    python -m benchmarks --sizes 10000,100000,1000000      # every suite, PostgreSQL
    python -m benchmarks --sizes 20000 --backend sqlite --only list --only hooks
    python -m benchmarks --sizes 100000 --only peer     # beside Saleor's tables (not by default)

Each size gets a fresh database (a throwaway PostgreSQL schema or SQLite file) loaded by the
generator; results go to ``benchmarks/results/<time>.json`` and ``.md`` (not committed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from . import (
    admin_page,
    generate,
    groups,
    hook_cost,
    list_page,
    peer,
    timeline,
    transfer,
    workers,
)
from .common import Result, bench_database, growth, machine, settle, table

RESULTS = Path(__file__).parent / "results"
SUITES = ("list", "admin", "hooks", "groups", "workers", "timeline", "transfer")
# run when asked for by name (and by the smoke test): the peer's tables double each load
OPTIONAL = ("peer",)


def _suites(
    url: str, backend: str, data: generate.Generated, suites: set[str], events: int, calls: int
) -> list[Result]:
    """The suites that run on a loaded database, each from settled tables."""
    runs = {
        "list": lambda: list_page.run(url, backend, data, calls),
        "admin": lambda: admin_page.run(url, backend, data, calls),
        "hooks": lambda: hook_cost.run(url, backend, events, data.customers),
        "groups": lambda: groups.run(url, backend, data, events),
        "workers": lambda: workers.run(url, backend, events, data.customers),
        "timeline": lambda: timeline.run(url, backend, data, calls),
        "peer": lambda: peer.run(url, data, calls),
    }
    results: list[Result] = []
    for suite, run in runs.items():
        postgresql_only = suite in ("workers", "timeline", "peer")
        if suite in suites and (not postgresql_only or backend == "postgresql"):
            settle(url)
            results += run()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--backend", choices=["postgresql", "sqlite"], action="append")
    parser.add_argument(
        "--sizes",
        default="1000000",
        help="comma-separated customer counts, each in a fresh database (default 1000000)",
    )
    parser.add_argument("--events", type=int, default=2000, help="events per hook measurement")
    parser.add_argument("--calls", type=int, default=200, help="requests per list measurement")
    parser.add_argument("--only", choices=SUITES + OPTIONAL, action="append")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI smoke test)")
    args = parser.parse_args(argv)
    backends = args.backend or ["postgresql"]
    sizes = [300] if args.smoke else [int(n) for n in args.sizes.split(",")]
    events, calls = (30, 10) if args.smoke else (args.events, args.calls)
    suites = set(args.only or (SUITES + OPTIONAL if args.smoke else SUITES))
    results: list[Result] = []
    started_on = machine()
    for backend in backends:
        for size in sizes:
            done = len(results)
            if suites - {"transfer"}:
                with tempfile.TemporaryDirectory() as tmp, bench_database(backend, tmp) as url:
                    started = time.perf_counter()
                    data = generate.load(url, size)
                    took = time.perf_counter() - started
                    print(
                        f"# {backend}: loaded {data.customers:,} customers, {data.orders:,} "
                        f"orders in {took:.1f} s",
                        flush=True,
                    )
                    results += _suites(url, backend, data, suites, events, calls)
            if "transfer" in suites:
                results += transfer.run(backend, size)
            print(table(results[done:]), flush=True)
    report = table(results)
    scaling = growth(results)
    print(report + ("\n\n" + scaling if scaling else ""))
    if not args.smoke:
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        meta = {"machine": started_on, "load_average_at_end": machine()["load_average"],
                "argv": argv or sys.argv[1:]}  # fmt: skip
        (RESULTS / f"{stamp}.json").write_text(
            json.dumps({"meta": meta, "results": [r.as_dict() for r in results]}, indent=2)
        )
        (RESULTS / f"{stamp}.md").write_text(report + "\n\n" + scaling + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
