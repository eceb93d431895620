"""Shared benchmark plumbing: a fresh database schema, timing statistics, result records."""

from __future__ import annotations

import contextlib
import os
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text

from customers_plugin import CustomersPlugin, migrate
from customers_plugin.db import Database

POSTGRES_URL = os.environ.get(
    "CUSTOMERS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@dataclass
class Result:
    """One measured figure and its floor (the same work in hand-written SQL)."""

    name: str
    backend: str
    n_customers: int
    unit: str  # "ms" (latency, lower is better) or "…/s" (throughput, higher is better)
    median: float
    p95: float | None = None
    p99: float | None = None
    floor: float | None = None
    peer: float | None = None  # the same page's database work in a peer platform's tables
    samples: int = 0
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def throughput(self) -> bool:
        return self.unit.endswith("/s")

    @property
    def ratio(self) -> float | None:
        if not self.floor:
            return None
        if self.throughput:
            return self.floor / self.median
        return self.median / self.floor

    @property
    def peer_ratio(self) -> float | None:
        """Ours over the peer's (latencies only): below 1 is faster than the peer."""
        return self.median / self.peer if self.peer else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "peer_ratio": self.peer_ratio}


def table(results: list[Result]) -> str:
    """Results as a Markdown table: median, p95, p99, the floor and the ratio to it (and the
    peer's figure and ours over it, when a result has one)."""
    peers = any(r.peer is not None for r in results)
    lines = [
        "| measure | backend | customers | median | p95 | p99 | floor | ratio |"
        + (" peer | ours / peer |" if peers else ""),
        "|---|---|---|---|---|---|---|---|" + ("---|---|" if peers else ""),
    ]

    def fmt(r: Result, v: float | None) -> str:
        return "" if v is None else (f"{v:,.0f}" if r.throughput else f"{v:.2f}")

    for r in results:
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}×"
        peer = f" {fmt(r, r.peer)} | {r.peer_ratio:.2f}× |" if r.peer_ratio else " | |"
        lines.append(
            f"| {r.name} | {r.backend} | {r.n_customers:,} | {fmt(r, r.median)} {r.unit} | "
            f"{fmt(r, r.p95)} | {fmt(r, r.p99)} | {fmt(r, r.floor)} | {ratio} |"
            + (peer if peers else "")
        )
    return "\n".join(lines)


def growth(results: list[Result]) -> str:
    """How each measure's median moves with the number of customers (Markdown), with the
    factor from the smallest to the largest size."""
    by_measure: dict[tuple[str, str], dict[int, Result]] = {}
    for r in results:
        by_measure.setdefault((r.name, r.backend), {})[r.n_customers] = r
    sizes = sorted({r.n_customers for r in results})
    if len(sizes) < 2:
        return ""
    head = " | ".join(f"{n:,}" for n in sizes)
    lines = [
        f"| measure | backend | {head} | {sizes[0]:,} → {sizes[-1]:,} |",
        "|---|---|" + "---|" * (len(sizes) + 1),
    ]
    for (name, backend), runs in by_measure.items():
        cells = ["" if n not in runs else f"{runs[n].median:,.2f} {runs[n].unit}" for n in sizes]
        first, last = runs.get(sizes[0]), runs.get(sizes[-1])
        factor = f"{last.median / first.median:.2f}×" if first and last and first.median else ""
        lines.append(f"| {name} | {backend} | {' | '.join(cells)} | {factor} |")
    return "\n".join(lines)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import platform

    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as info:
        cpu = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("model name")), "")
    memory = ""
    with contextlib.suppress(OSError), open("/proc/meminfo") as info:
        memory = next((ln.split(":", 1)[1].strip() for ln in info if ln.startswith("MemTotal")), "")
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory": memory,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def time_calls(func: Callable[[int], Any], n: int, warmup: int = 20) -> list[float]:
    """Milliseconds of ``func(i)`` for i in range(n), after a warm-up (at most n calls)."""
    for i in range(min(warmup, n)):
        func(-1 - i)
    out = []
    for i in range(n):
        start = time.perf_counter()
        func(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def time_paired(
    ours: Callable[[int], Any], floor: Callable[[int], Any], n: int, warmup: int = 20
) -> tuple[list[float], list[float]]:
    """Milliseconds of ``ours(i)`` and of ``floor(i)``, called in turn for i in range(n) after
    a warm-up of each: both see the same moments of the machine (a batch of one then a batch
    of the other lets a drift of the machine's speed between the batches into the ratio)."""
    for i in range(min(warmup, n)):
        ours(-1 - i)
        floor(-1 - i)
    mine, floors = [], []
    for i in range(n):
        start = time.perf_counter()
        ours(i)
        middle = time.perf_counter()
        floor(i)
        mine.append((middle - start) * 1000)
        floors.append((time.perf_counter() - middle) * 1000)
    return mine, floors


def latency(
    name: str,
    backend: str,
    n_customers: int,
    samples: list[float],
    floor: list[float] | None = None,
    notes: str = "",
) -> Result:
    return Result(
        name=name,
        backend=backend,
        n_customers=n_customers,
        unit="ms",
        median=statistics.median(samples),
        p95=percentile(samples, 95),
        p99=percentile(samples, 99),
        floor=statistics.median(floor) if floor else None,
        samples=len(samples),
        notes=notes,
    )


@contextmanager
def bench_database(backend: str, tmpdir: str) -> Iterator[str]:
    """A freshly migrated database: a throwaway PostgreSQL schema or a SQLite file."""
    if backend == "sqlite":
        url = f"sqlite:///{tmpdir}/bench-{uuid.uuid4().hex[:6]}.db"
        db = Database(url)
        migrate.upgrade(db)
        db.dispose()
        yield url
        return
    schema = f"customers_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def settle(url: str) -> None:
    """Do what autovacuum would have done by now (it is off on the project's machines): every
    suite starts from clean tables and fresh statistics, not from the previous suite's dead
    rows."""
    conn = raw_connection(url)
    try:
        conn.execute("VACUUM ANALYZE" if not url.startswith("sqlite") else "ANALYZE")
    finally:
        conn.close()


def make_app(url: str, **config: Any) -> Flask:
    app = Flask("bench")
    app.config.update(CUSTOMERS_DATABASE_URI=url, CUSTOMERS_LOAD_ENTRY_POINTS=False, **config)
    CustomersPlugin(app)
    return app


def raw_connection(url: str) -> Any:
    """A DB-API connection for the hand-written floors (psycopg or sqlite3)."""
    if url.startswith("sqlite"):
        import sqlite3

        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        return conn
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    return psycopg.connect(dsn, autocommit=True)
