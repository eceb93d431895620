"""The example shop's own pages in Chromium: a product name mixing Latin and Arabic keeps the
quantity after it on the order page, and the product cards hold their wishlist form."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from examples.host_app.models import Order, db

from .conftest import ACTION_TIMEOUT_MS
from .shop import SKIP, SKIP_REASON, Shop

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(SKIP, reason=SKIP_REASON)]

# Where a piece of text of an element is drawn: the box of the characters of ``needle``.
TEXT_BOX = """(element, needle) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const full = element.textContent;
  const start = full.indexOf(needle);
  if (start < 0) return null;
  let offset = 0, range = document.createRange(), begun = false;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const length = node.textContent.length;
    if (!begun && start < offset + length) { range.setStart(node, start - offset); begun = true; }
    if (begun && start + needle.length <= offset + length) {
      range.setEnd(node, start + needle.length - offset);
      const box = range.getBoundingClientRect();
      return { left: box.left, right: box.right };
    }
    offset += length;
  }
  return null;
}"""


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US", viewport={"width": 1000, "height": 800})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    yield context.new_page()
    context.close()


def test_the_quantity_follows_a_mixed_direction_product_name_on_the_order_page(
    tab: Page, shop: Shop
) -> None:
    with shop.app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id)).first()
        name, quantity, ref = order.product_name, order.quantity, order.ref
    assert any("\u0600" <= ch <= "\u06ff" for ch in name), "the seeded product mixes scripts"
    tab.goto(shop.url.replace("/admin/", f"/shop/default/orders/{ref}"))
    cell = tab.locator("table.summary tr", has_text="Product").locator("td")
    name_box = cell.evaluate(TEXT_BOX, name)
    count_box = cell.evaluate(TEXT_BOX, f"× {quantity}")
    assert name_box and count_box
    assert count_box["left"] >= name_box["right"] - 0.5, (name_box, count_box)


def test_the_wishlist_form_stays_inside_its_product_card(tab: Page, shop: Shop) -> None:
    tab.goto(shop.url.replace("/admin/", "/shop/default/"))
    for width in (1280, 1000, 800, 545, 360):
        tab.set_viewport_size({"width": width, "height": 800})
        cards = tab.locator("li.card")
        assert cards.count() >= 3
        for i in range(cards.count()):
            # the form spans the card's content box: its button stays within it (padding kept)
            inside = cards.nth(i).locator("form.wish").bounding_box()
            field = cards.nth(i).locator("form.wish button").bounding_box()
            assert inside and field
            assert field["x"] >= inside["x"], (width, i, inside, field)
            assert field["x"] + field["width"] <= inside["x"] + inside["width"] + 0.5, (
                width,
                i,
                inside,
                field,
            )
