"""The store's suggested duplicate pairs: recorded by capture (same phone) and same name with
a shared, not free-mail, email domain; each pair once, paged by cursor (SQLite and
PostgreSQL)."""

from __future__ import annotations

from decimal import Decimal

from customers_plugin.events import Contact, OrderPlaced


def test_pairs_with_reasons_and_scores(merge_app, staff):
    a = staff.create(email="omar@acme.example", name="Omar Khalid")["id"]
    b = staff.create(email="o.khalid@acme.example", name="omar  KHALID")["id"]
    staff.create(email="omar.k@gmail.com", name="Omar Khalid")  # free mail: no pair with a
    staff.create(email="omar@other.example", name="Omar Khalid")  # another domain
    phone_owner = staff.create(email="nora@shop.example", phone="+966501234567")["id"]
    state = merge_app.extensions["customers"]
    event = OrderPlaced(
        store_id="a",
        contact=Contact(email="nora.new@shop.example", phone="+966501234567"),
        order_id="o-1",
        total=Decimal("1.00"),
        currency="SAR",
    )
    newcomer = state.hook.on_order_placed(event=event)[0]
    staff.as_("b").create(email="omar@acme.example", name="Omar Khalid")  # another store

    page = staff.get("/customers/duplicates").json

    pairs = [({i["customer_id"], i["other_id"]}, i["reason"], i["score"]) for i in page["items"]]
    assert pairs == [
        ({phone_owner, newcomer}, "same_phone", 90),
        ({a, b}, "same_name_email_domain", 70),
    ]
    assert page["next_cursor"] is None


def test_pages_follow_one_cursor_across_both_parts(merge_app, staff):
    for i in range(3):
        staff.create(email=f"x{i}@acme.example", name="Same Name")
    state = merge_app.extensions["customers"]
    staff.create(email="p@shop.example", phone="+966501234567")
    state.hook.on_order_placed(
        event=OrderPlaced(
            store_id="a",
            contact=Contact(email="q@shop.example", phone="+966501234567"),
            order_id="o-1",
            total=Decimal("1.00"),
            currency="SAR",
        )
    )
    seen, cursor = [], None
    while True:
        query = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = staff.get("/customers/duplicates", query_string=query).json
        seen += [i["reason"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["same_phone"] + ["same_name_email_domain"] * 3
    bad = staff.get("/customers/duplicates", query_string={"cursor": "bm9wZQ"})
    assert bad.status_code == 400 or bad.status_code == 422
