"""The screenshots of the admin in the documentation (docs/assets/admin-*.png): the customer
list and a customer card, in English and in Arabic, on a desktop and on a phone, taken from
the browser tests' seeded shop. Not a test; run it after changing how the admin looks:

    python -m tests.browser.screenshots
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from .conftest import CHROMIUM, DESKTOP, PHONE
from .shop import BUYER, serve

ASSETS = Path(__file__).resolve().parents[2] / "docs" / "assets"
SHOTS = [  # (file name, locale, viewport)
    ("admin-list-en.png", "en-US", DESKTOP),
    ("admin-list-ar.png", "ar-SA", DESKTOP),
    ("admin-list-en-phone.png", "en-US", PHONE),
    ("admin-list-ar-phone.png", "ar-SA", PHONE),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as shop:
        customer = shop.api("GET", "/customers?q=layla.haddad@example.com")["items"][0]
        path = f"/customers/{customer['id']}"
        shop.api("POST", path + "/tags", json={"tags": ["vip", "wholesale"]})
        shop.api("PATCH", path, json={"marketing_consent": "subscribed", "company": "دار الورد"})
        shop.api(
            "POST",
            path + "/wallet/transactions",
            json={"type": "credit", "amount": "40", "reason": "goodwill", "idempotency_key": "s1"},
        )
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            for name, locale, viewport in SHOTS:
                context = browser.new_context(locale=locale, viewport=viewport)
                page = context.new_page()
                page.goto(shop.url.replace("/admin/", "/staff/sign-in"))
                page.get_by_role("button", name="Demo Shop: owner", exact=True).click()
                page.locator("table.customers tbody tr").first.wait_for()
                page.screenshot(path=ASSETS / name)
                page.goto(shop.url + path.lstrip("/"))
                page.locator(".card-head h1", has_text=BUYER).wait_for()
                page.locator(".tab-panel .panel").first.wait_for()
                page.screenshot(path=ASSETS / name.replace("list", "card"), full_page=True)
                context.close()
            browser.close()


if __name__ == "__main__":
    main()
