"""The history tabs of the card: activity, orders with totals, bookings; paid in person."""

from __future__ import annotations

import datetime as dt

from customers_plugin.events import Contact, OrderUpdated

from .conftest import book, place_order


def test_activity_is_newest_first_and_pages(staff):
    card = staff.create(email="a@example.com")
    staff.patch(f"/customers/{card['id']}", json={"name": "A"})
    staff.post(f"/customers/{card['id']}/tags", json={"tags": ["x"]})
    first = staff.get(f"/customers/{card['id']}/activity", query_string={"limit": 2}).json
    assert [a["kind"] for a in first["items"]] == ["tagged", "updated"]
    rest = staff.get(
        f"/customers/{card['id']}/activity", query_string={"cursor": first["next_cursor"]}
    ).json
    assert [a["kind"] for a in rest["items"]] == ["created"] and rest["next_cursor"] is None


def test_orders_newest_first_with_totals(staff, api_app):
    customer_id = place_order(api_app, "a", "o@example.com", "o1", "100")
    place_order(api_app, "a", "o@example.com", "o2", "50.25")
    place_order(api_app, "a", "o@example.com", "o3", "10")
    api_app.extensions["customers"].hook.on_order_updated(
        event=OrderUpdated(
            store_id="a", contact=Contact(email="o@example.com"), order_id="o3", status="cancelled"
        )
    )
    page = staff.get(f"/customers/{customer_id}/orders").json
    assert [o["external_id"] for o in page["items"]] == ["o3", "o2", "o1"]
    assert page["totals"] == {
        "orders_count": 2,
        "all_orders": 3,
        "cancelled_orders_count": 1,
        "total_spent": "150.25",
        "currency": "SAR",
        "last_order_at": page["totals"]["last_order_at"],
    }


def test_bookings_upcoming_past_and_all_with_form_answers(staff, api_app):
    customer_id = book(
        api_app, "a", "b@example.com", "soon", dt.timedelta(days=1), form_answers={"q": "a"}
    )
    book(api_app, "a", "b@example.com", "later", dt.timedelta(days=9))
    book(api_app, "a", "b@example.com", "gone", -dt.timedelta(days=3))

    def ids(when):
        page = staff.get(f"/customers/{customer_id}/bookings", query_string={"when": when})
        return [b["external_id"] for b in page.json["items"]]

    assert ids("upcoming") == ["soon", "later"]
    assert ids("past") == ["gone"]
    assert ids("all") == ["later", "soon", "gone"]
    upcoming = staff.get(f"/customers/{customer_id}/bookings?when=upcoming").json["items"]
    assert upcoming[0]["form_answers"] == {"q": "a"}
    assert staff.get(f"/customers/{customer_id}/bookings?when=someday").status_code == 422


def test_a_booking_can_be_marked_paid_in_person(staff, api_app):
    customer_id = book(api_app, "a", "p@example.com", "b1", dt.timedelta(days=1))
    booking = staff.get(f"/customers/{customer_id}/bookings").json["items"][0]
    response = staff.post(f"/customers/{customer_id}/bookings/{booking['id']}/paid-in-person")
    assert response.status_code == 200
    assert response.json["payment_status"] == "paid_in_person"
    kinds = [a["kind"] for a in staff.get(f"/customers/{customer_id}/activity").json["items"]]
    assert kinds[0] == "booking_paid_in_person"
    again = staff.post(f"/customers/{customer_id}/bookings/{booking['id']}/paid-in-person")
    assert again.status_code == 200
    kinds = [a["kind"] for a in staff.get(f"/customers/{customer_id}/activity").json["items"]]
    assert kinds.count("booking_paid_in_person") == 1
