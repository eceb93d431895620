"""Benchmark data: N multilingual customers (ar_SA, he_IL, it_IT, en_US) with realistic phones,
countries, tags, sources and long-tailed order histories, loaded through the fastest honest
path: PostgreSQL ``COPY``, SQLite Core executemany.

Names come from pools drawn once from Faker per locale and combined at random, so a million
customers take seconds, not minutes, and still look like the merchants' real lists. Search keys
are computed with the plugin's own ``search_key`` (the same work the plugin does on write).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from faker import Faker
from sqlalchemy import create_engine, insert

from customers_plugin.models import Base, Customer, CustomerSource, CustomerTag, OrderSummary, Tag
from customers_plugin.normalize import search_key
from customers_plugin.types import MONEY_SCALE, new_id

LOCALES = {
    # locale: (country, phone prefix, national digits after the prefix, email tld, share)
    "ar_SA": ("SA", "+9665", 8, "sa", 0.35),
    "he_IL": ("IL", "+9725", 8, "co.il", 0.25),
    "it_IT": ("IT", "+393", 9, "it", 0.25),
    "en_US": ("US", "+1212", 7, "com", 0.15),
}
TAGS = [
    "VIP",
    "Wholesale",
    "Newsletter",
    "عميل مميز",
    "לקוח חוזר",
    "Cliente fedele",
    "Pilates",
    "Yoga",
    "Massaggio",
    "Returns",
    "B2B",
    "Gift buyer",
    "Ramadan",
    "Pesach",
    "Natale",
    "Black Friday",
    "Influencer",
    "Staff",
    "Student",
    "Senior",
]
SOURCES = [("store", 0.9), ("booking", 0.2), ("forms", 0.1), ("import", 0.05)]
POOL = 1500


@dataclass
class Generated:
    customers: int
    orders: int
    tag_links: int
    store_id: str
    sample_names: list[str]
    sample_phones: list[str]
    tag_names: list[str]


def _pools(seed: int) -> dict[str, tuple[list[str], list[str]]]:
    pools = {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(seed)
        first = [fake.first_name() for _ in range(POOL)]
        last = [fake.last_name() for _ in range(POOL)]
        pools[locale] = (first, last)
    return pools


def _orders_for(rng: random.Random) -> int:
    """Long tail: many with 0–2 orders, a few with dozens."""
    if rng.random() < 0.25:
        return 0
    return min(200, int(rng.paretovariate(1.3)))


def customer_rows(n: int, store_id: str, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Rows for ``customers_customers`` (plus ``_tags``, ``_sources``, ``_orders`` extras)."""
    rng = random.Random(seed)
    pools = _pools(seed)
    locales = list(LOCALES)
    weights = [LOCALES[loc][4] for loc in locales]
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    span = (dt.datetime(2026, 11, 1, tzinfo=dt.UTC) - start).total_seconds()
    for i in range(n):
        locale = rng.choices(locales, weights)[0]
        country, prefix, digits, tld, _ = LOCALES[locale]
        first, last = pools[locale]
        name = f"{rng.choice(first)} {rng.choice(last)}"
        joined = start + dt.timedelta(seconds=span * (i / max(n, 1)) + rng.random())
        orders = _orders_for(rng)
        order_totals = [Decimal(rng.randint(500, 90_000)) / 100 for _ in range(orders)]
        cancelled = sum(1 for _ in range(orders) if rng.random() < 0.05)
        last_order = joined + dt.timedelta(days=rng.randint(0, 600)) if orders else None
        national = str(10 ** (digits - 1) + (i * 7919 + seed) % (9 * 10 ** (digits - 1)))
        yield {
            "id": new_id(),  # time-ordered, as the plugin writes every customer
            "store_id": store_id,
            "email": f"customer{i}.{rng.randint(100, 999)}@example.{tld}",
            "phone": prefix + national,
            "name": name,
            "country": country,
            "language": locale[:2],
            "gender": rng.choice(["female", "male", None]),
            "birthdate": dt.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
            if rng.random() < 0.6
            else None,
            "marketing_consent": rng.choice(["subscribed", "unsubscribed", "not_set"]),
            "status": "active" if rng.random() < 0.95 else rng.choice(["inactive", "blocked"]),
            "joined_at": joined,
            "orders_count": orders - cancelled,
            "total_spent": sum(order_totals[cancelled:], Decimal(0)),
            "cancelled_orders_count": cancelled,
            "last_order_at": last_order,
            "bookings_count": rng.randint(0, 5) if rng.random() < 0.2 else 0,
            "_tags": rng.sample(range(len(TAGS)), rng.choice([0, 0, 1, 1, 2, 3])),
            "_sources": [s for s, share in SOURCES if rng.random() < share] or ["store"],
            "_orders": order_totals,
        }


def _full_row(row: dict[str, Any]) -> dict[str, Any]:
    email = row["email"]
    now = row["joined_at"]
    return {
        "id": row["id"],
        "store_id": row["store_id"],
        "email": email,
        "email_normalized": email.lower(),
        "phone": row["phone"],
        "name": row["name"],
        "search_name": search_key(row["name"]),
        "country": row["country"],
        "language": row["language"],
        "gender": row["gender"],
        "birthdate": row["birthdate"],
        "extra_emails": [],
        "extra_phones": [],
        "addresses": [],
        "marketing_consent": row["marketing_consent"],
        "system_notifications": True,
        "status": row["status"],
        "joined_at": now,
        "updated_at": now,
        "orders_count": row["orders_count"],
        "total_spent": row["total_spent"],
        "cancelled_orders_count": row["cancelled_orders_count"],
        "last_order_at": row["last_order_at"],
        "bookings_count": row["bookings_count"],
        "reviews_count": 0,
        "rating_sum": 0,
        "wallet_balance": Decimal(0),
    }


def _defaults(table: Any, given: set[str]) -> dict[str, Any]:
    """Scalar defaults of NOT NULL columns a later migration added (so the loader keeps up)."""
    out = {}
    for column in table.columns:
        if column.name in given or column.nullable or column.default is None:
            continue
        arg = column.default.arg
        out[column.name] = arg if not callable(arg) else None
    return {k: v for k, v in out.items() if v is not None}


def load(
    url: str, n: int, store_id: str = "bench", seed: int = 7, batch: int = 20_000
) -> Generated:
    """Generate and load ``n`` customers with their tags, sources and orders."""
    engine = create_engine(url)
    tag_ids = {i: uuid.uuid4() for i in range(len(TAGS))}
    now = dt.datetime.now(dt.UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(Tag.__table__),
            [
                {
                    "id": tag_ids[i],
                    "store_id": store_id,
                    "name": name,
                    "name_key": search_key(name),
                    "automatic": False,
                    "created_at": now,
                }
                for i, name in enumerate(TAGS)
            ],
        )
    counts = {"customers": 0, "orders": 0, "tag_links": 0}
    samples: dict[str, list[str]] = {"names": [], "phones": []}
    writer = _PostgresWriter(url) if url.startswith("postgresql") else _CoreWriter(engine)
    customers, links, sources, orders = [], [], [], []

    def flush() -> None:
        writer.write(Customer.__table__, customers)
        writer.write(CustomerTag.__table__, links)
        writer.write(CustomerSource.__table__, sources)
        writer.write(OrderSummary.__table__, orders)
        for bucket in (customers, links, sources, orders):
            bucket.clear()

    for row in customer_rows(n, store_id, seed):
        full = _full_row(row)
        customers.append(full)
        if len(samples["names"]) < 200 and counts["customers"] % 97 == 0:
            samples["names"].append(row["name"])
            samples["phones"].append(row["phone"])
        for t in row["_tags"]:
            links.append(
                {
                    "customer_id": row["id"],
                    "tag_id": tag_ids[t],
                    "store_id": store_id,
                    "added_at": row["joined_at"],
                }
            )
        for source in row["_sources"]:
            sources.append(
                {
                    "customer_id": row["id"],
                    "source": source,
                    "store_id": store_id,
                    "first_seen_at": row["joined_at"],
                }
            )
        for k, total in enumerate(row["_orders"]):
            placed = row["joined_at"] + dt.timedelta(days=k)
            orders.append(
                {
                    "id": new_id(),
                    "store_id": store_id,
                    "customer_id": row["id"],
                    "source": "store",
                    "external_id": f"{row['id'].hex}-{k}",
                    "status": "cancelled" if k < row["cancelled_orders_count"] else "paid",
                    "payment_status": None,
                    "total": total,
                    "currency": "USD",
                    "items": [],
                    "placed_at": placed,
                    "updated_at": placed,
                }
            )
        counts["customers"] += 1
        counts["tag_links"] += len(row["_tags"])
        counts["orders"] += len(row["_orders"])
        if len(customers) >= batch:
            flush()
    flush()
    writer.close()
    engine.dispose()
    return Generated(
        counts["customers"],
        counts["orders"],
        counts["tag_links"],
        store_id,
        samples["names"],
        samples["phones"],
        TAGS,
    )


class _CoreWriter:
    """SQLite: Core executemany in one transaction per batch."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def write(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            extra = _defaults(table, set(rows[0]))
            with self.engine.begin() as conn:
                conn.execute(insert(table), [{**extra, **r} for r in rows] if extra else rows)

    def close(self) -> None:
        pass


class _PostgresWriter:
    """PostgreSQL: ``COPY … FROM STDIN`` with values converted the way the column types do."""

    def __init__(self, url: str) -> None:
        import psycopg

        dsn = url.replace("postgresql+psycopg://", "postgresql://")
        self.conn = psycopg.connect(dsn, autocommit=True)

    @staticmethod
    def _converter(column: Any) -> Any:
        """How a Python value becomes what the column stores (None: as it is)."""
        type_name = type(column.type).__name__
        if type_name == "Money":
            return lambda v: None if v is None else int(v * (10**MONEY_SCALE))
        if type_name == "JSON":
            return json.dumps
        return None

    def write(self, table: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        extra = _defaults(table, set(rows[0]))
        names = list(rows[0]) + list(extra)
        converters = [(i, f) for i, n in enumerate(names) if (f := self._converter(table.c[n]))]
        with (
            self.conn.cursor() as cur,
            cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = [*row.values(), *extra.values()]
                for i, convert in converters:
                    values[i] = convert(values[i])
                copy.write_row(values)

    def close(self) -> None:
        with self.conn.cursor() as cur:
            cur.execute("ANALYZE")
        self.conn.close()


__all__ = ["Base", "Generated", "customer_rows", "load"]
