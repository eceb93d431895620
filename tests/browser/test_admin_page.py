"""The example host app's admin page (/admin/) in a real Chromium, used as a merchant uses it: a
token typed in and kept for the session, the list, search in Arabic and Hebrew (right-to-left
names in left-to-right rows), the next page through the API's cursor, the customer card, another
store's token, and the error shown instead of data when the token is wrong.

The page is read-only: no filters, sort or actions of its own. Changes made through the API
(tags, a block) show on the page's next search."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from examples.host_app.stores import DEMO_ADMIN_TOKEN, DEMO_SECOND_STORE_TOKEN

from .shop import BUYER, FILLER, NAMED, SECOND_STORE, SKIP, SKIP_REASON, Shop

if SKIP:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # imported only when not skipped

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

pytestmark = pytest.mark.browser

PAGE_SIZE = 50  # what admin.js asks for
COLUMNS = ["name", "email", "phone", "country", "orders", "spent", "sources", "tags"]


def rows(page: Page) -> Locator:
    return page.locator("#list tbody tr")


def name_cells(page: Page) -> Locator:
    return page.locator("#list tbody tr td:first-child")


def names(page: Page) -> list[str]:
    return name_cells(page).all_inner_texts()


def expect_names(page: Page, expected: list[str]) -> None:
    """Waits for exactly these rows (a search answered with as many rows as the last one)."""
    expect(name_cells(page)).to_have_text(expected)


def row_of(page: Page, name: str) -> dict[str, str]:
    row = rows(page).filter(has=page.get_by_role("cell", name=name, exact=True))
    return dict(zip(COLUMNS, row.locator("td").all_inner_texts(), strict=True))


def right_to_left(locator: Locator) -> bool:
    return locator.evaluate("element => element.matches(':dir(rtl)')")


def use_token(page: Page, token: str) -> None:
    page.fill("#token", token)
    page.click("#auth button[type=submit]")


def search(page: Page, q: str) -> None:
    page.fill("#q", q)
    page.click("#search button[type=submit]")


def signed_in(page: Page, token: str = DEMO_ADMIN_TOKEN) -> Page:
    use_token(page, token)
    expect(rows(page)).to_have_count(PAGE_SIZE)
    return page


def test_the_token_is_kept_for_the_session_and_the_list_loads_by_itself(page: Page) -> None:
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#more")).to_be_hidden()

    signed_in(page)

    assert names(page)[: len(NAMED)] == NAMED[::-1]  # newest joined first
    assert row_of(page, "Giulia Rossi") == {
        **dict.fromkeys(COLUMNS, ""),
        "name": "Giulia Rossi",
        "email": "giulia@example.com",
        "country": "IT",
        "orders": "0",
        "spent": "0.00",
        "sources": "manual",
    }
    expect(page.locator("#status")).to_be_hidden()
    expect(page.locator("#more")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('customersToken')") == DEMO_ADMIN_TOKEN

    page.reload()  # the token comes back from sessionStorage and the list loads with it

    expect(page.locator("#token")).to_have_value(DEMO_ADMIN_TOKEN)
    expect(rows(page)).to_have_count(PAGE_SIZE)


def test_search_in_arabic_and_hebrew_finds_them_and_their_names_read_right_to_left(
    page: Page,
) -> None:
    signed_in(page)

    search(page, "ليلى")
    expect_names(page, [BUYER])
    buyer = row_of(page, BUYER)
    assert buyer["email"] == "layla.haddad@example.com" and buyer["phone"] == "+966501234567"
    assert (buyer["orders"], buyer["sources"]) == ("1", "store")
    assert right_to_left(page.get_by_role("cell", name=BUYER, exact=True))
    assert not right_to_left(page.get_by_role("cell", name="layla.haddad@example.com"))

    search(page, "الفاروق")  # a later word of the name
    expect_names(page, ["عمر الفاروق"])
    assert row_of(page, "عمر الفاروق")["tags"] == "vip"

    search(page, "כהן")
    expect_names(page, ["אבי כהן"])
    assert right_to_left(page.get_by_role("cell", name="אבי כהן", exact=True))

    search(page, "דנה")
    expect_names(page, ["דנה לוי"])

    search(page, "niccolo")  # without the accent
    expect_names(page, ["Niccolò Bianchi"])
    assert not right_to_left(page.get_by_role("cell", name="Niccolò Bianchi", exact=True))

    search(page, "nobody such")
    expect(page.locator("#status")).to_have_text("No customers match.")
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#more")).to_be_hidden()

    search(page, "")  # an empty search is the whole list again
    expect(rows(page)).to_have_count(PAGE_SIZE)
    expect(page.locator("#status")).to_be_hidden()


def test_more_continues_the_list_from_the_cursor(page: Page) -> None:
    everyone = sorted([*FILLER, BUYER, *NAMED[1:]])
    signed_in(page)

    page.click("#more")

    expect(rows(page)).to_have_count(len(everyone))
    assert sorted(names(page)) == everyone  # no one twice, no one missing, no other store
    expect(page.locator("#more")).to_be_hidden()


def test_more_continues_the_listed_search_not_what_is_typed_since(page: Page) -> None:
    signed_in(page)
    page.fill("#q", "Giulia")  # typed, not searched

    page.click("#more")

    expect(rows(page)).to_have_count(len(FILLER) + len(NAMED))
    assert names(page).count("Giulia Rossi") == 1


def test_a_double_click_on_more_loads_the_next_page_once(page: Page) -> None:
    signed_in(page)

    page.dblclick("#more")

    expect(page.locator("#more")).to_be_hidden()
    assert len(names(page)) == len(set(names(page))) == len(FILLER) + len(NAMED)


def test_a_row_opens_the_customer_card(page: Page) -> None:
    signed_in(page)
    card = page.locator("#card")
    expect(card).to_be_hidden()

    search(page, "ليلى")
    page.get_by_role("cell", name=BUYER, exact=True).click()

    expect(card.locator("h2")).to_have_text(BUYER)
    assert right_to_left(card.locator("h2"))
    details = dict(
        zip(
            card.locator("dl").first.locator("dt").all_inner_texts(),
            card.locator("dl").first.locator("dd").all_inner_texts(),
            strict=True,
        )
    )
    assert details["email"] == "layla.haddad@example.com"
    assert details["phone"] == "+966501234567"
    assert (details["country"], details["orders count"], details["sources"]) == ("SA", "1", "store")
    assert float(details["total spent"]) > 0
    expect(card.get_by_role("heading", name="recent orders")).to_be_visible()
    order = card.locator("h3:has-text('recent orders') + ul li")
    expect(order).to_have_count(1)
    expect(order).to_contain_text("status: placed")

    search(page, "Niccolò")  # the keyboard: a focused row opens with Enter
    page.get_by_role("cell", name="Niccolò Bianchi", exact=True).locator("..").press("Enter")

    expect(card.locator("h2")).to_have_text("Niccolò Bianchi")
    assert not right_to_left(card.locator("h2"))
    tags = card.locator("h3:has-text('tags') + ul li")
    expect(tags).to_have_count(1)
    expect(tags).to_contain_text("name: wholesale")


def test_another_stores_token_lists_only_that_store_and_shows_changes_made_through_the_api(
    page: Page, shop: Shop
) -> None:
    use_token(page, DEMO_SECOND_STORE_TOKEN)
    expect_names(page, [SECOND_STORE])
    expect(page.locator("#more")).to_be_hidden()
    (customer,) = shop.api("GET", "/customers", token=DEMO_SECOND_STORE_TOKEN)["items"]
    path = f"/customers/{customer['id']}"

    shop.api("POST", path + "/tags", token=DEMO_SECOND_STORE_TOKEN, json={"tags": ["مميز"]})
    search(page, "")
    expect(page.get_by_role("cell", name="مميز", exact=True)).to_be_visible()

    shop.api("POST", path + "/block", token=DEMO_SECOND_STORE_TOKEN, json={"reason": "fraud"})
    search(page, "")
    expect(page.locator("#status")).to_have_text("No customers match.")  # blocked: not listed
    expect(rows(page)).to_have_count(0)


def test_a_wrong_token_shows_the_error_instead_of_data(page: Page) -> None:
    signed_in(page)
    search(page, "ليلى")
    page.get_by_role("cell", name=BUYER, exact=True).click()
    expect(page.locator("#card")).to_be_visible()

    use_token(page, "not-a-token")

    expect(page.locator("#status")).to_contain_text("401 — ")
    expect(rows(page)).to_have_count(0)
    expect(page.locator("#more")).to_be_hidden()
    expect(page.locator("#card")).to_be_hidden()  # no customer data left on the page

    page.fill("#token", "")
    search(page, "")
    expect(page.locator("#status")).to_have_text("Enter an admin token first.")
    expect(rows(page)).to_have_count(0)
