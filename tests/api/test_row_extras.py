"""A module adds a value to every customer row (list, card, export) through ``row_extras``: it
is read inside the page's one statement, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from customers_plugin.models import Customer, CustomerTag, Tag
from customers_plugin.services import row_extras


def _automatic_tags(dialect: str):
    query = (
        select(Tag.id)
        .select_from(CustomerTag)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(CustomerTag.customer_id == Customer.id, Tag.automatic.is_(True))
    )
    return row_extras.json_array(dialect, query, {"name": Tag.name}, [Tag.name_key])


@pytest.fixture
def labels() -> Iterator[row_extras.RowExtra]:
    extra = row_extras.RowExtra(
        "labels", _automatic_tags, lambda items: [i["name"].upper() for i in items]
    )
    row_extras.register(extra)
    yield extra
    row_extras.unregister("labels")


def test_a_registered_extra_is_on_list_rows_and_the_card(staff, labels, api_app):
    engine = api_app.extensions["customers"].db.engine
    created = staff.create(email="a@example.com", tags=["Zeta", "alfa"])
    staff.create(email="b@example.com")
    with engine.begin() as conn:  # an automatic label, as a booking's service label would be
        conn.execute(Tag.__table__.update().where(Tag.name == "Zeta").values(automatic=True))
    page = staff.get("/customers").json
    rows = {r["email"]: r for r in page["items"]}
    assert rows["a@example.com"]["extras"] == {"labels": ["ZETA"]}
    assert rows["b@example.com"]["extras"] == {"labels": []}
    assert [t["name"] for t in rows["a@example.com"]["tags"]] == ["alfa", "Zeta"]
    card = staff.get(f"/customers/{created['id']}").json
    assert card["extras"] == {"labels": ["ZETA"]}


def test_a_name_cannot_be_registered_twice(labels):
    other = row_extras.RowExtra("labels", _automatic_tags, list)
    with pytest.raises(ValueError, match="registered twice"):
        row_extras.register(other)
    row_extras.register(labels)  # the same extra again is fine


def test_json_keys_must_be_identifiers():
    with pytest.raises(ValueError):
        row_extras.json_array("postgresql", select(Tag.id), {"bad key'": Tag.name}, [])
