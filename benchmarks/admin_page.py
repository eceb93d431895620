"""What the admin's screen actions cost: the exact API requests each action of
``customers_plugin.admin`` makes (the list on opening, a filter with a sort, the next page, a
customer's card with its overview, the orders and notes tabs), timed through the Flask test
client. Every action is a fixed number of requests, none per row; the figure is the sum of
their times."""

from __future__ import annotations

from typing import Any

from .common import Result, latency, make_app, time_calls
from .generate import Generated
from .list_page import PAGE, PREFIX, AllowBench

# (action, requests it makes; "{id}" is a customer of the first page, "{cursor}" its next page)
ACTIONS: list[tuple[str, list[str]]] = [
    ("admin: open the list", ["/permissions", f"/customers?status=active&limit={PAGE}"]),
    (
        "admin: filter (tag) and sort (total spent)",
        [f"/customers?status=active&tag=VIP&sort=-total_spent&limit={PAGE}"],
    ),
    ("admin: next page", [f"/customers?status=active&limit={PAGE}&cursor={{cursor}}"]),
    ("admin: open a card (overview)", ["/customers/{id}"]),
    ("admin: card, orders tab", ["/customers/{id}/orders?limit=20"]),
    ("admin: card, notes tab", ["/customers/{id}/notes?limit=20"]),
]


def run(url: str, backend: str, data: Generated, calls: int) -> list[Result]:
    client = make_app(url, CUSTOMERS_PLUGINS=[AllowBench(data.store_id)]).test_client()

    def get(path: str) -> Any:
        response = client.get(PREFIX + path)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        return response.get_json()

    first = get(f"/customers?status=active&limit={PAGE}")
    ids = [row["id"] for row in first["items"]]
    values = {"cursor": first["next_cursor"]}
    results = []
    for name, paths in ACTIONS:

        def action(i: int, paths: list[str] = paths) -> None:
            for path in paths:
                get(path.format(id=ids[i % len(ids)], **values))

        samples = time_calls(action, calls)
        notes = f"{len(paths)} request(s)"
        results.append(latency(name, backend, data.customers, samples, notes=notes))
    return results
