"""Contact capture from host events: matching, summaries, stats, labels, activity, replays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from customers_plugin import (
    BookingMade,
    BookingUpdated,
    Contact,
    CustomerSignedUp,
    FormSubmitted,
    OrderUpdated,
    ReviewSubmitted,
)
from customers_plugin.models import (
    Activity,
    BookingSummary,
    ConsentEvent,
    CustomerSource,
    CustomerTag,
    DuplicateSuggestion,
    FormSubmission,
    OrderSummary,
    Tag,
)
from tests.helpers import T0, customers_of, dump, order


def _count(customers, model, **where) -> int:
    with customers.db.session() as s:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return s.scalar(query)


def test_first_order_creates_a_customer_with_source_summary_stats_and_activity(customers):
    [cid] = customers.hook.on_order_placed(
        event=order("A-1", "250.50", email=" Sara@Example.com ", name="سارة", country="sa")
    )
    [c] = customers_of(customers.db)
    assert str(c.id) == cid
    assert (c.email, c.email_normalized, c.name, c.country) == (
        "Sara@Example.com",
        "sara@example.com",
        "سارة",
        "SA",
    )
    assert (c.orders_count, c.total_spent, c.cancelled_orders_count) == (1, Decimal("250.50"), 0)
    assert c.last_order_at == T0
    assert c.joined_at == T0  # joined when the first event happened, not when it arrived
    assert _count(customers, CustomerSource, source="store") == 1
    assert _count(customers, OrderSummary, external_id="A-1") == 1
    assert _count(customers, Activity, kind="order_placed") == 1


def test_email_matches_across_case_space_and_nfkc(customers):
    ids = {
        customers.hook.on_order_placed(event=order(str(i), email=email))[0]
        for i, email in enumerate(
            ["mario@esempio.it", "  MARIO@Esempio.IT", "ｍａｒｉｏ@esempio.it"]
        )
    }
    assert len(ids) == 1
    [c] = customers_of(customers.db)
    assert c.orders_count == 3


def test_phone_matches_when_the_event_gives_no_email(make_app):
    app = make_app(CUSTOMERS_DEFAULT_REGION="SA")
    hook = app.extensions["customers"].hook
    [first] = hook.on_order_placed(event=order("1", phone="0501234567", name="Ali"))
    [second] = hook.on_order_placed(event=order("2", phone="٠٥٠١٢٣٤٥٦٧"))
    assert first == second
    [c] = customers_of(app.extensions["customers"].db)
    assert (c.phone, c.email_normalized, c.orders_count) == ("+966501234567", None, 2)


def test_a_new_email_with_a_known_phone_makes_a_new_customer_suggested_as_duplicate(make_app):
    app = make_app(CUSTOMERS_DEFAULT_REGION="SA")
    state = app.extensions["customers"]
    [phone_only] = state.hook.on_order_placed(event=order("1", phone="0501234567", name="Ali"))
    [other] = state.hook.on_order_placed(event=order("2", phone="+966501234567", email="a@x.sa"))
    [again] = state.hook.on_order_placed(event=order("3", phone="+966501234567", email="a@x.sa"))
    assert phone_only != other == again
    by_id = {str(c.id): c for c in customers_of(state.db)}
    # the phone-only customer never gains an email from an unverified event, nor its orders
    assert (by_id[phone_only].email_normalized, by_id[phone_only].orders_count) == (None, 1)
    assert (by_id[other].email_normalized, by_id[other].phone) == ("a@x.sa", None)
    assert by_id[other].orders_count == 2
    with state.db.session() as s:
        pairs = s.execute(select(DuplicateSuggestion.customer_id, DuplicateSuggestion.other_id))
        assert sorted((str(a), str(b)) for a, b in pairs) == sorted(
            [(phone_only, other), (other, phone_only)]
        )


def test_email_match_wins_over_phone_of_another_customer(make_app):
    app = make_app(CUSTOMERS_DEFAULT_REGION="IL")
    hook = app.extensions["customers"].hook
    [a] = hook.on_order_placed(event=order("1", email="dana@x.il", phone="054-123-4567"))
    [b] = hook.on_order_placed(event=order("2", email="noa@x.il"))
    [b2] = hook.on_order_placed(event=order("3", email="noa@x.il", phone="054-123-4567"))
    assert a != b and b == b2
    noa = next(c for c in customers_of(app.extensions["customers"].db) if c.email == "noa@x.il")
    assert noa.phone is None  # the phone belongs to Dana; it is not copied
    assert _count(app.extensions["customers"], DuplicateSuggestion, reason="same_phone") == 2


def test_events_never_overwrite_what_the_merchant_already_has(customers):
    customers.hook.on_order_placed(
        event=order("1", email="a@b.co", name="Rossi Mario", country="IT")
    )
    customers.hook.on_order_placed(
        event=order("2", email="a@b.co", name="M. R.", country="FR", language="it")
    )
    [c] = customers_of(customers.db)
    assert (c.name, c.country, c.language) == ("Rossi Mario", "IT", "it")


def test_unparseable_phone_is_ignored_when_there_is_an_email(customers, caplog):
    customers.hook.on_order_placed(event=order("1", email="a@b.co", phone="not a phone +++"))
    [c] = customers_of(customers.db)
    assert c.phone is None
    assert "a@b.co" not in caplog.text  # no PII in logs


def test_cancel_and_refund_update_stats_exactly(customers):
    hook = customers.hook
    for i, total in enumerate(["10.10", "20.20", "30.30"]):
        hook.on_order_placed(event=order(str(i), total))
    contact = Contact(email="buyer@example.com")
    hook.on_order_updated(
        event=OrderUpdated(store_id="s1", order_id="0", status="cancelled", contact=contact)
    )
    hook.on_order_updated(
        event=OrderUpdated(store_id="s1", order_id="1", status="refunded", contact=contact)
    )
    hook.on_order_updated(
        event=OrderUpdated(store_id="s1", order_id="2", status="paid", contact=contact)
    )
    [c] = customers_of(customers.db)
    assert (c.orders_count, c.total_spent, c.cancelled_orders_count) == (1, Decimal("30.30"), 1)
    # an order un-cancelled (re-opened) counts again
    hook.on_order_updated(
        event=OrderUpdated(store_id="s1", order_id="0", status="paid", contact=contact)
    )
    [c] = customers_of(customers.db)
    assert (c.orders_count, c.total_spent, c.cancelled_orders_count) == (2, Decimal("40.40"), 0)


def test_update_changing_the_total_moves_total_spent(customers):
    customers.hook.on_order_placed(event=order("1", "100"))
    customers.hook.on_order_updated(
        event=OrderUpdated(
            store_id="s1",
            order_id="1",
            status="paid",
            total=Decimal("80"),
            currency="usd",
            contact=Contact(email="buyer@example.com"),
        )
    )
    [c] = customers_of(customers.db)
    assert c.total_spent == Decimal("80.00")


def test_order_in_another_currency_counts_but_is_not_summed(customers):
    customers.hook.on_order_placed(event=order("1", "100", currency="EUR", email="a@b.co"))
    [c] = customers_of(customers.db)
    assert (c.orders_count, c.total_spent) == (1, Decimal("0"))


def test_update_for_an_unknown_order_is_recorded_then_completed_by_the_late_placement(customers):
    contact = Contact(email="late@example.com")
    customers.hook.on_order_updated(
        event=OrderUpdated(store_id="s1", order_id="X", status="cancelled", contact=contact)
    )
    [c] = customers_of(customers.db)
    assert (c.orders_count, c.cancelled_orders_count) == (0, 1)
    customers.hook.on_order_placed(event=order("X", "99", email="late@example.com"))
    with customers.db.session() as s:
        summary = s.scalars(select(OrderSummary)).one()
    assert (summary.status, summary.total, summary.placed_at) == ("cancelled", Decimal("99.00"), T0)
    [c] = customers_of(customers.db)
    # the newer status (cancelled) wins: still not a purchase
    assert (c.orders_count, c.total_spent, c.cancelled_orders_count) == (0, Decimal("0"), 1)


def _booking(booking_id="B1", **kw):
    values = dict(
        store_id="s1",
        booking_id=booking_id,
        service="Pilates",
        starts_at=T0 + dt.timedelta(days=3),
        ends_at=T0 + dt.timedelta(days=3, hours=1),
        form_answers={"allergies": "none", "notes": "שלום"},
        contact=Contact(email="client@example.com", name="Yael Levi"),
        occurred_at=T0,
    )
    values.update(kw)
    return BookingMade(**values)


def test_booking_labels_the_customer_with_the_service_and_counts(customers):
    customers.hook.on_booking(event=_booking())
    customers.hook.on_booking(event=_booking("B2", service="  pilates "))
    [c] = customers_of(customers.db)
    assert c.bookings_count == 2
    with customers.db.session() as s:
        tags = s.execute(select(Tag.name, Tag.automatic)).all()
        answers = s.scalars(
            select(BookingSummary.form_answers).where(BookingSummary.external_id == "B1")
        ).one()
    assert tags == [("Pilates", True)]  # one tag: names are folded
    assert answers == {"allergies": "none", "notes": "שלום"}
    assert _count(customers, CustomerSource, source="booking") == 1
    customers.hook.on_booking_updated(
        event=BookingUpdated(
            store_id="s1",
            booking_id="B1",
            status="cancelled",
            contact=Contact(email="client@example.com"),
        )
    )
    [c] = customers_of(customers.db)
    assert c.bookings_count == 1


def test_paid_in_person_is_recorded_on_the_booking(customers):
    customers.hook.on_booking(event=_booking())
    customers.hook.on_booking_updated(
        event=BookingUpdated(
            store_id="s1",
            booking_id="B1",
            status="confirmed",
            payment_status="paid_in_person",
            contact=Contact(email="client@example.com"),
        )
    )
    with customers.db.session() as s:
        assert s.scalars(select(BookingSummary.payment_status)).one() == "paid_in_person"


def test_form_submission_stores_answers_and_records_consent_with_source(customers):
    customers.hook.on_form_submit(
        event=FormSubmitted(
            store_id="s1",
            submission_id="F1",
            form_name="Contatti",
            answers={"messaggio": "Buongiorno"},
            subscribe_to_marketing=True,
            contact=Contact(email="luca@esempio.it"),
            occurred_at=T0,
        )
    )
    [c] = customers_of(customers.db)
    assert (c.marketing_consent, c.marketing_consent_source, c.marketing_consent_at) == (
        "subscribed",
        "form",
        T0,
    )
    assert _count(customers, FormSubmission) == 1
    assert _count(customers, ConsentEvent, channel="marketing", status="subscribed") == 1
    assert _count(customers, CustomerSource, source="forms") == 1


def test_reviews_feed_count_and_average(customers):
    for i, rating in enumerate([5, 4, 4]):
        customers.hook.on_review_submitted(
            event=ReviewSubmitted(
                store_id="s1",
                review_id=str(i),
                product_id="p",
                rating=rating,
                contact=Contact(email="r@x.co"),
            )
        )
    [c] = customers_of(customers.db)
    assert (c.reviews_count, c.avg_rating) == (3, Decimal("4.33"))


def test_signup_with_a_verified_email_links_the_host_user(customers):
    customers.hook.on_customer_signup(
        event=CustomerSignedUp(
            store_id="s1", user_id="u-7", contact=Contact(email="new@x.co"), email_verified=True
        )
    )
    [c] = customers_of(customers.db)
    assert c.host_user_id == "u-7"


ALL_EVENTS = [
    ("on_order_placed", order("R1", "12.34", email="replay@x.co")),
    (
        "on_order_updated",
        OrderUpdated(
            store_id="s1", order_id="R1", status="refunded", contact=Contact(email="replay@x.co")
        ),
    ),
    ("on_booking", _booking("RB", contact=Contact(email="replay@x.co"))),
    (
        "on_booking_updated",
        BookingUpdated(
            store_id="s1", booking_id="RB", status="cancelled", contact=Contact(email="replay@x.co")
        ),
    ),
    (
        "on_form_submit",
        FormSubmitted(
            store_id="s1",
            submission_id="RF",
            form_name="Lead",
            contact=Contact(email="replay@x.co"),
            subscribe_to_marketing=True,
        ),
    ),
    (
        "on_review_submitted",
        ReviewSubmitted(
            store_id="s1",
            review_id="RR",
            product_id="p",
            rating=3,
            contact=Contact(email="replay@x.co"),
        ),
    ),
    (
        "on_customer_signup",
        CustomerSignedUp(
            store_id="s1", user_id="RU", contact=Contact(email="replay@x.co"), email_verified=True
        ),
    ),
]


@pytest.mark.parametrize(("hook_name", "event"), ALL_EVENTS, ids=[h for h, _ in ALL_EVENTS])
def test_event_replayed_twice_changes_nothing(customers, recorder, hook_name, event):
    for earlier_name, earlier in ALL_EVENTS[: ALL_EVENTS.index((hook_name, event))]:
        getattr(customers.hook, earlier_name)(event=earlier)
    getattr(customers.hook, hook_name)(event=event)
    before, calls = dump(customers.db), len(recorder.calls)
    getattr(customers.hook, hook_name)(event=event)
    assert dump(customers.db) == before
    assert len(recorder.calls) == calls


def test_same_external_id_in_two_stores_makes_two_customers(customers):
    a = customers.hook.on_order_placed(event=order("1", store="shop-a"))
    b = customers.hook.on_order_placed(event=order("1", store="shop-b"))
    assert a != b
    assert (
        len(customers_of(customers.db, "shop-a")) == len(customers_of(customers.db, "shop-b")) == 1
    )


def test_every_applied_event_writes_one_activity_line(customers):
    for hook_name, event in ALL_EVENTS:
        getattr(customers.hook, hook_name)(event=event)
    with customers.db.session() as s:
        kinds = s.scalars(select(Activity.kind).order_by(Activity.recorded_at, Activity.id)).all()
    assert kinds == [
        "order_placed",
        "order_updated",
        "booking_made",
        "booking_updated",
        "form_submitted",
        "review_submitted",
        "signed_up",
    ]
    assert _count(customers, CustomerTag) == 1
