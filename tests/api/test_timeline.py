"""The customer's timeline: every kind in one newest-first feed, ties broken by kind then id,
cursors that resume exactly after the last item even when new items arrive, the kind filter
(repeated or comma list, unknown kinds refused), a source another module registers, one
thing shown once (an order, not also its ``order_placed`` line) and store isolation."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from customers_plugin.models import (
    Activity,
    Base,
    BookingSummary,
    FormSubmission,
    Message,
    Note,
    OrderSummary,
    Review,
    Task,
    Thread,
)
from customers_plugin.services import timeline
from customers_plugin.types import new_id

from .conftest import Staff, place_order

T0 = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _rows(app: Any, *rows: Any) -> None:
    with app.extensions["customers"].db.transaction() as session:
        session.add_all(rows)


def _order(store: str, cid: uuid.UUID, minutes: int, n: int) -> OrderSummary:
    return OrderSummary(
        store_id=store,
        customer_id=cid,
        source="shop",
        external_id=f"o-{n}",
        status="paid",
        total=Decimal("12.50"),
        currency="SAR",
        items=[],
        placed_at=_at(minutes),
    )


def _fill(app: Any, store: str, cid: uuid.UUID) -> None:
    """Items of every built-in kind, several at the same minute (ties across and within kinds)."""
    thread = Thread(
        id=new_id(),
        store_id=store,
        customer_id=cid,
        channel="email",
        reply_token=uuid.uuid4().hex,
        origin="card",
        unread_count=0,
    )
    _rows(app, thread)
    _rows(
        app,
        Message(
            store_id=store,
            customer_id=cid,
            thread_id=thread.id,
            direction="in",
            channel="email",
            body="Tuesday is fine",
            state="received",
            created_at=_at(10),
        ),
        _order(store, cid, 10, 1),
        _order(store, cid, 10, 2),
        _order(store, cid, 5, 3),
        OrderSummary(  # known only from an update: no placed_at, not in the timeline
            store_id=store,
            customer_id=cid,
            source="shop",
            external_id="o-early",
            status="paid",
            items=[],
        ),
        BookingSummary(
            store_id=store,
            customer_id=cid,
            source="shop",
            external_id="b-1",
            service="Haircut",
            status="confirmed",
            starts_at=_at(60 * 24),
            booked_at=_at(10),
        ),
        FormSubmission(
            store_id=store,
            customer_id=cid,
            source="site",
            external_id="f-1",
            form_name="Contact",
            submitted_at=_at(7),
        ),
        Note(
            store_id=store,
            customer_id=cid,
            text="x" * 400,
            type="note",
            author="s1",
            created_at=_at(10),
        ),
        Task(store_id=store, customer_id=cid, title="Call back", due_at=_at(99), created_at=_at(3)),
        Activity(
            store_id=store, customer_id=cid, kind="tagged", data={"tag": "vip"}, occurred_at=_at(10)
        ),
        Activity(
            store_id=store, customer_id=cid, kind="order_placed", data={}, occurred_at=_at(10)
        ),
    )


def _expected(app: Any, store: str, cid: uuid.UUID) -> list[tuple[str, str]]:
    """(kind, id) of the customer's items in the timeline's order, computed here."""
    kinds = [
        ("order", OrderSummary, OrderSummary.placed_at),
        ("booking", BookingSummary, BookingSummary.booked_at),
        ("form", FormSubmission, FormSubmission.submitted_at),
        ("note", Note, Note.created_at),
        ("task", Task, Task.created_at),
        ("message", Message, Message.created_at),
        ("activity", Activity, Activity.occurred_at),
    ]
    keyed = []
    with app.extensions["customers"].db.reading() as session:
        for kind, model, at in kinds:
            query = select(at, model.id).where(
                model.store_id == store, model.customer_id == cid, at.is_not(None)
            )
            if model is Activity:
                query = query.where(Activity.kind != "order_placed")
            keyed += [(when, kind, row_id) for when, row_id in session.execute(query)]
    keyed.sort(reverse=True)
    return [(kind, str(row_id)) for _when, kind, row_id in keyed]


@pytest.fixture
def filled(staff: Staff) -> tuple[Staff, str]:
    cid = staff.create(email="layla@example.com")["id"]
    _fill(staff.app, "a", uuid.UUID(cid))
    return staff, cid


def _walk(staff: Staff, cid: str, limit: int, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(100):
        url = f"/customers/{cid}/timeline?limit={limit}{query}"
        response = staff.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200, response.json
        items += response.json["items"]
        cursor = response.json["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the cursor never ended")


def test_items_of_every_kind_come_newest_first_ties_by_kind_then_id(filled):
    staff, cid = filled
    response = staff.get(f"/customers/{cid}/timeline")
    assert response.status_code == 200, response.json
    got = [(i["kind"], i["id"]) for i in response.json["items"]]
    assert got == _expected(staff.app, "a", uuid.UUID(cid))
    tied = [i["kind"] for i in response.json["items"] if i["at"] == "2026-03-01T12:10:00+00:00"]
    assert tied == ["order", "order", "note", "message", "booking", "activity"]
    assert {k for k, _ in got} == {
        "order",
        "booking",
        "form",
        "note",
        "task",
        "message",
        "activity",
    }
    assert response.json["next_cursor"] is None


def test_an_item_carries_its_kinds_summary(filled):
    staff, cid = filled
    items = staff.get(f"/customers/{cid}/timeline").json["items"]
    by_kind: dict[str, Any] = {}
    for item in items:
        by_kind.setdefault(item["kind"], item)  # the newest of each kind
    order = by_kind["order"]
    assert order["data"]["total"] == "12.50" and order["data"]["currency"] == "SAR"
    assert order["at"] == "2026-03-01T12:10:00+00:00"
    note = by_kind["note"]["data"]
    assert (len(note["excerpt"]), note["truncated"], note["author"]) == (300, True, "s1")
    assert by_kind["booking"]["data"]["starts_at"] == "2026-03-02T12:00:00+00:00"
    assert by_kind["task"]["data"]["title"] == "Call back"
    message = by_kind["message"]["data"]
    assert (message["direction"], message["excerpt"], message["truncated"]) == (
        "in",
        "Tuesday is fine",
        False,
    )
    tagged = [i for i in items if i["kind"] == "activity" and i["data"]["event"] == "tagged"]
    assert tagged[0]["data"] == {
        "event": "tagged",
        "actor": None,
        "details": {"tag": "vip"},
    }


def test_an_order_is_shown_once_not_also_as_its_activity_line(staff):
    cid = staff.create(email="sara@example.com")["id"]
    place_order(staff.app, "a", "sara@example.com", "o-77", "40")
    items = staff.get(f"/customers/{cid}/timeline").json["items"]
    events = [i["data"]["event"] for i in items if i["kind"] == "activity"]
    assert [i["data"]["order_id"] for i in items if i["kind"] == "order"] == ["o-77"]
    assert "order_placed" not in events
    assert staff.get(f"/customers/{cid}/activity").json["items"][0]["kind"] == "order_placed"


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_pages_of_any_size_give_the_whole_feed_once(filled, limit):
    staff, cid = filled
    items = _walk(staff, cid, limit)
    assert [(i["kind"], i["id"]) for i in items] == _expected(staff.app, "a", uuid.UUID(cid))


def test_a_cursor_resumes_after_its_item_when_items_arrive_before_and_after_it(filled):
    staff, cid = filled
    first = staff.get(f"/customers/{cid}/timeline?limit=3").json
    last = (first["items"][-1]["kind"], first["items"][-1]["id"])
    _rows(staff.app, _order("a", uuid.UUID(cid), 90, 9), _order("a", uuid.UUID(cid), 1, 10))
    rest = [(i["kind"], i["id"]) for i in _walk_from(staff, cid, first["next_cursor"])]
    expected = _expected(staff.app, "a", uuid.UUID(cid))
    assert rest == expected[expected.index(last) + 1 :]
    assert ("order", _order_id(staff.app, "o-10")) in rest  # older than the cursor: read
    assert ("order", _order_id(staff.app, "o-9")) not in rest  # newer: on an earlier page


def _walk_from(staff: Staff, cid: str, cursor: str) -> list[dict[str, Any]]:
    response = staff.get(f"/customers/{cid}/timeline?limit=100&cursor={cursor}")
    assert response.status_code == 200, response.json
    return response.json["items"]


def _order_id(app: Any, external_id: str) -> str:
    with app.extensions["customers"].db.reading() as session:
        found = session.scalar(
            select(OrderSummary.id).where(OrderSummary.external_id == external_id)
        )
    return str(found)


@pytest.mark.parametrize(
    "query", ["&kind=order&kind=note", "&kind=note,order", "&kind=order,note&kind=note"]
)
def test_the_kind_filter_keeps_those_kinds_repeated_or_as_a_list(filled, query):
    staff, cid = filled
    items = _walk(staff, cid, 2, query)
    expected = [e for e in _expected(staff.app, "a", uuid.UUID(cid)) if e[0] in ("order", "note")]
    assert [(i["kind"], i["id"]) for i in items] == expected


@pytest.mark.parametrize("kind", ["orders", "order,", "order, note", "ORDER", ""])
def test_an_unknown_kind_is_refused_naming_the_field(filled, kind):
    staff, cid = filled
    response = staff.get(f"/customers/{cid}/timeline?kind={kind}")
    assert response.status_code == 422, response.json
    assert "kind" in response.json["error"]["fields"]


def test_a_cursor_of_another_list_or_a_forged_one_is_refused(filled):
    staff, cid = filled
    activity = staff.get(f"/customers/{cid}/activity?limit=1").json["next_cursor"]
    for cursor in (activity, "bm90LWEtY3Vyc29y"):
        response = staff.get(f"/customers/{cid}/timeline?cursor={cursor}")
        assert response.status_code == 400
        assert response.json["error"]["code"] == "invalid_cursor"


@pytest.fixture
def reviews_source():
    """A module registers reviews as a timeline kind (what a plugin does at import)."""

    def rows(store_id: str, customer_id: uuid.UUID) -> Any:
        return select(Review.submitted_at.label("at"), Review.id.label("id"), Review.rating).where(
            Review.store_id == store_id, Review.customer_id == customer_id
        )

    source = timeline.TimelineSource(
        "review", rows, lambda row: {"rating": row["rating"]}, covers=("review_submitted",)
    )
    timeline.register(source)
    yield source
    timeline.unregister("review")


def _review(cid: str, external_id: str) -> Review:
    """A review of store ``a``'s customer ``cid``, at minute 8."""
    return Review(
        store_id="a",
        customer_id=uuid.UUID(cid),
        source="shop",
        external_id=external_id,
        product_id="p-1",
        rating=5,
        submitted_at=_at(8),
    )


def test_a_registered_source_joins_the_feed_the_filter_and_the_document(filled, reviews_source):
    staff, cid = filled
    review = _review(cid, "r-1")
    line = Activity(
        store_id="a", customer_id=uuid.UUID(cid), kind="review_submitted", occurred_at=_at(8)
    )
    _rows(staff.app, review, line)
    items = staff.get(f"/customers/{cid}/timeline?limit=100").json["items"]
    kinds = [i["kind"] for i in items]
    assert kinds.index("review") == kinds.index("form") - 1  # minute 8, before the form's 7
    assert [i["data"] for i in items if i["kind"] == "review"] == [{"rating": 5}]
    assert all(i["data"].get("event") != "review_submitted" for i in items)
    only = staff.get(f"/customers/{cid}/timeline?kind=review").json["items"]
    assert [i["id"] for i in only] == [str(review.id)]
    with pytest.raises(ValueError, match="registered twice"):
        timeline.register(timeline.TimelineSource("review", reviews_source.select, dict))


def test_another_stores_customer_is_not_found_and_its_rows_never_show(filled):
    staff, cid = filled
    other = staff.as_("b")
    assert other.get(f"/customers/{cid}/timeline").status_code == 404
    assert staff.get(f"/customers/{uuid.uuid4()}/timeline").status_code == 404
    # a row claiming store b for this customer is not this store's to show
    _rows(
        staff.app,
        Activity(
            id=new_id(), store_id="b", customer_id=uuid.UUID(cid), kind="x", occurred_at=_at(500)
        ),
    )
    items = staff.get(f"/customers/{cid}/timeline").json["items"]
    assert [(i["kind"], i["id"]) for i in items] == _expected(staff.app, "a", uuid.UUID(cid))
    assert all(i["data"].get("event") != "x" for i in items)


def test_reading_the_timeline_needs_customers_read(filled):
    staff, cid = filled
    assert staff.as_(perms="customers.write").get(f"/customers/{cid}/timeline").status_code == 403
    assert staff.as_(perms="customers.read").get(f"/customers/{cid}/timeline").status_code == 200


def test_every_built_in_kind_has_an_index_on_customer_at_and_id():
    """Each source's branch is one backward index scan that stops at the page size."""
    tables = {
        "order": ("customers_orders", "placed_at"),
        "booking": ("customers_bookings", "booked_at"),
        "form": ("customers_form_submissions", "submitted_at"),
        "note": ("customers_notes", "created_at"),
        "task": ("customers_tasks", "created_at"),
        "message": ("customers_messages", "created_at"),
        "activity": ("customers_activity", "occurred_at"),
    }
    assert set(tables) <= set(timeline.kinds())
    for kind, (table, at) in tables.items():
        indexes = [[c.name for c in index.columns] for index in Base.metadata.tables[table].indexes]
        serving = (["customer_id", at, "id"], ["store_id", "customer_id", at, "id"])
        assert any(columns in serving for columns in indexes), (kind, indexes)


def test_an_unknown_kind_is_refused_in_hebrew_naming_it(filled):
    staff, cid = filled
    response = staff.get(
        f"/customers/{cid}/timeline?kind=orders", headers={"Accept-Language": "he"}
    )
    assert response.status_code == 422
    [message] = response.json["error"]["fields"]["kind"]
    assert message.startswith("סוג לא מוכר 'orders'; סוגים: ")
    assert "order" in message.removeprefix("סוג לא מוכר 'orders'; סוגים: ").split(", ")


def _written_by_marshmallow_and_flask(staff: Staff, path: str, monkeypatch: Any) -> Any:
    """The page as the view wrote it before its fast path: marshmallow's dump, ``jsonify``."""
    import marshmallow as ma
    from flask import jsonify

    from customers_plugin.api import timeline as view

    with monkeypatch.context() as m:
        m.setattr(view._PAGE, "dump", lambda obj: ma.Schema.dump(view._PAGE, obj))
        m.setattr(view, "json_response", jsonify)
        return staff.get(path)


def test_the_page_is_what_marshmallow_and_flask_write(filled, monkeypatch):
    """The fast dump and orjson write the same document (text outside ASCII as UTF-8 where
    ``jsonify`` escapes it: the same JSON)."""
    staff, cid = filled
    for path in (f"/customers/{cid}/timeline?limit=100", f"/customers/{cid}/timeline?limit=3"):
        fast = staff.get(path)
        assert fast.json == _written_by_marshmallow_and_flask(staff, path, monkeypatch).json
        assert fast.json["items"]


def test_a_module_s_item_with_a_datetime_is_written_as_flask_writes_it(filled, monkeypatch):
    """orjson would write a ``datetime`` in ISO 8601: an item carrying one (a module's
    serializer returning it as is) goes through the app's encoder, as it always did."""
    staff, cid = filled
    stamp = dt.datetime(2026, 3, 1, 12, 30, tzinfo=dt.UTC)

    def rows(store_id: str, customer_id: uuid.UUID) -> Any:
        return select(Review.submitted_at.label("at"), Review.id.label("id")).where(
            Review.store_id == store_id, Review.customer_id == customer_id
        )

    timeline.register(timeline.TimelineSource("review", rows, lambda row: {"seen": stamp}))
    try:
        _rows(staff.app, _review(cid, "r-2"))
        path = f"/customers/{cid}/timeline?kind=review"
        fast = staff.get(path)
        assert fast.json["items"][0]["data"] == {"seen": "Sun, 01 Mar 2026 12:30:00 GMT"}
        assert fast.data == _written_by_marshmallow_and_flask(staff, path, monkeypatch).data
    finally:
        timeline.unregister("review")
