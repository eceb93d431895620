"""``python -m benchmarks``: run the suite, print and save the table."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

from . import generate, groups, hook_cost, list_page, workers
from .common import Result, bench_database

RESULTS = Path(__file__).parent / "results"


def _table(results: list[Result]) -> str:
    lines = [
        "| measure | backend | customers | median | p95 | p99 | floor | ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def fmt(r: Result, v: float | None) -> str:
        return "" if v is None else (f"{v:,.0f}" if r.unit == "rows/s" else f"{v:.2f}")

    for r in results:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}×"
        lines.append(
            f"| {r.name} | {r.backend} | {r.n_customers:,} | {fmt(r, r.median)} {r.unit} | "
            f"{fmt(r, r.p95)} | {fmt(r, r.p99)} | {fmt(r, r.floor)} | {ratio} |"
        )
    return "\n".join(lines)


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
    parser.add_argument("--only", choices=["hooks", "list", "workers", "groups"], action="append")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes (CI smoke test)")
    args = parser.parse_args(argv)
    backends = args.backend or ["postgresql"]
    sizes = [300] if args.smoke else [int(n) for n in args.sizes.split(",")]
    events, calls = (30, 10) if args.smoke else (args.events, args.calls)
    suites = set(args.only or ["hooks", "list", "workers", "groups"])
    results: list[Result] = []
    with tempfile.TemporaryDirectory() as tmp:
        for backend in backends:
            for size in sizes:
                with bench_database(backend, tmp) as url:
                    started = time.perf_counter()
                    data = generate.load(url, size)
                    took = time.perf_counter() - started
                    print(
                        f"# {backend}: loaded {data.customers:,} customers, {data.orders:,} "
                        f"orders in {took:.1f} s",
                        flush=True,
                    )
                    if "list" in suites:
                        results += list_page.run(url, backend, data, calls)
                    if "hooks" in suites:
                        results += hook_cost.run(url, backend, events, data.customers)
                    if "groups" in suites:
                        results += groups.run(url, backend, data, events)
                    if "workers" in suites:
                        results += workers.run(url, backend, events, data.customers)
                print(_table(results[-7:]), flush=True)
    table = _table(results)
    print(table)
    if not args.smoke:
        RESULTS.mkdir(exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        meta = {
            "machine": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "argv": argv or sys.argv[1:],
        }
        (RESULTS / f"{stamp}.json").write_text(
            json.dumps({"meta": meta, "results": [r.as_dict() for r in results]}, indent=2)
        )
        (RESULTS / f"{stamp}.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
