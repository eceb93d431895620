"""The screenshots of the settings and duplicates screens in the documentation
(docs/assets/admin-settings-*.png, admin-duplicates-*.png), in English and in Arabic, taken from
the browser tests' seeded shop with two settings of its own and two suggested duplicate pairs.
Not a test; run it after changing how these screens look:

    python -m tests.browser.screenshots_settings_duplicates
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from .screenshots import ASSETS
from .screenshots_groups_import import desktop_tabs
from .shop import serve

PAIRS = [
    ("Marco Verdi", "marco@verdi-moda.example", "m.verdi@verdi-moda.example"),
    ("سارة العتيبي", "sara@dar-alward.example", "s.otaibi@dar-alward.example"),
]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder, serve(Path(folder)) as shop:
        shop.api(
            "PATCH", "/settings", json={"address_method": "national_address", "currency": "SAR"}
        )
        for name, *emails in PAIRS:
            for email in emails:
                shop.api("POST", "/customers", json={"name": name, "email": email})
        for short, page in desktop_tabs(shop):
            page.goto(shop.url + "settings")
            page.locator("form.setting").first.wait_for()
            page.screenshot(path=ASSETS / f"admin-settings-{short}.png", full_page=True)
            page.goto(shop.url + "duplicates")
            page.locator("table.duplicates tbody tr").first.wait_for()
            page.locator(".erasure-requests h2").wait_for()
            page.screenshot(path=ASSETS / f"admin-duplicates-{short}.png", full_page=True)


if __name__ == "__main__":
    main()
