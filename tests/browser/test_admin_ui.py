"""The admin (``customers_plugin.admin``) on the example host, in Chromium, as a merchant uses
it: signed in through the host's staff sign-in (a session cookie), the customer list (search,
filters, sorting, status tabs, pages, the address keeping it all), bulk actions on chosen rows
and on everything that matches, the customer card's tabs and actions, adding a customer, the
buttons each role sees, Arabic right to left, a phone's width and an accessibility check.

The tests share one seeded shop (``shop.py``); each changes only customers no other test
looks at."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from .a11y import problems
from .conftest import PHONE, admin_tab
from .shop import BUYER, FILLER, NAMED, SKIP, SKIP_REASON, Shop

if SKIP:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # imported only when not skipped

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

pytestmark = pytest.mark.browser

PAGE_SIZE = 50  # what the list asks for


def rows(page: Page) -> Locator:
    return page.locator("table.customers tbody tr")


def names(page: Page) -> Locator:
    return page.locator("table.customers tbody td.name")


def search(page: Page, text: str) -> None:
    page.get_by_label("Search customers").fill(text)
    page.get_by_role("button", name="Search", exact=True).click()


def open_card(page: Page, name: str) -> None:
    search(page, name)
    expect(names(page)).to_have_text([name])
    names(page).get_by_role("link").click()
    expect(page.locator(".card-head h1")).to_have_text(name)


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")


def bulk_dialog(page: Page, button: str, label: str, value: str, submit: str) -> None:
    page.locator(".selection").get_by_role("button", name=button, exact=True).click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label(label).fill(value)
    dialog.get_by_role("button", name=submit).click()


def test_the_list_searches_filters_sorts_pages_and_keeps_its_state_in_the_address(
    page: Page,
) -> None:
    expect(rows(page)).to_have_count(PAGE_SIZE)
    expect(names(page).first).to_have_text(NAMED[-1])  # newest joined first
    giulia = rows(page).filter(has_text="giulia@example.com")
    expect(giulia.locator("td[data-label='Total spent']")).to_have_text("$0.00")
    expect(giulia.locator("td[data-label='Marketing'] .dot.off")).to_have_text("Not set")

    page.get_by_role("button", name="Next page").click()  # the keyset cursor: no count
    expect(rows(page)).to_have_count(len(FILLER) + len(NAMED) - PAGE_SIZE)
    assert "cursor=" in page.url
    page.get_by_role("button", name="First page").click()
    expect(rows(page)).to_have_count(PAGE_SIZE)

    page.locator("th").get_by_role("button", name="Name").click()
    expect(page.locator("th[aria-sort=ascending]")).to_have_text(re.compile("Name"))
    expect(names(page).first).to_have_text("Filler Customer 01")
    assert "sort=name" in page.url

    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/api/v1/" in r.url else None)
    search(page, "ليلى")
    expect(names(page)).to_have_text([BUYER])
    assert len(asked) == 1 and "/api/v1/customers?" in asked[0]  # one request, none per row
    search(page, "niccolo")  # without its accent
    expect(names(page)).to_have_text(["Niccolò Bianchi"])
    search(page, "")

    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Country").fill("il")
    page.get_by_label("Tag").fill("vip")
    page.get_by_role("button", name="Apply filters").click()
    expect(names(page)).to_have_text(["דנה לוי"])  # in Israel and tagged vip
    assert "country=IL" in page.url and "tag=vip" in page.url
    page.reload()  # the address holds the whole state
    expect(names(page)).to_have_text(["דנה לוי"])
    expect(page.get_by_text("Filters (2)")).to_be_visible()

    page.get_by_role("button", name="Reset").click()
    expect(rows(page)).to_have_count(PAGE_SIZE)
    assert "country" not in page.url and "sort=name" in page.url

    page.get_by_role("link", name="Blocked", exact=True).click()
    expect(page.get_by_role("link", name="Blocked", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_text("No customers match.")).to_be_visible()
    page.go_back()  # Back shows the active list again
    expect(rows(page)).to_have_count(PAGE_SIZE)


def test_bulk_tag_by_chosen_rows_and_by_filter_then_deactivate(page: Page, shop: Shop) -> None:
    search(page, "Filler Customer 0")  # 01 to 09
    expect(rows(page)).to_have_count(9)
    page.get_by_label("Select every customer on this page").check()
    expect(page.locator(".selection")).to_contain_text("9 selected")
    bulk_dialog(page, "Tag", "Tag", "batch-one", "Add tag")
    expect(page.locator("#toast")).to_have_text("Done: 9 of 9 customers changed.")
    expect(rows(page).locator(".chip", has_text="batch-one")).to_have_count(9)

    search(page, "Filler Customer 1")  # 10 to 19
    expect(rows(page)).to_have_count(10)
    page.get_by_label("Select every customer on this page").check()
    page.get_by_role("button", name="Select all that match").click()
    expect(page.locator(".selection")).to_contain_text("Every customer that matches")
    bulk_dialog(page, "Tag", "Tag", "by-filter", "Add tag")
    expect(page.locator("#toast")).to_have_text("Done: 10 of 10 customers changed.")
    tagged = shop.api("GET", "/customers?tag=by-filter&limit=50")["items"]
    assert sorted(c["name"] for c in tagged) == [f"Filler Customer {i}" for i in range(10, 20)]
    # the list shows the new tags once it has reloaded: rows chosen before then would be gone
    expect(rows(page).locator(".chip", has_text="by-filter")).to_have_count(10)

    page.get_by_label("Select Filler Customer 10").check()
    page.get_by_label("Select Filler Customer 11").check()
    expect(page.locator(".selection")).to_contain_text("2 selected")
    page.locator(".selection").get_by_role("button", name="Deactivate").click()
    expect(page.locator("#toast")).to_have_text("Done: 2 of 2 customers changed.")
    expect(rows(page)).to_have_count(8)
    page.get_by_role("link", name="Inactive", exact=True).click()
    expect(names(page)).to_have_text(["Filler Customer 11", "Filler Customer 10"])
    expect(rows(page).locator(".status.inactive").first).to_have_text("Inactive")


def test_the_card_tabs_and_actions(page: Page, shop: Shop) -> None:
    open_card(page, BUYER)
    expect(page.get_by_role("region", name="Contacts")).to_contain_text("+966501234567")

    open_tab(page, "Orders")
    expect(page.get_by_role("tabpanel").locator("ul.items > li")).to_have_count(1)

    open_tab(page, "Notes")
    page.get_by_label("Note", exact=True).fill("Called her: prefers WhatsApp")
    page.get_by_label("File").set_input_files(
        files=[{"name": "receipt.txt", "mimeType": "text/plain", "buffer": b"paid 100"}]
    )
    page.get_by_role("button", name="Add note").click()
    note = page.get_by_role("tabpanel").locator("article").first
    expect(note).to_contain_text("Called her: prefers WhatsApp")
    link = note.get_by_role("link", name="receipt.txt")
    download = page.request.get(link.evaluate("a => a.href"))
    assert download.ok and download.body() == b"paid 100"

    open_tab(page, "Tasks")
    page.get_by_label("Task", exact=True).fill("Call back about the refund")
    page.get_by_label("Assigned to").select_option(label="Staff")
    page.get_by_role("button", name="Add task").click()
    task = page.get_by_role("tabpanel").locator("article", has_text="Call back")
    expect(task).to_contain_text("Staff")
    task.get_by_role("button", name="Mark done").click()
    expect(task.get_by_role("button", name="Open again")).to_be_visible()
    expect(task.locator(".chip")).to_have_text("Done")

    page.get_by_role("button", name="Block", exact=True).click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Reason").select_option("fraud")
    dialog.get_by_label("Details").fill("chargebacks")
    dialog.get_by_role("button", name="Block").click()
    expect(page.locator(".card-head .status.blocked")).to_have_text("Blocked: Fraud")
    page.get_by_role("button", name="Unblock").click()
    expect(page.locator(".card-head .status")).to_have_count(0)

    page.get_by_role("button", name="Wallet").click()
    dialog = page.locator("dialog[open]")
    dialog.get_by_label("Amount").fill("25")
    dialog.get_by_label("Reason").fill("goodwill")
    dialog.get_by_role("button", name="Save").click()
    open_tab(page, "Overview")
    expect(page.get_by_test_id("wallet-balance")).to_have_text("$25.00")
    customer = shop.api("GET", "/customers?q=layla.haddad@example.com")["items"][0]
    assert shop.api("GET", f"/customers/{customer['id']}")["wallet_balance"] == "25.00"

    for tab in ("Bookings", "Wishlist", "Reviews", "Activity"):
        open_tab(page, tab)
    expect(page.get_by_role("tabpanel")).to_contain_text("block")  # the activity log


def test_add_a_customer_with_a_tag_and_subscribed(page: Page, shop: Shop) -> None:
    page.get_by_role("link", name="Add customer").click()
    page.get_by_label("Email").fill("sami@example.com")
    page.get_by_label("Name").fill("سامي يوسف")
    page.get_by_label("Tags").fill("walk-in, vip")
    page.get_by_label("Marketing").select_option("subscribed")
    page.get_by_role("button", name="Add customer").click()

    expect(page.locator(".card-head h1")).to_have_text("سامي يوسف")
    tags = page.get_by_role("region", name="Tags and groups").locator(".chip bdi")
    expect(tags).to_have_text(["vip", "walk-in"])
    expect(page.get_by_role("region", name="Consent")).to_contain_text("Subscribed")
    created = shop.api("GET", "/customers?q=sami@example.com")["items"][0]
    assert created["marketing_consent"] == "subscribed"


def test_each_role_sees_only_the_buttons_it_may_use(browser: Browser, shop: Shop) -> None:
    with admin_tab(browser, shop, account="Demo Shop: read-only") as page:
        expect(rows(page)).to_have_count(PAGE_SIZE)
        expect(page.get_by_role("link", name="Add customer")).to_have_count(0)
        page.get_by_label("Select Giulia Rossi").check()
        expect(page.locator(".selection button", has_text="Tag")).to_have_count(0)
        open_card(page, "Giulia Rossi")
        expect(page.locator(".card-head button")).to_have_count(0)
        open_tab(page, "Notes")
        expect(page.get_by_role("button", name="Add note")).to_have_count(0)
    with admin_tab(browser, shop, account="Demo Shop: staff") as page:
        open_card(page, "Giulia Rossi")
        expect(page.get_by_role("button", name="Edit")).to_be_visible()
        expect(page.get_by_role("button", name="Block", exact=True)).to_be_visible()
        for hidden in ("Wallet", "Delete"):  # no money, no deleting for staff
            expect(page.get_by_role("button", name=hidden, exact=True)).to_have_count(0)


def test_arabic_reads_right_to_left_on_a_desktop_and_on_a_phone(
    browser: Browser, shop: Shop
) -> None:
    with admin_tab(browser, shop, locale="ar-SA") as page:
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("html")).to_have_attribute("lang", "ar")
        expect(page.locator("h1")).to_have_text("العملاء")
        expect(rows(page)).to_have_count(PAGE_SIZE)
        heads = page.locator("table.customers th")
        first, last = heads.first.bounding_box(), heads.last.bounding_box()
        assert first and last and first["x"] > last["x"]  # the first column on the right
        email = rows(page).first.locator("td[data-label='البريد الإلكتروني'] bdi")
        assert email.evaluate("e => getComputedStyle(e).direction") == "ltr"
        assert problems(page) == []

        page.get_by_label("البحث عن العملاء").fill("Niccolò")
        page.get_by_role("button", name="بحث", exact=True).click()
        expect(names(page)).to_have_text(["Niccolò Bianchi"])
        names(page).get_by_role("link").click()
        expect(page.get_by_role("tab", name="نظرة عامة")).to_have_attribute("aria-selected", "true")
        page.keyboard.press("Tab")  # the keyboard: arrows move between the tabs
        page.get_by_role("tab", name="نظرة عامة").focus()
        page.keyboard.press("ArrowLeft")  # right to left: the next tab is on the left
        expect(page.get_by_role("tab", name="الطلبات")).to_be_focused()
        assert problems(page) == []

        page.set_viewport_size(PHONE)
        page.go_back()
        expect(rows(page)).to_have_count(1)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        card = rows(page).first.bounding_box()
        assert card and card["width"] <= PHONE["width"]


def test_english_on_a_phone_and_the_accessibility_check(browser: Browser, shop: Shop) -> None:
    with admin_tab(browser, shop, viewport=PHONE) as page:
        expect(rows(page)).to_have_count(PAGE_SIZE)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        cell = rows(page).first.locator("td[data-label='Email']")
        assert cell.evaluate("e => getComputedStyle(e, '::before').content") == '"Email"'
        assert problems(page) == []
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()

        open_card(page, "Giulia Rossi")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert problems(page) == []
        page.get_by_role("button", name="Edit").click()
        expect(page.locator("dialog[open]")).to_contain_text("(cannot be changed)")
        assert problems(page) == []
        page.keyboard.press("Escape")
        expect(page.locator("dialog[open]")).to_have_count(0)

        page.evaluate(  # the check itself finds what it is written to find
            """() => document.getElementById("view").append(
                 Object.assign(document.createElement("input"), {id: "unnamed"}),
                 Object.assign(document.createElement("span"), {
                   textContent: "pale", style: "color: #ccc; background: #fff"}))"""
        )
        found = problems(page)
        assert any("control without a name: input#unnamed" in p for p in found), found
        assert any(p.startswith("contrast 1.6") and "pale" in p for p in found), found
