"""The screenshots of the groups and import screens in the documentation
(docs/assets/admin-groups-*.png, admin-import-*.png), in English and in Arabic, taken from the
browser tests' seeded shop with a group and a finished import. Not a test; run it after
changing how these screens look:

    python -m tests.browser.screenshots_groups_import
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from .conftest import CHROMIUM, DESKTOP
from .screenshots import ASSETS
from .shop import Shop, serve

LOCALES = [("en", "en-US"), ("ar", "ar-SA")]
IMPORT = (
    "email,name,country,tags\r\n"
    "sara@example.com,Sara Conti,IT,fair\r\n"
    "yael@example.com,יעל מזרחי,IL,fair\r\n"
    "broken-address,Broken,SA,\r\n"
    "khalid@example.com,خالد الحربي,Saudi Arabia,fair\r\n"
)


def desktop_tabs(shop: Shop) -> Iterator[tuple[str, Page]]:
    """A desktop browser tab signed in as the Demo Shop's owner, in English then in Arabic."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for short, locale in LOCALES:
            context = browser.new_context(locale=locale, viewport=DESKTOP)
            page = context.new_page()
            page.goto(shop.url.replace("/admin/", "/staff/sign-in"))
            page.get_by_role("button", name="Demo Shop: owner", exact=True).click()
            page.wait_for_url("**/admin/")
            yield short, page
            context.close()
        browser.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as shop:
        conditions = {
            "match": "all",
            "conditions": [
                {"field": "country", "op": "in", "value": ["SA", "IL"]},
                {"field": "total_purchases", "op": "gt", "value": "10"},
            ],
        }
        body = {"name": "Big spenders", "icon": "★", "conditions": conditions}
        big = shop.api("POST", "/groups", json={**body, "free_shipping": True})
        wholesale = {"name": "Wholesale", "conditions": None, "coupon_codes": ["TRADE15"]}
        shop.api("POST", "/groups", json=wholesale)
        italians = {"match": "all", "conditions": [{"field": "country", "op": "eq", "value": "IT"}]}
        shop.api("POST", "/groups", json={"name": "Italia", "conditions": italians})
        data = {"file": (io.BytesIO(IMPORT.encode()), "fair-2026.csv"), "policy": "skip-bad-rows"}
        batch = shop.api("POST", "/imports", data=data, content_type="multipart/form-data")
        for short, page in desktop_tabs(shop):
            page.goto(shop.url + "groups")
            page.locator("table.groups tbody tr").first.wait_for()
            page.screenshot(path=ASSETS / f"admin-groups-{short}.png", full_page=True)
            page.goto(shop.url + f"groups/{big['id']}")
            page.locator("table.members tbody tr").first.wait_for()
            page.locator(".condition-builder + .actions button").click()
            page.locator(".preview span").first.wait_for()
            page.locator("table.members button.link").first.click()
            page.locator(".why").first.wait_for()
            page.screenshot(path=ASSETS / f"admin-group-{short}.png", full_page=True)
            page.goto(shop.url + "import")
            page.locator("table.imports tbody tr").first.wait_for()
            page.screenshot(path=ASSETS / f"admin-import-form-{short}.png", full_page=True)
            page.goto(shop.url + f"import/{batch['id']}")
            page.locator("table.report tbody tr").first.wait_for()
            page.screenshot(path=ASSETS / f"admin-import-{short}.png", full_page=True)


if __name__ == "__main__":
    main()
