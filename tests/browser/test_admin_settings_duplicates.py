"""The admin's settings and duplicates screens on the example host, in Chromium: a setting
changed (a refused value shown beside its field first), then reset to the app's default; a
suggested duplicate pair merged into one customer and the merge undone; the settings screen in
Arabic, right to left, with the accessibility check.

The duplicate pair is written in the Second Shop (its owner signs in), so the Demo Shop's list
the other browser tests count stays as seeded; the settings test puts back what it changes."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from examples.host_app.stores import DEMO_SECOND_STORE_TOKEN

from .a11y import problems
from .conftest import admin_tab
from .shop import SKIP, SKIP_REASON, Shop

if SKIP:
    pytest.skip(SKIP_REASON, allow_module_level=True)

from playwright.sync_api import expect  # imported only when not skipped

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def test_a_setting_refused_then_saved_and_reset_to_the_default(page: Page, shop: Shop) -> None:
    page.get_by_role("link", name="Settings").click()
    setting = page.locator("form.setting[data-key=sms_sender_name]")
    expect(setting.locator(".badge")).to_have_text("App default")
    field = page.get_by_label("SMS sender name")
    field.fill("Shop")
    field.evaluate("el => el.removeAttribute('pattern')")  # let the API refuse it, not the page
    field.fill("Shop name too long")
    setting.get_by_role("button", name="Save").click()
    expect(setting.locator(".field-errors")).to_be_visible()
    expect(setting.locator(".field-errors")).not_to_be_empty()
    assert shop.api("GET", "/settings")["sms_sender_name"]["overridden"] is False

    field.fill("MyShop")
    setting.get_by_role("button", name="Save").click()
    expect(page.locator("#toast")).to_have_text("The setting was saved.")
    expect(setting.locator(".badge")).to_have_text("Set for this store")
    expect(page.get_by_label("SMS sender name")).to_have_value("MyShop")
    assert shop.api("GET", "/settings")["sms_sender_name"]["value"] == "MyShop"

    page.get_by_label("Address method").select_option(label="Saudi National Address")
    address = page.locator("form.setting[data-key=address_method]")
    address.get_by_role("button", name="Save").click()
    expect(address.locator(".badge")).to_have_text("Set for this store")

    setting.get_by_role("button", name="Reset to default").click()
    expect(page.locator("#toast")).to_have_text("The setting is back to the default.")
    expect(setting.locator(".badge")).to_have_text("App default")
    expect(setting.get_by_role("button", name="Reset to default")).to_have_count(0)
    address.get_by_role("button", name="Reset to default").click()
    expect(address.locator(".badge")).to_have_text("App default")
    after = shop.api("GET", "/settings")
    assert not after["sms_sender_name"]["overridden"]
    assert not after["address_method"]["overridden"]


def test_a_duplicate_pair_merged_then_undone(browser: Browser, shop: Shop) -> None:
    second = {"token": DEMO_SECOND_STORE_TOKEN}
    kept = shop.api(
        "POST", "/customers", json={"name": "Marco Verdi", "email": "marco@verdi.example"}, **second
    )
    other = shop.api(
        "POST",
        "/customers",
        json={"name": "Marco Verdi", "email": "m.verdi@verdi.example"},
        **second,
    )
    with admin_tab(browser, shop, account="Second Shop: owner") as page:
        page.get_by_role("link", name="Duplicates").click()
        row = page.locator("table.duplicates tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("Same name, same email domain")
        expect(row).to_contain_text("70")
        expect(row.get_by_role("link", name="Marco Verdi")).to_have_count(2)
        expect(row.get_by_role("button", name="Merge into Marco Verdi")).to_have_count(2)
        row.get_by_role("button", name="Merge into Marco Verdi (marco@verdi.example)").click()
        page.get_by_role("dialog").get_by_role("button", name="Merge").click()
        expect(page.locator("#toast")).to_have_text("The customers were merged.")
        expect(row).to_have_count(0)
        expect(page.locator(".merged")).to_contain_text("was merged into Marco Verdi")
        names = {c["id"] for c in shop.api("GET", "/customers", **second)["items"]}
        assert kept["id"] in names
        assert other["id"] not in names

        page.locator(".merged").get_by_role("button", name="Undo").click()
        expect(page.locator("#toast")).to_have_text("The merge was undone.")
        expect(row).to_have_count(1)
        names = {c["id"] for c in shop.api("GET", "/customers", **second)["items"]}
        assert {kept["id"], other["id"]} <= names


def test_the_settings_screen_in_arabic(browser: Browser, shop: Shop) -> None:
    with admin_tab(browser, shop, locale="ar-SA") as page:
        page.goto(shop.url + "settings")
        expect(page.locator("h1")).to_have_text("الإعدادات")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.get_by_label("طريقة العنوان")).to_be_visible()
        expect(page.locator("form.setting")).to_have_count(10)
        assert problems(page) == []
