"""Browser tests: the example host app (see ``shop.py``) driven by the Python ``playwright``
package with Debian's Chromium, ``/usr/bin/chromium`` (never ``playwright install``).

A missing Chromium or playwright fails these tests; ``CUSTOMERS_TEST_SKIP_BROWSER=1`` skips
them, for a developer machine without a browser.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pytest

from .shop import Shop, serve

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
# How long an action or an ``expect`` may wait for the page: generous, as a loaded machine can
# take seconds to answer; a passing test never waits it out.
ACTION_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    with serve(tmp_path_factory.mktemp("admin_page")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: `apt-get install -y chromium`, or set "
            "CUSTOMERS_TEST_SKIP_BROWSER=1 to skip the browser tests",
            pytrace=False,
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing: pip install -e '.[dev]'", pytrace=False)
    from playwright.sync_api import expect

    expect.set_options(timeout=ACTION_TIMEOUT_MS)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()


DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextmanager
def admin_tab(
    browser: Browser,
    shop: Shop,
    *,
    locale: str = "en-US",
    viewport: dict[str, int] = DESKTOP,
    account: str = "Demo Shop: owner",
) -> Iterator[Page]:
    """A fresh browser (own cookies) signed in to the admin through the example host's staff
    sign-in as ``account``, on the customer list. A JavaScript error fails the test."""
    context = browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(shop.url.replace("/admin/", "/staff/sign-in"))
    tab.get_by_role("button", name=account, exact=True).click()
    tab.wait_for_url("**/admin/")
    try:
        yield tab
    finally:
        context.close()
    assert not errors, errors


@pytest.fixture
def page(browser: Browser, shop: Shop) -> Iterator[Page]:
    """The owner of the Demo Shop on the admin's customer list, in English on a desktop."""
    with admin_tab(browser, shop) as tab:
        yield tab
