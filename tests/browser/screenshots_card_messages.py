"""The screenshots of the customer card's messages tab in the documentation
(docs/assets/admin-messages-en.png, admin-messages-ar.png): a thread with a message out and a
reply, opened, in English and in Arabic on a desktop, taken from the browser tests' seeded
shop. Not a test; run it after changing how the tab looks:

    python -m tests.browser.screenshots_card_messages
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM, DESKTOP
from .screenshots import ASSETS
from .shop import BUYER, serve

LOCALES = [("en", "en-US"), ("ar", "ar-SA")]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as shop:
        customer = shop.api("GET", "/customers?q=layla.haddad@example.com")["items"][0]
        path = f"/customers/{customer['id']}"
        first = {
            "channel": "email",
            "purpose": "transactional",
            "subject": "طلبك في الطريق",
            "body": "مرحباً ليلى، خرج طلبك من المتجر اليوم.",
        }
        sent = shop.api("POST", path + "/messages", json=first)
        reply = {**first, "thread_id": sent["thread_id"], "body": "رقم التتبع: 4471-SA"}
        shop.api("POST", path + "/messages", json=reply)
        promo = {
            "channel": "email",
            "purpose": "transactional",
            "subject": "Your invoice",
            "body": "The invoice of your order is attached.",
        }
        shop.api("POST", path + "/messages", json=promo)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for code, locale in LOCALES:
                context = browser.new_context(locale=locale, viewport=DESKTOP)
                page = context.new_page()
                page.goto(shop.url.replace("/admin/", "/staff/sign-in"))
                page.get_by_role("button", name="Demo Shop: owner", exact=True).click()
                page.locator("table.customers tbody tr").first.wait_for()
                page.goto(shop.url + path.lstrip("/") + "?tab=messages")
                page.locator(".card-head h1", has_text=BUYER).wait_for()
                page.get_by_role("button", name="طلبك في الطريق").click()
                page.locator("li.message").nth(1).wait_for()
                page.screenshot(path=ASSETS / f"admin-messages-{code}.png", full_page=True)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
