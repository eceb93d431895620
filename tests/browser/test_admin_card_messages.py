"""The customer card's messages, timeline, orders and coupons in Chromium, as a merchant uses
them: send an email from the card and read it in its thread, reply inside the thread, see it in
the timeline, see the API's refusal in the form, place an order through the host, assign and
revoke a coupon, send a wished product with a discount, send one message to chosen rows of the
list; and the messages tab in Arabic, checked for accessibility.

The module has its own seeded shop (``shop.py``): an order placed here would change the
spending that other modules' tests count; each test here uses customers the others do not."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from customers_plugin.services import wishlist
from examples.host_app.models import Product, db

from .a11y import problems
from .conftest import admin_tab
from .shop import ARABIC, SKIP, SKIP_REASON, Shop, serve
from .test_admin_ui import open_card, open_tab, search

if SKIP:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # imported only when not skipped

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    with serve(tmp_path_factory.mktemp("card_shop")) as running:
        yield running


def customer_path(shop: Shop, email: str) -> str:
    return f"/customers/{shop.api('GET', f'/customers?q={email}')['items'][0]['id']}"


def test_send_and_reply_from_the_card_then_the_timeline_shows_it(page: Page, shop: Shop) -> None:
    open_card(page, ARABIC[1])
    open_tab(page, "Messages")
    panel = page.get_by_role("tabpanel")
    expect(panel).to_contain_text("No messages yet.")

    panel.get_by_label("Channel").select_option("sms")  # Omar has no phone: the API says no
    expect(panel.get_by_label("Subject")).to_be_hidden()
    panel.get_by_label("Message").fill("Your parcel left")
    panel.get_by_role("button", name="Send", exact=True).click()
    expect(panel.get_by_role("alert")).not_to_be_empty()
    assert shop.api("GET", customer_path(shop, "omar@example.com") + "/threads")["items"] == []

    panel.get_by_label("Channel").select_option("email")
    panel.get_by_label("Subject").fill("Your order")
    panel.get_by_label("Message").fill("It left our shop today.")
    panel.get_by_role("button", name="Send", exact=True).click()
    bubbles = panel.locator("li.message")
    expect(bubbles).to_have_count(1)
    expect(bubbles.first).to_contain_text("It left our shop today.")
    expect(bubbles.first).to_contain_text("To the customer")
    expect(panel.get_by_role("heading", name="Reply in this thread")).to_be_visible()

    panel.get_by_label("Message").fill("Tracking: 123")
    panel.get_by_role("button", name="Reply", exact=True).click()
    expect(bubbles).to_have_count(2)
    expect(bubbles.last).to_contain_text("Tracking: 123")
    threads = shop.api("GET", customer_path(shop, "omar@example.com") + "/threads")["items"]
    assert len(threads) == 1 and threads[0]["subject"] == "Your order"
    expect(panel.locator("ul.items > li")).to_have_count(1)  # one thread, both messages

    open_tab(page, "Timeline")
    panel.get_by_label("Show").select_option("message")
    items = panel.locator("ul.items > li")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Tracking: 123")  # newest first
    panel.get_by_label("Show").select_option("note")
    expect(panel).to_contain_text("Nothing here yet.")


def test_bulk_message_then_place_an_order_and_assign_then_revoke_a_coupon(
    page: Page, shop: Shop
) -> None:
    search(page, "Filler Customer 4")  # 40 to 49
    page.get_by_label("Select Filler Customer 46").check()
    page.get_by_label("Select Filler Customer 47").check()
    page.locator(".selection").get_by_role("button", name="Send message").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Subject").fill("Spring sale")
    dialog.get_by_label("Message").fill("Ten percent off this week.")
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#toast")).to_have_text(
        "Queued 2 messages; 0 customers skipped (no address or consent)."
    )
    for email in ("filler45@example.com", "filler46@example.com"):
        threads = shop.api("GET", customer_path(shop, email) + "/threads")["items"]
        assert [t["subject"] for t in threads] == ["Spring sale"]

    open_card(page, "Filler Customer 45")
    path = customer_path(shop, "filler44@example.com")

    page.get_by_role("button", name="Place order").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Product id").fill("no-such-product")
    dialog.get_by_role("button", name="Place order").click()
    expect(page.locator("#toast")).to_have_text(
        "The shop refused the order: This product is not sold here."
    )

    page.get_by_role("button", name="Place order").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Product id").fill(first_product(shop))
    dialog.get_by_label("Quantity").fill("2")
    dialog.get_by_label("Note").fill("phoned in")
    dialog.get_by_role("button", name="Place order").click()
    expect(page.locator("#toast")).to_contain_text("The order was placed: the shop's reference is")
    placed = shop.api("GET", path + "/timeline?kind=order")["items"]
    assert len(placed) == 1

    open_tab(page, "Coupons")
    panel = page.get_by_role("tabpanel")
    panel.get_by_label("Code").fill("THANKS-45")
    panel.get_by_label("Uses").fill("2")
    panel.get_by_role("button", name="Assign", exact=True).click()
    coupon = panel.locator("ul.items > li", has_text="THANKS-45")
    expect(coupon).to_contain_text("Active")
    expect(coupon).to_contain_text("used 0 of 2")
    coupon.get_by_role("button", name="Revoke THANKS-45").click()
    page.locator("dialog[open]").get_by_role("button", name="Revoke").click()
    expect(coupon).to_contain_text("Revoked")
    expect(coupon.get_by_role("button")).to_have_count(0)
    assert shop.api("GET", path + "/coupons")["items"][0]["state"] == "revoked"

    with shop.app.app_context(), shop.app.extensions["customers"].db.transaction() as session:
        mug = wishlist.Product.of(first_product(shop), "Mug", Decimal("10.00"), "USD")
        wishlist.add(session, "default", uuid.UUID(path.rsplit("/", 1)[1]), mug)
    open_tab(page, "Wishlist")
    page.get_by_role("tabpanel").get_by_role("button", name="Send with discount").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Value").fill("15")
    dialog.get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("#toast")).to_have_text(re.compile(r"^Coupon GIFT-\w+ was sent\.$"))
    gifts = [
        c for c in shop.api("GET", path + "/coupons")["items"] if c["source"] == "wishlist_gift"
    ]
    assert [(g["state"], g["discount"]["value"]) for g in gifts] == [("active", "15.00")]


def test_the_messages_tab_in_arabic(browser: Browser, shop: Shop) -> None:
    path = customer_path(shop, "nour@example.com")
    body = {"channel": "email", "purpose": "transactional", "subject": "طلبك", "body": "شكراً لك"}
    shop.api("POST", path + "/messages", json=body)
    with admin_tab(browser, shop, locale="ar-SA") as page:
        page.goto(shop.url + path.lstrip("/") + "?tab=messages")
        panel = page.get_by_role("tabpanel")
        expect(page.get_by_role("tab", name="الرسائل")).to_have_attribute("aria-selected", "true")
        panel.get_by_role("button", name="طلبك").click()
        expect(panel.locator("li.message")).to_contain_text("شكراً لك")
        expect(panel.get_by_role("heading", name="الرد في هذه المحادثة")).to_be_visible()
        assert problems(page) == []


def first_product(shop: Shop) -> str:
    """The Demo Shop's first product id (the host's)."""
    with shop.app.app_context():
        found = db.session.scalars(
            select(Product).filter_by(store_id="default").order_by(Product.id)
        ).first()
        assert found is not None
        return str(found.id)
