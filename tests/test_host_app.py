"""The example host app (examples/host_app) driven through its test client, on SQLite and on
PostgreSQL: the host's own Flask-SQLAlchemy tables beside the plugin's, events fired after the
host commits, checkout answers honoured, bad input answered with messages, stores kept apart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from customers_loyalty_points import ledger as loyalty
from flask import Flask
from sqlalchemy import func, select, text

from customers_plugin import hookimpl
from customers_plugin.models import (
    Base,
    Customer,
    CustomerSource,
    CustomerTag,
    FormSubmission,
    Message,
    OrderSummary,
    Tag,
    Thread,
)
from examples.host_app.models import Order, Service, db
from examples.host_app.stores import DEMO_ADMIN_TOKEN, DEMO_SECOND_STORE_TOKEN
from tests.host_app_support import BUYER, CSRF, checkout, first_product, post_form


@pytest.fixture
def host(make_host: Any) -> Flask:
    return make_host()


def plugin_customer(app: Flask, email: str, store: str = "default") -> Customer | None:
    with app.extensions["customers"].db.session() as session:
        return session.scalars(
            select(Customer).filter_by(store_id=store, email_normalized=email)
        ).one_or_none()


def plugin_sources(app: Flask, customer: Customer) -> set[str]:
    with app.extensions["customers"].db.session() as session:
        return set(
            session.scalars(select(CustomerSource.source).filter_by(customer_id=customer.id)).all()
        )


# -- the storefront fires the plugin's events ------------------------------------------------


def test_checkout_commits_the_order_then_the_customer_appears_with_its_stats(host: Flask) -> None:
    client = host.test_client()
    product = first_product(host)

    response = checkout(client, host)

    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Cancel this order" in page.get_data(as_text=True)
    customer = plugin_customer(host, "layla.haddad@example.com")
    assert customer is not None
    expected = product.price * 2 + Decimal("4.90")
    assert (customer.orders_count, customer.total_spent) == (1, expected)
    assert customer.phone == "+966501234567" and customer.country == "SA"
    assert customer.name == "ليلى حدّاد"
    assert plugin_sources(host, customer) == {"store"}
    with host.app_context():
        order = db.session.scalars(select(Order)).one()
        assert order.total == expected and order.status == "placed"


def test_cancelling_an_order_takes_it_out_of_the_customer_stats(host: Flask) -> None:
    client = host.test_client()
    order_url = checkout(client, host).headers["Location"]

    token = CSRF.search(client.get(order_url).get_data(as_text=True)).group(1)
    response = client.post(f"{order_url}/cancel", data={"csrf_token": token})

    assert response.status_code == 303
    customer = plugin_customer(host, "layla.haddad@example.com")
    assert (customer.orders_count, customer.total_spent, customer.cancelled_orders_count) == (
        0,
        Decimal(0),
        1,
    )
    after = client.get(order_url).get_data(as_text=True)
    assert "cancelled" in after and "Cancel this order" not in after


def test_booking_labels_the_customer_with_the_service_and_counts_it(host: Flask) -> None:
    client = host.test_client()
    with host.app_context():
        service = db.session.scalars(
            select(Service).filter_by(store_id="default").order_by(Service.id)
        ).first()
        service_id, service_name = service.id, service.name
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).date().isoformat()

    response = post_form(
        client,
        "/shop/default/book",
        {
            "service_id": str(service_id),
            "date": day,
            "time": "10:30",
            "name": "נועה כהן",
            "email": "noa@example.co.il",
            "country": "IL",
            "first_visit": "yes",
            "notes": "מגיעה עם חברה",
        },
    )

    assert response.status_code == 303
    customer = plugin_customer(host, "noa@example.co.il")
    assert customer.bookings_count == 1
    assert plugin_sources(host, customer) == {"booking"}
    with host.extensions["customers"].db.session() as session:
        labels = session.scalars(
            select(Tag.name).join(CustomerTag).where(CustomerTag.customer_id == customer.id)
        ).all()
    assert labels == [service_name]


def test_contact_form_adds_the_source_and_the_consent_and_opens_a_thread(host: Flask) -> None:
    client = host.test_client()

    response = post_form(
        client,
        "/shop/default/contact",
        {
            "name": "Giulia Rossi",
            "email": "giulia@example.it",
            "subject": "Spedizione",
            "message": "Spedite a Bari?",
            "subscribe": "yes",
        },
    )

    assert response.status_code == 200
    customer = plugin_customer(host, "giulia@example.it")
    assert plugin_sources(host, customer) == {"forms"}
    assert customer.marketing_consent == "subscribed"
    with host.extensions["customers"].db.session() as session:
        submission = session.scalars(select(FormSubmission)).one()
    assert submission.form_name == "contact"
    assert submission.answers == {"subject": "Spedizione"}
    with host.extensions["customers"].db.session() as session:
        thread = session.scalars(select(Thread)).one()
        message = session.scalars(select(Message)).one()
    assert (thread.customer_id, thread.origin, thread.unread_count) == (customer.id, "form", 1)
    assert (message.thread_id, message.direction, message.channel) == (thread.id, "in", "form")
    assert (message.body, message.state) == ("Spedite a Bari?", "received")


def test_the_loyalty_plugin_found_by_entry_point_hears_the_storefront(make_host: Any) -> None:
    host = make_host(CUSTOMERS_LOAD_ENTRY_POINTS=True)
    product = first_product(host)
    plugin_db = host.extensions["customers"].db
    try:
        checkout(host.test_client(), host)
        customer = plugin_customer(host, "layla.haddad@example.com")
        earned = int(product.price * 2 + Decimal("4.90"))
        assert loyalty.balance(plugin_db, "default", str(customer.id)) == 50 + earned
    finally:
        loyalty.ensure_table(plugin_db)
        with plugin_db.transaction() as session:
            session.execute(loyalty.ledger.delete())


# -- bad input, checkout answers, stores -----------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"name": ""}, "Your name is required."),
        ({"email": "not-an-email", "phone": ""}, "This email address does not look right."),
        ({"email": "", "phone": ""}, "Give an email address or a phone number."),
        ({"phone": "12"}, "This phone number does not look right"),
        ({"quantity": "lots"}, "Quantity must be a whole number."),
        ({"quantity": "0"}, "Quantity must be between 1 and 20."),
        ({"country": "XX"}, "Choose a country from the list."),
        ({"payment_method": "bitcoin"}, "Choose a payment method."),
        ({"coupon_code": "NOPE"}, "This coupon code does not exist."),
        ({"name": "x" * 500}, "Your name is too long"),
    ],
)
def test_bad_checkout_input_is_answered_with_a_message_and_changes_nothing(
    host: Flask, changes: dict[str, str], field_message: str
) -> None:
    response = checkout(host.test_client(), host, **changes)

    assert response.status_code == 422
    assert field_message in response.get_data(as_text=True)
    with host.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0
    with host.extensions["customers"].db.session() as session:
        assert session.scalar(select(func.count(Customer.id))) == 0


def test_bad_booking_and_contact_input_is_answered_with_messages(host: Flask) -> None:
    client = host.test_client()
    past = post_form(
        client,
        "/shop/default/book",
        {"service_id": "1", "date": "2001-01-01", "time": "10:00", "name": "A", "email": "a@b.co"},
    )
    garbled = post_form(
        client,
        "/shop/default/book",
        {"service_id": "x", "date": "tomorrow", "time": "soon", "name": "A", "email": "a@b.co"},
    )
    far = post_form(
        client,
        "/shop/default/book",
        {"service_id": "1", "date": "9999-12-31", "time": "23:59", "name": "A", "email": "a@b.co"},
    )
    empty = post_form(client, "/shop/default/contact", {"name": "A", "email": "a@b.co"})

    assert past.status_code == 422 and "Choose a time in the future." in past.get_data(True)
    assert garbled.status_code == 422 and "Service must be a whole number." in garbled.get_data(
        True
    )
    assert far.status_code == 422 and "within the next two years" in far.get_data(True)
    assert empty.status_code == 422 and "Message is required." in empty.get_data(True)


def test_a_post_without_the_form_token_is_refused(host: Flask) -> None:
    product = first_product(host)
    response = host.test_client().post(f"/shop/default/checkout/{product.id}", data=BUYER)

    assert response.status_code == 400
    with host.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0


class GroupRules:
    """Stands in for the plugin's group rules: only card, no coupons, free shipping."""

    @hookimpl
    def allowed_payment_methods(self, store_id: str, contact: Any, methods: Any) -> list[str]:
        return ["card"]

    @hookimpl
    def coupon_applies(self, store_id: str, user_id: Any, coupon_code: str) -> bool:
        return False

    @hookimpl
    def free_shipping_applies(self, store_id: str, user_id: Any) -> bool:
        return True


def test_checkout_honours_the_plugin_checkout_answers(make_host: Any) -> None:
    host = make_host(CUSTOMERS_PLUGINS=[GroupRules()])
    client = host.test_client()
    product = first_product(host)

    hidden_method = checkout(client, host, payment_method="paypal")
    refused_coupon = checkout(client, host, coupon_code="WELCOME10")
    accepted = checkout(client, host)

    assert hidden_method.status_code == 422
    assert "not available for your account" in hidden_method.get_data(as_text=True)
    assert refused_coupon.status_code == 422
    assert "This coupon is not available for your account." in refused_coupon.get_data(True)
    assert accepted.status_code == 303
    with host.app_context():
        order = db.session.scalars(select(Order)).one()
        assert (order.shipping_cents, order.total) == (0, product.price * 2)


class BrokenRules:
    @hookimpl
    def allowed_payment_methods(self, store_id: str, contact: Any, methods: Any) -> list[str]:
        raise RuntimeError("group rules are down")


def test_a_failing_checkout_answer_is_logged_and_the_host_rules_apply(
    make_host: Any, caplog: pytest.LogCaptureFixture
) -> None:
    host = make_host(CUSTOMERS_PLUGINS=[BrokenRules()])

    response = checkout(host.test_client(), host, payment_method="paypal")

    assert response.status_code == 303
    failures = [r.getMessage() for r in caplog.records if r.name == "examples.host_app.shop"]
    assert failures == ["customers hook allowed_payment_methods failed (store default)"]
    caplog.clear()  # expected here: the fixture fails tests on any other hook failure


def test_without_checkout_rules_the_host_rules_apply(host: Flask) -> None:
    product = first_product(host)
    response = checkout(host.test_client(), host, coupon_code="welcome10", payment_method="paypal")

    assert response.status_code == 303
    with host.app_context():
        order = db.session.scalars(select(Order)).one()
    subtotal = product.price * 2
    assert order.total == subtotal - subtotal / 10 + Decimal("4.90")


def test_each_store_sees_only_its_own_products_and_orders(host: Flask) -> None:
    client = host.test_client()
    default_product = first_product(host, "default")
    order_url = checkout(client, host).headers["Location"]

    second_page = client.get("/shop/second/").get_data(as_text=True)
    assert default_product.name not in second_page
    assert client.get(f"/shop/second/checkout/{default_product.id}").status_code == 404
    assert client.get(order_url.replace("/shop/default/", "/shop/second/")).status_code == 404
    assert client.get("/shop/unknown/").status_code == 404
    assert plugin_customer(host, "layla.haddad@example.com", store="second") is None


# -- admin protection: the host's answers to current_store / authorize -----------------------


@pytest.mark.parametrize(
    ("header", "store", "allowed"),
    [
        (None, "default", None),
        ("Bearer wrong-token", "default", None),
        ("Basic " + DEMO_ADMIN_TOKEN, "default", None),
        ("Bearer " + DEMO_ADMIN_TOKEN, "default", True),
        ("Bearer " + DEMO_ADMIN_TOKEN, "second", False),
        ("Bearer " + DEMO_SECOND_STORE_TOKEN, "second", True),
        ("Bearer " + DEMO_SECOND_STORE_TOKEN, "default", False),
    ],
)
def test_tokens_authorize_only_their_own_store(
    host: Flask, header: str | None, store: str, allowed: bool | None
) -> None:
    headers = {"Authorization": header} if header else {}
    hook = host.extensions["customers"].hook
    with host.test_request_context("/api/v1/customers", headers=headers) as ctx:
        answer = hook.authorize(request=ctx.request, permission="customers.read", store_id=store)
    assert answer is allowed


def test_each_token_selects_its_store(host: Flask) -> None:
    hook = host.extensions["customers"].hook
    answers = {}
    for token in (DEMO_ADMIN_TOKEN, DEMO_SECOND_STORE_TOKEN, "unknown"):
        headers = {"Authorization": f"Bearer {token}"}
        with host.test_request_context("/api/v1/customers", headers=headers) as ctx:
            answers[token] = hook.current_store(request=ctx.request)
    assert answers == {
        DEMO_ADMIN_TOKEN: "default",
        DEMO_SECOND_STORE_TOKEN: "second",
        "unknown": None,
    }


def test_tokens_come_from_the_environment(make_host: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("HOST_APP_ADMIN_TOKEN", "s3cret-first")
    host = make_host()
    hook = host.extensions["customers"].hook
    for token, expected in (("s3cret-first", True), (DEMO_ADMIN_TOKEN, None)):
        headers = {"Authorization": f"Bearer {token}"}
        with host.test_request_context("/", headers=headers) as ctx:
            answer = hook.authorize(request=ctx.request, permission="x", store_id="default")
        assert answer is expected


# -- demo data --------------------------------------------------------------------------------


def test_seed_demo_fills_the_shop_through_the_hooks(host: Flask) -> None:
    runner = host.test_cli_runner()

    result = runner.invoke(args=["seed-demo", "--customers", "12"])

    assert result.exit_code == 0, result.output
    with host.app_context():
        host_orders = db.session.scalars(select(Order)).all()
    counted = [o for o in host_orders if o.status == "placed"]
    with host.extensions["customers"].db.session() as session:
        assert session.scalar(select(func.count(Customer.id))) == 12
        assert session.scalar(select(func.count(OrderSummary.id))) == len(host_orders)
        assert session.scalar(select(func.sum(Customer.orders_count))) == len(counted)
        spent = session.scalar(select(func.sum(Customer.total_spent))) or Decimal(0)
        languages = set(session.scalars(select(Customer.language)).all())
    assert Decimal(spent) == sum((o.total for o in counted), Decimal(0))
    assert languages <= {"ar", "he", "it", "en"} and len(languages) >= 2


def test_seed_demo_if_empty_leaves_a_filled_shop_alone(host: Flask) -> None:
    runner = host.test_cli_runner()
    runner.invoke(args=["seed-demo", "--customers", "5"])

    again = runner.invoke(args=["seed-demo", "--customers", "5", "--if-empty"])

    assert again.exit_code == 0 and "nothing to do" in again.output
    with host.extensions["customers"].db.session() as session:
        assert session.scalar(select(func.count(Customer.id))) == 5


def test_host_and_plugin_tables_live_side_by_side(host: Flask) -> None:
    with host.app_context():
        names = set(db.metadata.tables)
    assert names and all(n.startswith("shop_") for n in names)
    assert not names & set(Base.metadata.tables)
    with host.extensions["customers"].db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM shop_products")).scalar() > 0


# -- the plugin's admin API behind the host's tokens, and the admin page ---------------------


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_admin_api_answers_401_without_a_known_token(host: Flask) -> None:
    client = host.test_client()

    for headers in ({}, bearer("not-a-token")):
        response = client.get("/api/v1/customers", headers=headers)
        assert response.status_code == 401
        assert "error" in response.get_json()


def test_each_token_sees_only_its_own_store_customers(host: Flask) -> None:
    client = host.test_client()
    checkout(client, host)
    second = first_product(host, "second")
    post_form(
        client,
        f"/shop/second/checkout/{second.id}",
        {**BUYER, "email": "second@example.com", "phone": "", "name": "Dana Levi"},
    )
    other = plugin_customer(host, "second@example.com", store="second")

    first_list = client.get("/api/v1/customers", headers=bearer(DEMO_ADMIN_TOKEN))
    second_list = client.get("/api/v1/customers", headers=bearer(DEMO_SECOND_STORE_TOKEN))
    foreign_card = client.get(f"/api/v1/customers/{other.id}", headers=bearer(DEMO_ADMIN_TOKEN))
    own_card = client.get(f"/api/v1/customers/{other.id}", headers=bearer(DEMO_SECOND_STORE_TOKEN))

    assert first_list.status_code == second_list.status_code == 200
    assert [c["email"] for c in first_list.get_json()["items"]] == ["Layla.Haddad@Example.com"]
    assert [c["email"] for c in second_list.get_json()["items"]] == ["second@example.com"]
    assert foreign_card.status_code == 404
    assert own_card.status_code == 200 and own_card.get_json()["orders_count"] == 1


def test_admin_page_calls_the_api_under_the_configured_prefix(make_host: Any) -> None:
    host = make_host(CUSTOMERS_URL_PREFIX="/shop-api/v1")
    client = host.test_client()

    page = client.get("/admin/")
    script = client.get("/admin/static/api.js")

    assert page.status_code == 200
    assert '"api": "/shop-api/v1"' in page.get_data(as_text=True)
    assert script.status_code == 200 and b"X-Customers-CSRF" not in script.data  # from config
    script.close()


def test_the_demo_outbox_sends_the_cards_messages_without_smtp(host: Flask) -> None:
    client = host.test_client()
    post_form(
        client,
        "/shop/default/contact",
        {"name": "Giulia Rossi", "email": "giulia@example.it", "subject": "Ciao",
         "message": "Spedite a Bari?", "subscribe": "yes", "phone": "+393331234567"},
    )  # fmt: skip
    customer = plugin_customer(host, "giulia@example.it")
    admin = {"Authorization": f"Bearer {DEMO_ADMIN_TOKEN}"}
    body = {"channel": "email", "purpose": "marketing", "subject": "Saldi", "body": "Ciao {name}"}
    sent = client.post(f"/api/v1/customers/{customer.id}/messages", json=body, headers=admin)
    assert sent.status_code == 202, sent.json
    [mail] = client.get("/demo/outbox").json
    assert (mail["to"], mail["subject"]) == ("giulia@example.it", "Saldi")
    assert mail["body"].startswith("Ciao Giulia Rossi")
    assert mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    thread = client.get(f"/api/v1/threads/{sent.json['thread_id']}", headers=admin).json
    assert [m["state"] for m in thread["messages"]] == ["sent"]
